"""Promoting a community answer into the knowledge base, and taking it back.

A moderator promotes an accepted or well-voted answer, choosing the page's title, summary,
tags and language (the question's, unless they choose another). The store records the
promotion and its event; the publisher that ``portal work`` runs writes the Markdown page
(``content/<lang>/community/answer-<id>.md``), puts it on the site and in search, and the
question's own search result gives way to it. Unpromoting works the same way backwards and
leaves the question as it was.
"""

from __future__ import annotations

from flask import Blueprint

from core.urls import page_url, promoted_source
from functions import models, posts, web
from functions.errors import Invalid, NotFound, field
from functions.openapi import route
from functions.store import Answer, Question, Store, User, utcnow

bp = Blueprint("promotion", __name__, url_prefix="/api")
# An answer the asker did not accept is promoted only once the community rates it this well.
PROMOTE_MIN_SCORE = 3


def may_promote(question: Question, answer: Answer) -> bool:
    """Accepted or well voted, and visible, as is its question."""
    well_rated = question.accepted_answer_id == answer.id or answer.score >= PROMOTE_MIN_SCORE
    return question.visible and answer.visible and well_rated


def page_address(answer_id: int, lang: str) -> str:
    """The promoted page's address from the site's root."""
    return f"{lang}/{page_url(promoted_source(answer_id))}"


def promote(
    store: Store,
    moderator: User,
    answer: Answer,
    title: str,
    summary: str,
    tags: list[str],
    lang: str | None,
    now: str,
) -> str:
    """Promote ``answer``; the language of its page."""
    question = store.question(answer.question_id)
    if question is None:
        raise NotFound("no_question_for_answer", {"id": answer.id})
    if question.promoted_answer_id not in (None, answer.id):
        raise Invalid(
            "another_answer_promoted",
            {"id": question.promoted_answer_id},
            errors=[field("id", "one_promoted_answer")],
        )
    if not may_promote(question, answer):
        raise Invalid(
            "promote_accepted_or_voted",
            {"min": PROMOTE_MIN_SCORE, "score": answer.score},
            errors=[field("id", "accepted_or_voted_answer")],
        )
    page_lang = lang or question.lang
    store.promote(
        answer.id,
        page_lang,
        title.strip(),
        summary.strip(),
        tags or list(question.tags),
        now,
        actor_id=moderator.id,
    )
    return page_lang


@route(
    bp,
    "PUT",
    "/answers/{id}/promotion",
    summary="Make this answer a knowledge-base page (moderators)",
    body=models.PromotionRequest,
    response=models.PromotionOut,
    staff=True,
)
def promote_answer(id: int, body: models.PromotionRequest) -> models.PromotionOut:
    store, answer = web.store(), posts.answer(id)
    lang = promote(
        store,
        web.signed_in_user(),
        answer,
        body.title,
        body.summary,
        body.tags,
        body.lang,
        utcnow(),
    )
    return models.PromotionOut(url=page_address(answer.id, lang), lang=lang, title=body.title)


@route(
    bp,
    "DELETE",
    "/answers/{id}/promotion",
    summary="Take this answer's knowledge-base page away again (moderators)",
    query=models.ReasonQuery,
    status=204,
    staff=True,
)
def unpromote_answer(id: int, query: models.ReasonQuery) -> None:
    answer = posts.answer(id)
    moderator = web.signed_in_user()
    if not web.store().unpromote(answer.id, utcnow(), actor_id=moderator.id, reason=query.reason):
        raise NotFound("not_in_knowledge_base", {"id": answer.id})
