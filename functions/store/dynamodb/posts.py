"""Questions, answers, their lists, edits, revisions, comments, votes, acceptance and the
posts' visibility, in DynamoDB.

Items (``<id>`` unpadded in partition keys, ``pad(id)`` in sort keys):

- a question: ``question#<id>`` / ``post``, its author's username kept on it
  (``author_name``: usernames never change), ``tags`` a list, ``entries_version`` (below);
  in GSI3 partition ``posts#question#<author>`` by ``<created_at>#<pad(id)>`` (a member's
  posts since a time: :meth:`Posts.posts_since`).
- an answer: ``answer#<id>`` / ``post`` with ``question_id`` and ``author_name``; in GSI1
  partition ``answers#<question id>`` by ``pad(id)`` (a question's answers, oldest first) and
  GSI3 partition ``posts#answer#<author>``. A moderator's note is its ``note`` map (text,
  moderator_id, moderator_name, at), written by moderation.py.
- a question's list entries: ``question#<id>`` / ``list#<order>#<scope>``, in GSI1 partition
  ``list#<order>#<scope>`` (:func:`layout.list_partition`) by the order's key and
  ``#<pad(id)>``: ``newest`` and ``unanswered`` by ``created_at``, ``active`` by
  ``last_activity_at``, ``votes`` by ``pad(score + 10**12)``. Scopes: ``all``,
  ``lang:<lang>``, ``tag:<tag>`` for each order, and ``author:<id>`` for ``newest`` (a
  member's questions). A question has entries only while it is visible, and ``unanswered``
  ones only while no visible answer is counted on it. Each entry keeps ``question_id`` and
  ``lang``: one tag in one language is the tag's partition filtered on ``lang``, read page
  after page until the page is full. A page is read from the index, then its questions in
  one BatchGetItem (consistent, so a question hidden a moment ago is left out).
- revisions: the post's partition / ``revision#<pad(id)>``; comments: the question's
  partition / ``comment#<pad(id)>``, each with its author's username.
- a vote: the post's partition / ``vote#<member>`` (``value`` 1 or -1; withdrawn: no item), in
  GSI2 partition ``votes#<member>#<question id>`` by ``<kind>#<pad(post id)>``.

Exactness: every write that changes what a question's entries derive from (visibility,
tags, answer count, last activity) bumps the question's ``entries_version`` and holds only
if it and ``votes_seq`` are still those read, and writes the entries' differences in the
same transaction; a change that met another is read again and rebuilt. A vote holds only
while the member's vote item is what was read (or absent) and moves the score with ``ADD``
(and a question's ``votes_seq``, its count of score changes), so many members' votes on one
post never wait for each other. Then the question's ``votes`` entries, which carry the
``votes_seq`` they are keyed at, are moved to the score read after the vote, each only if it
exists and was keyed at an earlier ``votes_seq``: concurrent voters leave them at the last
score whatever their order (the entries lag a vote only between its two steps; if the voter
died in between, until the question's next vote).

Other areas write through methods named here: moderation calls
:meth:`Posts.visibility_writes` (hiding, showing, deleting and undeleting, with all that
follows); posts call moderation's ``unpromote_writes`` and ``hold_writes``, and the inbox's
``follow_write``. Two writes of one item in a transaction are merged into one
(:func:`merge_writes`).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from core.aws.dynamodb import TooBusy
from functions.store.contract import (
    Answer,
    BadCursor,
    Comment,
    ModeratorNote,
    Page,
    PostKind,
    Question,
    Revision,
    Sort,
    Stale,
)
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import (
    NEW,
    Base,
    ConditionFailed,
    Item,
    check,
    decode_cursor,
    delete,
    encode_cursor,
    put,
    update,
)

T = TypeVar("T")
ORDERS = ("newest", "active", "votes", "unanswered")
SCORE_OFFSET = 10**12  # scores sort as padded strings once made non-negative
# A change that keeps meeting others on one post (fifty votes at once on a question each
# wait their turn) reads and tries again for this long, then gives up.
RETRY_SECONDS = 15
CURSOR_KEYS = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})


class Posts(Base):
    # Questions

    def create_question(
        self,
        author_id: int,
        title: str,
        body: str,
        body_html: str,
        excerpt: str,
        tags: Sequence[str],
        lang: str,
        now: str,
        held: bool = False,
    ) -> int:
        author_name = self._username(author_id)
        tags = list(tags)

        def build(question_id: int) -> list:
            question = {
                **layout.post_key("question", question_id),
                "id": question_id,
                "author_id": author_id,
                "author_name": author_name,
                "title": title,
                "body": body,
                "body_html": body_html,
                "excerpt": excerpt,
                "tags": tags,
                "lang": lang,
                "score": 0,
                "answer_count": 0,
                "view_count": 0,
                "created_at": now,
                "updated_at": now,
                "last_activity_at": now,
                "hidden": held,
                "deleted": False,
                "locked": False,
                "entries_version": 0,
                "votes_seq": 0,
                "GSI3PK": f"posts#question#{author_id}",
                "GSI3SK": f"{now}#{layout.pad(question_id)}",
            }
            writes = [
                put(question, NEW),
                self._revision_write(
                    "question", question_id, title, body, tags, author_id, author_name, now
                ),
                *(put(entry) for entry in entries(question).values()),
                self.follow_write(question_id, author_id, now),
            ]
            if held:
                writes += self.hold_writes("question", question_id, question_id, now)
            else:
                writes.append(_count_write(author_id, "question_count", 1))
            _, asked = self.event(
                "asked",
                "question",
                question_id,
                question_id,
                now,
                actor=author_id,
                affected=author_id,
                lang=lang,
                tags=tags,
                **({"held": True} if held else {}),
            )
            return merge_writes([*writes, asked])

        return self.transact_new(build)

    def question(self, question_id: int) -> Question | None:
        found = self.table.get(layout.post_key("question", question_id))
        return question_from(found) if found else None

    def list_questions(
        self,
        sort: Sort,
        *,
        lang: str | None = None,
        tag: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Question]:
        if sort not in ORDERS:
            raise ValueError(f"no list order {sort!r}")
        if tag is not None:
            partition = layout.list_partition(sort, f"tag:{tag}")
            return self._question_page(partition, cursor, limit, lang, sort)
        scope = "all" if lang is None else f"lang:{lang}"
        return self._question_page(layout.list_partition(sort, scope), cursor, limit, None, sort)

    def questions_by(
        self, author_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Question]:
        partition = layout.list_partition("newest", f"author:{author_id}")
        return self._question_page(partition, cursor, limit, None, "newest")

    def _question_page(
        self, partition: str, cursor: str | None, limit: int, lang: str | None, sort: str
    ) -> Page[Question]:
        """A page of a list partition, newest (highest) key first; ``lang`` filters the
        entries (a tag's list in one language), so pages are read until ``limit`` + 1 are
        found: the one more says whether there is a next page."""
        start = _start_key(cursor, partition)
        found: list[Item] = []
        while True:
            items, last = self.table.query(
                "GSI1PK = :partition",
                {":partition": partition, **({":lang": lang} if lang else {})},
                index="GSI1",
                names={"#lang": "lang"} if lang else None,
                forward=False,
                limit=limit + 1 - len(found),
                start=start,
                filter="#lang = :lang" if lang else None,
            )
            found += items
            if len(found) > limit or last is None:
                break
            start = last
        shown = found[:limit]
        after = encode_cursor(_entry_key(shown[-1])) if len(found) > limit and shown else None
        ids = [entry["question_id"] for entry in shown]
        by_id = {
            item["id"]: item
            for item in self.table.get_many(layout.post_key("question", i) for i in ids)
        }
        # The index may lag a moment behind a question just hidden or answered.
        questions = [question_from(by_id[i]) for i in ids if i in by_id]
        questions = [
            q for q in questions if q.visible and not (sort == "unanswered" and q.answer_count)
        ]
        return Page(questions, after)

    def edit_question(
        self,
        question_id: int,
        editor_id: int,
        title: str,
        body: str,
        body_html: str,
        excerpt: str,
        tags: Sequence[str],
        now: str,
        reason: str | None = None,
    ) -> None:
        editor_name = self._username(editor_id)
        tags = list(tags)

        def attempt() -> None:
            before = self._post("question", question_id)
            after = {
                **before,
                "title": title,
                "body": body,
                "body_html": body_html,
                "excerpt": excerpt,
                "tags": tags,
                "updated_at": now,
                "last_activity_at": now,
            }
            revision_id = self.new_id()
            writes = [
                change(
                    layout.post_key("question", question_id),
                    sets={
                        "title": title,
                        "body": body,
                        "body_html": body_html,
                        "excerpt": excerpt,
                        "tags": tags,
                        "updated_at": now,
                        "last_activity_at": now,
                    },
                    adds={"entries_version": 1},
                    **versioned(before),
                ),
                self._revision_write(
                    "question",
                    question_id,
                    title,
                    body,
                    tags,
                    editor_id,
                    editor_name,
                    now,
                    reason,
                    revision_id,
                ),
                *entry_writes(before, after),
            ]
            _, edited = self.event(
                "edited",
                "question",
                question_id,
                question_id,
                now,
                actor=editor_id,
                affected=before["author_id"],
                revision=revision_id,
                **({"reason": reason} if reason else {}),
            )
            self.transact(merge_writes([*writes, edited]))

        self._retrying(attempt)

    def count_view(self, question_id: int) -> None:
        with contextlib.suppress(ConditionFailed):  # no such question: nothing to count
            self.table.write(
                change(
                    layout.post_key("question", question_id),
                    adds={"view_count": 1},
                    condition="attribute_exists(PK)",
                )
            )

    # Answers

    def create_answer(
        self,
        question_id: int,
        author_id: int,
        body: str,
        body_html: str,
        now: str,
        held: bool = False,
    ) -> int:
        author_name = self._username(author_id)

        def attempt() -> int:
            before = self._post("question", question_id)
            visible = 0 if held else 1
            after = {
                **before,
                "answer_count": before["answer_count"] + visible,
                "last_activity_at": now,
            }

            def build(answer_id: int) -> list:
                answer = {
                    **layout.post_key("answer", answer_id),
                    "id": answer_id,
                    "question_id": question_id,
                    "author_id": author_id,
                    "author_name": author_name,
                    "body": body,
                    "body_html": body_html,
                    "score": 0,
                    "created_at": now,
                    "updated_at": now,
                    "hidden": held,
                    "deleted": False,
                    "GSI1PK": f"answers#{question_id}",
                    "GSI1SK": layout.pad(answer_id),
                    "GSI3PK": f"posts#answer#{author_id}",
                    "GSI3SK": f"{now}#{layout.pad(answer_id)}",
                }
                writes = [
                    put(answer, NEW),
                    change(
                        layout.post_key("question", question_id),
                        sets={"last_activity_at": now},
                        adds={"answer_count": visible, "entries_version": 1},
                        **versioned(before),
                    ),
                    *entry_writes(before, after),
                    self._revision_write(
                        "answer", answer_id, None, body, [], author_id, author_name, now
                    ),
                    self.follow_write(question_id, author_id, now),
                ]
                if held:
                    writes += self.hold_writes("answer", answer_id, question_id, now)
                else:
                    writes.append(_count_write(author_id, "answer_count", 1))
                _, answered = self.event(
                    "answered",
                    "answer",
                    answer_id,
                    question_id,
                    now,
                    actor=author_id,
                    affected=before["author_id"],
                    **({"held": True} if held else {}),
                    **({"first": True} if not held and after["answer_count"] == 1 else {}),
                )
                return merge_writes([*writes, answered])

            return self.transact_new(build)

        return self._retrying(attempt)

    def answer(self, answer_id: int) -> Answer | None:
        found = self.table.get(layout.post_key("answer", answer_id))
        return answer_from(found) if found else None

    def answers_of(self, question_id: int) -> list[Answer]:
        return [
            answer_from(item)
            for item in self.table.query_all(
                "GSI1PK = :answers", {":answers": f"answers#{question_id}"}, index="GSI1"
            )
        ]

    def edit_answer(
        self,
        answer_id: int,
        editor_id: int,
        body: str,
        body_html: str,
        now: str,
        reason: str | None = None,
    ) -> None:
        editor_name = self._username(editor_id)

        def attempt() -> None:
            answer = self._post("answer", answer_id)
            question_id = answer["question_id"]
            before = self._post("question", question_id)
            after = {**before, "last_activity_at": now}
            revision_id = self.new_id()
            writes = [
                change(
                    layout.post_key("answer", answer_id),
                    sets={"body": body, "body_html": body_html, "updated_at": now},
                    condition="attribute_exists(PK)",
                ),
                change(
                    layout.post_key("question", question_id),
                    sets={"last_activity_at": now},
                    adds={"entries_version": 1},
                    **versioned(before),
                ),
                *entry_writes(before, after),
                self._revision_write(
                    "answer",
                    answer_id,
                    None,
                    body,
                    [],
                    editor_id,
                    editor_name,
                    now,
                    reason,
                    revision_id,
                ),
            ]
            _, edited = self.event(
                "edited",
                "answer",
                answer_id,
                question_id,
                now,
                actor=editor_id,
                affected=answer["author_id"],
                revision=revision_id,
                **({"reason": reason} if reason else {}),
            )
            self.transact(merge_writes([*writes, edited]))

        self._retrying(attempt)

    def accept_answer(
        self, question_id: int, answer_id: int | None, actor_id: int, now: str
    ) -> None:
        def attempt() -> None:
            before = self._post("question", question_id)
            previous = before.get("accepted_answer_id")
            if previous == answer_id:
                return  # nothing changes, so nothing happened
            accepted = None
            if answer_id is not None:
                accepted = self.table.get(layout.post_key("answer", answer_id))
                if not (accepted and accepted["question_id"] == question_id and _visible(accepted)):
                    raise Stale("answer")
            previous_author = None
            if previous is not None:
                previous_author = self._post("answer", previous)["author_id"]
            after = {**before, "accepted_answer_id": answer_id, "last_activity_at": now}
            writes = [
                change(
                    layout.post_key("question", question_id),
                    sets={"last_activity_at": now}
                    | ({"accepted_answer_id": answer_id} if answer_id is not None else {}),
                    removes=() if answer_id is not None else ("accepted_answer_id",),
                    adds={"entries_version": 1},
                    **versioned(before),
                ),
                *entry_writes(before, after),
            ]
            if answer_id is not None:  # it must still be visible when accepted
                writes.append(
                    check(
                        layout.post_key("answer", answer_id),
                        "#hidden = :no AND #deleted = :no",
                        {"#hidden": "hidden", "#deleted": "deleted"},
                        {":no": False},
                    )
                )
            if previous is not None:
                why = "withdrawn" if answer_id is None else "replaced"
                writes.append(
                    self._unaccepted(question_id, previous, previous_author, actor_id, now, why)
                )
            if accepted is not None:
                _, event = self.event(
                    "accepted",
                    "answer",
                    accepted["id"],
                    question_id,
                    now,
                    actor=actor_id,
                    affected=accepted["author_id"],
                    previous=previous,
                    asker=before["author_id"],
                )
                writes.append(event)
            self.transact(merge_writes(writes))

        self._retrying(attempt)

    def _unaccepted(
        self,
        question_id: int,
        answer_id: int,
        author_id: int,
        actor_id: int | None,
        now: str,
        reason: str,
    ) -> dict[str, Any]:
        _, event = self.event(
            "unaccepted",
            "answer",
            answer_id,
            question_id,
            now,
            actor=actor_id,
            affected=author_id,
            reason=reason,
        )
        return event

    # Either kind of post

    def revisions(self, kind: PostKind, post_id: int) -> list[Revision]:
        items = self.table.query_all(
            "PK = :pk AND begins_with(SK, :revision)",
            {":pk": f"{kind}#{post_id}", ":revision": "revision#"},
            forward=False,
            consistent=True,
        )
        return [
            Revision(
                item["id"],
                item.get("title"),
                item["body"],
                tuple(item.get("tags") or ()),
                item["author_id"],
                item["author_name"],
                item["created_at"],
                item.get("reason"),
            )
            for item in items
        ]

    def _revision_write(
        self,
        kind: PostKind,
        post_id: int,
        title: str | None,
        body: str,
        tags: Sequence[str],
        author_id: int,
        author_name: str,
        now: str,
        reason: str | None = None,
        revision_id: int | None = None,
    ) -> dict[str, Any]:
        revision_id = self.new_id() if revision_id is None else revision_id
        return put(
            {
                "PK": f"{kind}#{post_id}",
                "SK": f"revision#{layout.pad(revision_id)}",
                "id": revision_id,
                "title": title,
                "body": body,
                "tags": list(tags),
                "author_id": author_id,
                "author_name": author_name,
                "created_at": now,
                "reason": reason,
            },
            NEW,
        )

    def add_comment(
        self, kind: PostKind, post_id: int, question_id: int, author_id: int, body: str, now: str
    ) -> Comment:
        author_name = self._username(author_id)
        post = self._post(kind, post_id)

        def build(comment_id: int) -> list:
            _, commented = self.event(
                "commented",
                "comment",
                comment_id,
                question_id,
                now,
                actor=author_id,
                affected=post["author_id"],
                on=kind,
                post_id=post_id,
            )
            comment = {
                "PK": f"question#{question_id}",
                "SK": f"comment#{layout.pad(comment_id)}",
                "id": comment_id,
                "post_kind": kind,
                "post_id": post_id,
                "question_id": question_id,
                "author_id": author_id,
                "author_name": author_name,
                "body": body,
                "created_at": now,
            }
            return [put(comment, NEW), commented]

        comment_id = self.transact_new(build)
        return Comment(comment_id, kind, post_id, author_id, author_name, body, now)

    def comments_of(self, question_id: int) -> list[Comment]:
        items = self.table.query_all(
            "PK = :pk AND begins_with(SK, :comment)",
            {":pk": f"question#{question_id}", ":comment": "comment#"},
            consistent=True,
        )
        return [
            Comment(
                item["id"],
                item["post_kind"],
                item["post_id"],
                item["author_id"],
                item["author_name"],
                item["body"],
                item["created_at"],
            )
            for item in items
        ]

    def set_vote(self, user_id: int, kind: PostKind, post_id: int, value: int, now: str) -> int:
        post = self._post(kind, post_id)  # its author and question never change
        moved = self._retrying(lambda: self._vote(user_id, kind, post, value, now))
        if moved and kind == "question":
            return self._rekey_votes(post_id)
        return self._post(kind, post_id)["score"]

    def _vote(self, user_id: int, kind: PostKind, post: Item, value: int, now: str) -> bool:
        """One try at a vote: it holds only if the member's vote is still what was read, and
        moves the score by the difference with ``ADD`` (so votes of many members at once do
        not wait for each other). Whether it changed anything."""
        post_id = post["id"]
        question_id = post_id if kind == "question" else post["question_id"]
        key = {"PK": f"{kind}#{post_id}", "SK": f"vote#{user_id}"}
        found = self.table.get(key)
        old = found["value"] if found else 0
        if value == old:
            return False
        if old:
            condition, names, params = "#value = :old", {"#value": "value"}, {":old": old}
        else:
            condition, names, params = NEW, None, None
        if value:
            vote = {
                **key,
                "user_id": user_id,
                "post_kind": kind,
                "post_id": post_id,
                "question_id": question_id,
                "value": value,
                "GSI2PK": f"votes#{user_id}#{question_id}",
                "GSI2SK": f"{kind}#{layout.pad(post_id)}",
            }
            written = put(vote, condition, names, params)
        else:
            written = delete(key, condition, names, params)
        _, voted = self.event(
            "voted",
            kind,
            post_id,
            question_id,
            now,
            actor=user_id,
            affected=post["author_id"],
            old=old,
            new=value,
        )
        self.transact(
            [
                written,
                change(
                    layout.post_key(kind, post_id),
                    adds={"score": value - old, "votes_seq": 1 if kind == "question" else 0},
                    condition="attribute_exists(PK)",
                ),
                voted,
            ]
        )
        return True

    def _rekey_votes(self, question_id: int) -> int:
        """Move a question's ``votes`` entries to the score read now, each only if it exists
        (the question is listed) and was keyed at an earlier count of score changes
        (``votes_seq``): whatever order concurrent voters get here in, the entries end at the
        score of the last change. The question's score."""
        question = self._post("question", question_id)
        for sk, entry in entries(question).items():
            if not sk.startswith("list#votes#"):
                continue
            with contextlib.suppress(ConditionFailed):  # gone, or keyed at a later score
                self.table.update(
                    {"PK": entry["PK"], "SK": sk},
                    "SET GSI1SK = :key, votes_seq = :seq",
                    "attribute_exists(PK) AND votes_seq < :seq",
                    params={":key": entry["GSI1SK"], ":seq": entry["votes_seq"]},
                )
        return question["score"]

    def votes_on(self, user_id: int, question_id: int) -> dict[tuple[PostKind, int], int]:
        items = self.table.query_all(
            "GSI2PK = :votes", {":votes": f"votes#{user_id}#{question_id}"}, index="GSI2"
        )
        return {(item["post_kind"], item["post_id"]): item["value"] for item in items}

    # Visibility

    def set_hidden(
        self,
        kind: PostKind,
        post_id: int,
        hidden: bool,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        event = "hidden" if hidden else "shown"
        self._set_flag(kind, post_id, "hidden", hidden, event, now, actor_id, reason)

    def delete_post(
        self,
        kind: PostKind,
        post_id: int,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        self._set_flag(kind, post_id, "deleted", True, "deleted", now, actor_id, reason)

    def undelete_post(
        self,
        kind: PostKind,
        post_id: int,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        self._set_flag(kind, post_id, "deleted", False, "undeleted", now, actor_id, reason)

    def _set_flag(
        self,
        kind: PostKind,
        post_id: int,
        flag: str,
        value: bool,
        event: str,
        now: str,
        actor_id: int | None,
        reason: str | None,
    ) -> None:
        def attempt() -> None:
            post = self._post(kind, post_id)
            self.transact(
                self.visibility_writes(kind, post, flag, value, event, now, actor_id, reason)
            )

        self._retrying(attempt)

    def visibility_writes(
        self,
        kind: PostKind,
        post: dict,
        flag: str,
        value: bool,
        event: str,
        now: str,
        actor_id: int | None,
        reason: str | None,
    ) -> list:
        """Every write of setting ``flag`` (hidden or deleted) of a post to ``value``, whose
        item as read is ``post``: the flag (only if it is still what was read), ``event``,
        the author's count of visible posts, the question's list entries and its count of
        visible answers, and what may not stay on a post nobody sees: its acceptance and its
        promotion. The first write is the post's own; [] when the flag is ``value`` already.
        A failed transaction of these means the post or its question changed: read again."""
        if bool(post.get(flag)) == value:
            return []
        post_id = post["id"]
        question_id = post_id if kind == "question" else post["question_id"]
        after = {**post, flag: value}
        delta = _visible(after) - _visible(post)
        question = post if kind == "question" else None
        if kind == "answer" and delta:
            question = self._post("question", question_id)
        flag_write = change(
            layout.post_key(kind, post_id),
            sets={flag: value},
            condition=f"#{flag} = :was",
            names={f"#{flag}": flag},
            params={":was": bool(post.get(flag))},
        )
        writes = [flag_write]
        if kind == "question" and delta:
            writes.append(
                change(
                    layout.post_key("question", post_id),
                    adds={"entries_version": 1},
                    **versioned(post),
                )
            )
            writes += entry_writes(post, after)
        _, changed = self.event(
            event,
            kind,
            post_id,
            question_id,
            now,
            actor=actor_id,
            affected=post["author_id"],
            **({"reason": reason} if reason else {}),
        )
        writes.append(changed)
        if delta:
            writes.append(_count_write(post["author_id"], f"{kind}_count", delta))
        why = "deleted" if after.get("deleted") else "hidden"
        if delta < 0:
            promoted = [post_id] if kind == "answer" else self.promoted_answers(post_id)
            for answer_id in promoted:
                writes += self.unpromote_writes(answer_id, now, actor_id, why)
        if kind == "answer" and delta:
            assert question is not None
            writes += self._answer_count_writes(question, post, delta, now, actor_id, why)
        return merge_writes(writes)

    def _answer_count_writes(
        self,
        question: Item,
        answer: Item,
        delta: int,
        now: str,
        actor_id: int | None,
        why: str,
    ) -> list:
        """An answer came into sight or went out of it: the question's count of visible
        answers, its ``unanswered`` entries, and (going) its acceptance."""
        taken_back = delta < 0 and question.get("accepted_answer_id") == answer["id"]
        after = {**question, "answer_count": question["answer_count"] + delta}
        if taken_back:
            after["accepted_answer_id"] = None
        writes = [
            change(
                layout.post_key("question", question["id"]),
                adds={"answer_count": delta, "entries_version": 1},
                removes=("accepted_answer_id",) if taken_back else (),
                **versioned(question),
            ),
            *entry_writes(question, after),
        ]
        if taken_back:
            writes.append(
                self._unaccepted(
                    question["id"], answer["id"], answer["author_id"], actor_id, now, why
                )
            )
        return writes

    # Limits

    def posts_since(self, user_id: int, kind: PostKind, since: str) -> int:
        """How many posts of ``kind`` a member wrote at or after ``since`` (any visibility),
        from GSI3: a new member's few posts of the last hours."""
        items = self.table.query_all(
            "GSI3PK = :posts AND GSI3SK >= :since",
            {":posts": f"posts#{kind}#{user_id}", ":since": since},
            index="GSI3",
        )
        return sum(1 for _ in items)

    # Reading and retrying

    def _post(self, kind: PostKind, post_id: int) -> Item:
        found = self.table.get(layout.post_key(kind, post_id))
        if found is None:
            raise LookupError(f"no {kind} {post_id}")
        return found

    def _username(self, user_id: int) -> str:
        found = self.table.get(layout.user_key(user_id))
        if found is None:
            raise LookupError(f"no member {user_id}")
        return found["username"]

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` (read, then one transaction) again while its transaction meets a
        change made since its reads."""
        deadline = time.monotonic() + RETRY_SECONDS
        tries = 0
        while True:
            try:
                return attempt()
            except ConditionFailed:
                if time.monotonic() > deadline:
                    break
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**tries)))
                tries += 1
        raise TooBusy(
            f"Writes to table {self.table_name!r} kept meeting other writes to the same "
            "post; try again in a moment."
        )


# Items


def question_from(item: Item) -> Question:
    return Question(
        item["id"],
        item["author_id"],
        item["author_name"],
        item["title"],
        item["body"],
        item["body_html"],
        item["excerpt"],
        tuple(item.get("tags") or ()),
        item["lang"],
        item.get("score", 0),
        item.get("answer_count", 0),
        item.get("accepted_answer_id"),
        item.get("view_count", 0),
        item["created_at"],
        item["updated_at"],
        item["last_activity_at"],
        bool(item.get("hidden")),
        bool(item.get("deleted")),
        bool(item.get("locked")),
        item.get("duplicate_of"),
        item.get("promoted_answer_id"),
        item.get("promoted_lang"),
    )


def answer_from(item: Item) -> Answer:
    note = item.get("note")
    return Answer(
        item["id"],
        item["question_id"],
        item["author_id"],
        item["author_name"],
        item["body"],
        item["body_html"],
        item.get("score", 0),
        item["created_at"],
        item["updated_at"],
        bool(item.get("hidden")),
        bool(item.get("deleted")),
        ModeratorNote(note["text"], note["moderator_id"], note["moderator_name"], note["at"])
        if note
        else None,
    )


def _visible(post: Mapping[str, Any]) -> int:
    return int(not (post.get("hidden") or post.get("deleted")))


def _count_write(user_id: int, counter: str, delta: int) -> dict[str, Any]:
    """A member's count of visible questions or answers, moved (never read first)."""
    return change(layout.user_key(user_id), adds={counter: delta})


# List entries


def sort_key(question: Mapping[str, Any], order: str) -> str:
    if order == "votes":
        head = layout.pad(question["score"] + SCORE_OFFSET)
    elif order == "active":
        head = question["last_activity_at"]
    else:
        head = question["created_at"]
    return f"{head}#{layout.pad(question['id'])}"


def entries(question: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The list entries a question in this state has, by sort key: none while it is hidden
    or deleted; ``unanswered`` ones while it counts no visible answer."""
    if not _visible(question):
        return {}
    scopes = ["all", f"lang:{question['lang']}"]
    scopes += dict.fromkeys(f"tag:{tag}" for tag in question.get("tags") or ())
    pairs = [
        (order, scope)
        for order in ORDERS
        if order != "unanswered" or not question.get("answer_count")
        for scope in scopes
    ]
    pairs.append(("newest", f"author:{question['author_id']}"))
    found = {}
    for order, scope in pairs:
        partition = layout.list_partition(order, scope)
        found[partition] = {
            "PK": f"question#{question['id']}",
            "SK": partition,
            "GSI1PK": partition,
            "GSI1SK": sort_key(question, order),
            "question_id": question["id"],
            "lang": question["lang"],
        }
        if order == "votes":  # the count of score changes it is keyed at (see _rekey_votes)
            found[partition]["votes_seq"] = question.get("votes_seq", 0)
    return found


def entry_writes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The writes that take a question's list entries from ``before`` to ``after``: those it
    no longer has deleted, new or re-keyed ones put."""
    old, new = entries(before), entries(after)
    writes = [delete({"PK": entry["PK"], "SK": sk}) for sk, entry in old.items() if sk not in new]
    writes += [put(entry) for sk, entry in new.items() if old.get(sk) != entry]
    return writes


def _entry_key(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {name: entry[name] for name in CURSOR_KEYS}


def _start_key(cursor: str | None, partition: str) -> dict[str, Any] | None:
    key = decode_cursor(cursor, {"GSI1PK": partition})
    if key is not None and (
        set(key) != CURSOR_KEYS or not all(isinstance(v, str) for v in key.values())
    ):
        raise BadCursor(cursor)
    return key


# Updates


def change(
    key: Mapping[str, Any],
    *,
    sets: Mapping[str, Any] | None = None,
    adds: Mapping[str, int] | None = None,
    removes: Iterable[str] = (),
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An update of named attributes, each through an expression name (``hidden``, ``value``
    and ``comment`` are among DynamoDB's reserved words); ``condition`` may use ``#<name>``
    of any attribute set, added or removed here, and its own ``names`` and ``params``."""
    every_name = dict(names or {})
    every_param = dict(params or {})
    clauses = []
    if sets:
        clauses.append("SET " + ", ".join(f"#{name} = :set_{name}" for name in sets))
        every_param.update({f":set_{name}": value for name, value in sets.items()})
    adds = {name: delta for name, delta in (adds or {}).items() if delta}
    if adds:
        clauses.append("ADD " + ", ".join(f"#{name} :add_{name}" for name in adds))
        every_param.update({f":add_{name}": delta for name, delta in adds.items()})
    removes = list(removes)
    if removes:
        clauses.append("REMOVE " + ", ".join(f"#{name}" for name in removes))
    for name in [*(sets or {}), *adds, *removes]:
        every_name[f"#{name}"] = name
    return update(key, " ".join(clauses), condition, every_name, every_param or None)


def versioned(question: Mapping[str, Any]) -> dict[str, Any]:
    """The condition (for :func:`change`) that a question's entries derive from the state
    read: its ``entries_version`` and ``votes_seq`` (its score's changes) are still those."""
    return {
        "condition": "#entries_version = :was_version AND #votes_seq = :was_votes",
        "names": {"#entries_version": "entries_version", "#votes_seq": "votes_seq"},
        "params": {
            ":was_version": question.get("entries_version", 0),
            ":was_votes": question.get("votes_seq", 0),
        },
    }


_CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b")
_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")


def merge_writes(writes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The writes with those of one item made one (a transaction may touch an item once):
    updates' clauses and conditions joined, a condition check's condition folded into the
    item's write. Each write keeps the place of the first write of its item."""
    merged: list[dict[str, Any]] = []
    place: dict[tuple[str, str], int] = {}
    for number, write in enumerate(writes):
        ((kind, body),) = write.items()
        item_key = _item_key(kind, body)
        if item_key not in place:
            place[item_key] = len(merged)
            merged.append(dict(write))
            continue
        merged[place[item_key]] = _merged(merged[place[item_key]], write, f"_{number}")
    return merged


def _item_key(kind: str, body: Mapping[str, Any]) -> tuple[str, str]:
    keys = body["Item"] if kind == "Put" else body["Key"]
    return json.dumps(keys["PK"], sort_keys=True), json.dumps(keys["SK"], sort_keys=True)


def _merged(first: Mapping[str, Any], second: Mapping[str, Any], suffix: str) -> dict[str, Any]:
    ((kind_a, a),) = first.items()
    ((kind_b, b),) = _renamed(second, suffix).items()
    if kind_b == "ConditionCheck":
        kind, body = kind_a, dict(a)
    elif kind_a == "ConditionCheck":
        kind, body = kind_b, dict(b)
    elif kind_a == kind_b == "Update":
        kind, body = "Update", dict(a)
        body["UpdateExpression"] = _joined(a["UpdateExpression"], b["UpdateExpression"])
    else:
        raise ValueError(f"a {kind_a} and a {kind_b} of one item cannot be one write")
    conditions = [c for c in (a.get("ConditionExpression"), b.get("ConditionExpression")) if c]
    if conditions:
        body["ConditionExpression"] = " AND ".join(f"({c})" for c in conditions)
    for part in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        joined = {**a.get(part, {}), **b.get(part, {})}
        if joined:
            body[part] = joined
    return {kind: body}


def _renamed(write: Mapping[str, Any], suffix: str) -> dict[str, Any]:
    """The write with its placeholders suffixed, so they cannot meet another write's."""
    ((kind, body),) = write.items()
    ours = {*body.get("ExpressionAttributeNames", {}), *body.get("ExpressionAttributeValues", {})}

    def rename(match: re.Match[str]) -> str:
        found = match.group(0)
        return found + suffix if found in ours else found

    renamed = dict(body)
    for part in ("UpdateExpression", "ConditionExpression"):
        if part in body:
            renamed[part] = _PLACEHOLDER.sub(rename, body[part])
    for part in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if part in body:
            renamed[part] = {name + suffix: value for name, value in body[part].items()}
    return {kind: renamed}


def _joined(first: str, second: str) -> str:
    clauses: dict[str, list[str]] = {}
    for expression in (first, second):
        pieces = _CLAUSE.split(expression)
        for word, text in zip(pieces[1::2], pieces[2::2], strict=True):
            clauses.setdefault(word, []).append(text.strip().rstrip(","))
    return " ".join(f"{word} {', '.join(parts)}" for word, parts in clauses.items())
