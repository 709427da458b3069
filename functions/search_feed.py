"""The community store as the search index sees it.

``snapshot(store)`` hands ``portal build`` every visible question (with its answers' text)
and the event log cursor they reflect; ``change_source(store)`` hands the live indexer
(the search consumer of the event log), and a build that updates the published index, the
questions touched since a cursor; its first event tells one store from another. Both read
the current state of each question, so applying a change twice does no harm: the cursor is
read before the questions, never after.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator, Sequence

from core.urls import question_url
from functions import community
from functions.store import Question, Store
from search_index.documents import Change, CommunityDoc, Deleted
from search_index.live import ChangeSource
from search_index.updates import Community

BATCH = 200  # events per poll


def question_doc(store: Store, question: Question) -> CommunityDoc:
    """A question and its visible answers, as one search document."""
    answers = [answer for answer in store.answers_of(question.id) if answer.visible]
    return CommunityDoc(
        id=doc_id(question.id),
        title=question.title,
        body="\n\n".join([question.body, *(answer.body for answer in answers)]),
        tags=tuple(question.tags),
        lang=question.lang,
        status=community.status_of(question),
        score=question.score,
        url=question_url(question.id),
        # Promoted: the article stands for it in search, so it does not show twice.
        hidden=not question.visible or question.promoted_answer_id is not None,
    )


def doc_id(question_id: int) -> str:
    return f"question:{question_id}"


def for_build(store: Store) -> Community:
    """The store as ``portal build`` reads it: which store and what makes its documents
    (its first event and this code), all of it, or its changes."""
    first = store.events_after(None, limit=1).events
    return Community(
        origin=f"{first[0].id}:{_MAKING}" if first else None,
        snapshot=lambda: snapshot(store),
        changes=change_source(store),
    )


# How a question becomes a document: when this code changes, a build indexes every
# question afresh rather than trust the ones indexed before.
_MAKING = hashlib.sha256(
    "".join(
        inspect.getsource(code) for code in (question_doc, community.status_of, question_url)
    ).encode()
).hexdigest()[:16]


def snapshot(store: Store) -> tuple[list[CommunityDoc], str | None]:
    """Every visible question, and the event log cursor read before them."""
    cursor = store.latest_cursor()
    return [question_doc(store, question) for question in _all_questions(store)], cursor


def change_source(store: Store) -> ChangeSource:
    """``fetch(after) -> (changes, cursor)`` over the store's event log, for the live indexer."""

    def fetch(after: str | None) -> tuple[Sequence[Change], str | None]:
        page = store.events_after(after, limit=BATCH)
        if not page.events:
            return [], after  # nothing new: the writer has nothing to commit
        changes: list[Change] = []
        touched = (event.question_id for event in page.events if event.question_id is not None)
        for question_id in dict.fromkeys(touched):
            question = store.question(question_id)
            changes.append(
                Deleted(doc_id(question_id))
                if question is None or question.deleted
                else question_doc(store, question)
            )
        return changes, page.cursor

    return fetch


def _all_questions(store: Store) -> Iterator[Question]:
    cursor = None
    while True:
        page = store.list_questions("newest", cursor=cursor, limit=50)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor
