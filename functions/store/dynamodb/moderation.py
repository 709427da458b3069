"""Moderation in DynamoDB: locks, duplicates, notes, promotions, flags, the review queue and
the moderators' log.

Items (keys in :mod:`functions.store.dynamodb.layout`'s style; this module owns them):

- a flag: the post's partition, ``<kind>#<post>`` / ``flag#<member>``, put with
  ``attribute_not_exists`` (one flag per member and post); ``status`` open, upheld or
  rejected. A post's flags are one query of its partition (``begins_with flag#``).
- a post waiting for review: ``review#<kind>#<post>`` / ``review``, with ``why``, ``since``
  and ``flag_weight``; the queue, oldest first, is GSI1 partition ``review`` by
  ``<since>#<post, padded>#<kind>``. The total weight moves by compare-and-set (the weight
  read is a condition of the write), so concurrent flags each see their own total.
- a promotion: the question's partition, ``question#<question>`` / ``promotion#<answer>``
  (so every promotion of a question's answers is one query of that partition), with the
  page's text and the answer's HTML as promoted; its ``promoted_at`` guards taking it away
  against a promotion made meanwhile. The question item carries ``promoted_answer_id`` and
  ``promoted_lang``; an answer item ``note``, a map (text, moderator_id, moderator_name,
  at) that posts.py reads into the answer.
- the moderators' log is the events' GSI1 (all), GSI2 (by moderator) and GSI3 (by post)
  keys written by :meth:`Base.event`; a kind is a filter, and, as in SQLite, only actors
  who are moderators or admins now count (their roles are read in one batch a page).

Lists hand out the key of their last item as the cursor, so a page that ends the list says
so (no cursor), as SQLite's do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.roles import STAFF_ROLES
from functions.store.contract import (
    MODERATION_KINDS,
    Conflict,
    Event,
    Flag,
    Page,
    PostKind,
    Promotion,
    ReviewItem,
)
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import (
    EXISTS,
    NEW,
    Base,
    ConditionFailed,
    Item,
    decode_cursor,
    delete,
    encode_cursor,
    put,
    update,
)
from functions.store.dynamodb.events import event_from

RETRIES = 20  # compare-and-set rounds before a change gives up on a busy item
FLAGS_PER_WRITE = 48  # flags resolved in one transaction (two writes each)
REVIEW_QUEUE = "review"
LOG_PAGE = 50  # events read a query while looking for moderators' ones


def review_key(kind: str, post_id: int) -> dict[str, str]:
    return {"PK": f"review#{kind}#{post_id}", "SK": "review"}


def flag_key(kind: str, post_id: int, flagger_id: int) -> dict[str, str]:
    return {"PK": f"{kind}#{post_id}", "SK": f"flag#{flagger_id}"}


def promotion_key(question_id: int, answer_id: int) -> dict[str, str]:
    return {"PK": f"question#{question_id}", "SK": f"promotion#{answer_id}"}


class Moderation(Base):
    # Questions and answers

    def set_locked(
        self, question_id: int, locked: bool, now: str, *, actor_id: int, reason: str | None
    ) -> None:
        self._moderate_question(
            question_id,
            "SET locked = :locked",
            {":locked": locked},
            "locked" if locked else "unlocked",
            now,
            actor_id,
            {"reason": reason} if reason else {},
        )

    def mark_duplicate(
        self,
        question_id: int,
        original_id: int | None,
        now: str,
        *,
        actor_id: int,
        reason: str | None,
    ) -> None:
        if original_id is None:
            expression, params = "REMOVE duplicate_of", None
        else:
            expression, params = "SET duplicate_of = :of", {":of": original_id}
        data = {"of": original_id, **({"reason": reason} if reason else {})}
        self._moderate_question(
            question_id, expression, params, "marked_duplicate", now, actor_id, data
        )

    def _moderate_question(
        self,
        question_id: int,
        expression: str,
        params: dict[str, Any] | None,
        event: str,
        now: str,
        actor_id: int,
        data: dict[str, Any],
    ) -> None:
        """One change to a question's own moderation attributes, and its event (the author
        never changes, so reading it first races with nothing)."""
        question = self._post("question", question_id)
        _, written = self.event(
            event,
            "question",
            question_id,
            question_id,
            now,
            actor=actor_id,
            affected=question["author_id"],
            **data,
        )
        self.transact(
            [
                update(layout.post_key("question", question_id), expression, EXISTS, None, params),
                written,
            ]
        )

    def set_note(self, answer_id: int, text: str | None, now: str, *, actor_id: int) -> None:
        answer = self._post("answer", answer_id)
        if text is None:
            change = update(layout.post_key("answer", answer_id), "REMOVE note", EXISTS)
        else:
            moderator = self.table.get(layout.user_key(actor_id))
            note = {
                "text": text,
                "moderator_id": actor_id,
                "moderator_name": moderator["username"] if moderator else "",
                "at": now,
            }
            change = update(
                layout.post_key("answer", answer_id),
                "SET note = :note",
                EXISTS,
                params={":note": note},
            )
        _, noted = self.event(
            "noted",
            "answer",
            answer_id,
            answer["question_id"],
            now,
            actor=actor_id,
            affected=answer["author_id"],
            text=text,
        )
        self.transact([change, noted])

    # Promotion into the knowledge base

    def promote(
        self,
        answer_id: int,
        lang: str,
        title: str,
        summary: str,
        tags: Sequence[str],
        now: str,
        *,
        actor_id: int,
    ) -> None:
        def attempt() -> list:
            answer = self._post("answer", answer_id)
            question_id = answer["question_id"]
            key = promotion_key(question_id, answer_id)
            before = self.table.get(key)
            if before is None:
                guard: tuple[str, dict | None] = (NEW, None)
            else:
                guard = ("promoted_at = :before", {":before": before["promoted_at"]})
            promotion = {
                **key,
                "answer_id": answer_id,
                "question_id": question_id,
                "lang": lang,
                "title": title,
                "summary": summary,
                "tags": list(tags),
                "promoted_by": actor_id,
                "promoted_at": now,
                "body_html": answer["body_html"],
            }
            moved = {"previous_lang": before["lang"]} if before and before["lang"] != lang else {}
            _, promoted = self.event(
                "promoted",
                "answer",
                answer_id,
                question_id,
                now,
                actor=actor_id,
                affected=answer["author_id"],
                lang=lang,
                title=title,
                **moved,
            )
            return [
                put(promotion, guard[0], params=guard[1]),
                update(
                    layout.post_key("question", question_id),
                    "SET promoted_answer_id = :answer, promoted_lang = :lang",
                    EXISTS,
                    params={":answer": answer_id, ":lang": lang},
                ),
                promoted,
            ]

        self._until_written(attempt)

    def unpromote(self, answer_id: int, now: str, *, actor_id: int, reason: str | None) -> bool:
        return self._until_written(lambda: self.unpromote_writes(answer_id, now, actor_id, reason))

    def unpromote_writes(
        self, answer_id: int, now: str, actor_id: int | None, reason: str | None
    ) -> list:
        """The writes that take an answer's promotion away: the promotion, the question's
        pointer to it (when it points there) and the ``unpromoted`` event; [] when the
        answer is not promoted. Each write is conditioned on what was read, so a caller
        whose transaction fails reads again (calls this again) and retries. The question's
        write is an update, to merge with the caller's own update of that question (posts'
        ``merge_writes``)."""
        answer = self.table.get(layout.post_key("answer", answer_id))
        if answer is None:
            return []
        question_id = answer["question_id"]
        promotion = self.table.get(promotion_key(question_id, answer_id))
        if promotion is None:
            return []
        writes = [
            delete(
                promotion_key(question_id, answer_id),
                "promoted_at = :promoted_at",
                params={":promoted_at": promotion["promoted_at"]},
            )
        ]
        question = self.table.get(layout.post_key("question", question_id))
        if question is not None and question.get("promoted_answer_id") == answer_id:
            writes.append(
                update(
                    layout.post_key("question", question_id),
                    "REMOVE promoted_answer_id, promoted_lang",
                    "promoted_answer_id = :unpromoted",
                    params={":unpromoted": answer_id},
                )
            )
        _, unpromoted = self.event(
            "unpromoted",
            "answer",
            answer_id,
            question_id,
            now,
            actor=actor_id,
            affected=answer["author_id"],
            lang=promotion["lang"],
            **({"reason": reason} if reason else {}),
        )
        return [*writes, unpromoted]

    def promoted_answers(self, question_id: int) -> list[int]:
        """The question's answers that are knowledge-base pages (hiding or deleting the
        question takes each away: :meth:`unpromote_writes`)."""
        return [
            item["answer_id"]
            for item in self.table.query_all(
                "PK = :pk AND begins_with(SK, :promotion)",
                {":pk": f"question#{question_id}", ":promotion": "promotion#"},
                consistent=True,
            )
        ]

    def promotion(self, answer_id: int) -> Promotion | None:
        answer = self.table.get(layout.post_key("answer", answer_id))
        if answer is None:
            return None
        found = self.table.get(promotion_key(answer["question_id"], answer_id))
        if found is None:
            return None
        moderator = self.table.get(layout.user_key(found["promoted_by"]))
        return Promotion(
            found["answer_id"],
            found["question_id"],
            found["lang"],
            found["title"],
            found["summary"],
            tuple(found.get("tags") or ()),
            moderator["username"] if moderator else "",
            found["promoted_at"],
            found["body_html"],
        )

    # Flags and the review queue

    def add_flag(
        self,
        kind: PostKind,
        post_id: int,
        flagger_id: int,
        reason: str,
        note: str | None,
        weight: float,
        now: str,
    ) -> float:
        post = self._post(kind, post_id)
        question_id = _question_of(kind, post)
        flag = put(
            {
                **flag_key(kind, post_id, flagger_id),
                "id": self.new_id(),
                "post_kind": kind,
                "post_id": post_id,
                "question_id": question_id,
                "flagger_id": flagger_id,
                "reason": reason,
                "note": note,
                "weight": weight,
                "status": "open",
                "created_at": now,
            },
            NEW,
        )
        for _ in range(RETRIES):
            queued = self.table.get(review_key(kind, post_id))
            if queued is None:
                total = weight
                queue = _queue_put(kind, post_id, question_id, "flagged", now, weight)
            else:
                total = _weight(queued) + weight
                queue = update(
                    review_key(kind, post_id),
                    "SET flag_weight = :total",
                    "flag_weight = :was",
                    params={":total": total, ":was": queued.get("flag_weight", 0)},
                )
            _, flagged = self.event(
                "flagged",
                kind,
                post_id,
                question_id,
                now,
                actor=flagger_id,
                affected=post["author_id"],
                reason=reason,
                weight=weight,
            )
            try:
                self.transact([flag, queue, flagged])
            except ConditionFailed as failed:
                if 0 in failed.failed:
                    raise Conflict("flag") from None
                continue  # another flag moved the queue's weight: read it again
            return total
        raise RuntimeError(f"the review queue's {kind} {post_id} kept changing")

    def flags_on(self, kind: PostKind, post_id: int) -> list[Flag]:
        found = sorted(self._flags(kind, post_id), key=lambda item: item["id"])
        names = self._usernames(item["flagger_id"] for item in found)
        return [
            Flag(
                item["id"],
                item["post_kind"],
                item["post_id"],
                item["flagger_id"],
                names.get(item["flagger_id"], ""),
                item["reason"],
                item.get("note"),
                float(item["weight"]),
                item["status"],
                item["created_at"],
            )
            for item in found
        ]

    def hold_for_review(self, kind: PostKind, post_id: int, now: str) -> None:
        def attempt() -> list:
            post = self._post(kind, post_id)
            writes = self.visibility_writes(  # type: ignore[attr-defined]
                kind, post, "hidden", True, "hidden", now, None, "waiting for review"
            )
            if self.table.get(review_key(kind, post_id)) is None:
                writes = [*writes, *self.hold_writes(kind, post_id, _question_of(kind, post), now)]
            return writes

        self._until_written(attempt)

    def hold_writes(self, kind: PostKind, post_id: int, question_id: int, now: str) -> list:
        """The write that queues a post held back for review (a new member's post with
        links); it fails, as a condition, if the post waits already."""
        return [_queue_put(kind, post_id, question_id, "waiting", now, 0)]

    def review_queue(self, cursor: str | None = None, limit: int = 20) -> Page[ReviewItem]:
        page, more = self._collect(
            "GSI1",
            REVIEW_QUEUE,
            decode_cursor(cursor, {"GSI1PK": REVIEW_QUEUE}),
            limit,
            forward=True,
        )
        return Page(
            [
                ReviewItem(
                    item["post_kind"],
                    item["post_id"],
                    item["question_id"],
                    item["why"],
                    item["since"],
                    _weight(item),
                )
                for item in page
            ],
            _cursor_of(page[-1], "GSI1") if more else None,
        )

    def resolve_review(
        self,
        kind: PostKind,
        post_id: int,
        upheld: bool,
        actor_id: int,
        now: str,
        reason: str | None = None,
    ) -> bool:
        status = "upheld" if upheld else "rejected"
        record = "flags_upheld" if upheld else "flags_rejected"
        for _ in range(RETRIES):
            queued = self.table.get(review_key(kind, post_id))
            if queued is None:
                return False
            open_flags = [item for item in self._flags(kind, post_id) if item["status"] == "open"]
            # Flags beyond one transaction's share go first, each only while still open: a
            # review cut short is finished by the next, as its post still waits.
            while len(open_flags) > FLAGS_PER_WRITE:
                batch, open_flags = open_flags[:FLAGS_PER_WRITE], open_flags[FLAGS_PER_WRITE:]
                try:
                    self.transact(_resolve_flags(batch, status, record))
                except ConditionFailed:
                    break  # resolved meanwhile: read again
            else:
                post = self._post(kind, post_id)
                _, reviewed = self.event(
                    "reviewed",
                    kind,
                    post_id,
                    _question_of(kind, post),
                    now,
                    actor=actor_id,
                    affected=post["author_id"],
                    upheld=upheld,
                    **({"reason": reason} if reason else {}),
                )
                taken_off = delete(
                    review_key(kind, post_id),
                    "flag_weight = :weight",
                    params={":weight": queued.get("flag_weight", 0)},
                )
                try:
                    self.transact(
                        [taken_off, reviewed, *_resolve_flags(open_flags, status, record)]
                    )
                except ConditionFailed:
                    continue  # a flag came in, or another moderator resolved it
                return True
        raise RuntimeError(f"the review of {kind} {post_id} kept changing")

    # The moderators' log

    def moderation_log(
        self,
        *,
        actor_id: int | None = None,
        post: tuple[PostKind, int] | None = None,
        kind: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Event]:
        filters: list[str] = []
        params: dict[str, Any] = {}
        if post is not None:
            index, partition = "GSI3", f"modlog#{post[0]}#{post[1]}"
            if actor_id is not None:
                filters.append("actor_id = :actor")
                params[":actor"] = actor_id
        elif actor_id is not None:
            index, partition = "GSI2", f"modlog#actor#{actor_id}"
        else:
            index, partition = "GSI1", "modlog"
        if kind is not None:
            if kind not in MODERATION_KINDS:
                return Page([], None)
            filters.append("kind = :kind")
            params[":kind"] = kind
        hash_key, _ = layout.INDEXES[index]
        staff: dict[int, bool] = {}

        def by_staff(items: list[Item]) -> list[Item]:
            self._learn_staff(staff, items)
            return [item for item in items if staff.get(item.get("actor_id"))]

        page, more = self._collect(
            index,
            partition,
            decode_cursor(cursor, {hash_key: partition}),
            limit,
            forward=False,
            filters=(" AND ".join(filters) or None, params),
            keep=by_staff,
            page_size=max(LOG_PAGE, limit + 1),
        )
        return Page(
            [event_from(item) for item in page], _cursor_of(page[-1], index) if more else None
        )

    def _learn_staff(self, staff: dict[int, bool], items: list[Item]) -> None:
        """Whether each actor of these events is a moderator or admin now (as SQLite asks
        of the members' table), read in one batch for those not known yet."""
        unknown = {item["actor_id"] for item in items if item.get("actor_id") is not None}
        unknown -= staff.keys()
        if not unknown:
            return
        for user_id in unknown:
            staff[user_id] = False
        for user in self.table.get_many(layout.user_key(user_id) for user_id in unknown):
            staff[user["id"]] = user.get("role") in STAFF_ROLES

    # Reads and retries

    def _post(self, kind: str, post_id: int) -> Item:
        found = self.table.get(layout.post_key(kind, post_id))
        if found is None:
            raise LookupError(f"no {kind} {post_id}")
        return found

    def _collect(
        self,
        index: str,
        partition: str,
        start: Item | None,
        limit: int,
        *,
        forward: bool,
        filters: tuple[str | None, dict[str, Any]] = (None, {}),
        keep: Callable[[list[Item]], list[Item]] = list,
        page_size: int | None = None,
    ) -> tuple[list[Item], bool]:
        """Up to ``limit`` items of an index's partition from ``start`` (those ``keep``
        keeps), and whether more follow: one more is looked for, so a page that ends the
        list has no cursor."""
        hash_key, _ = layout.INDEXES[index]
        condition, params = filters
        found: list[Item] = []
        while len(found) <= limit:
            items, start = self.table.query(
                f"{hash_key} = :partition",
                {":partition": partition, **params},
                index=index,
                forward=forward,
                limit=page_size or limit + 1,
                start=start,
                filter=condition,
            )
            found += keep(items)
            if start is None:
                break
        return found[:limit], len(found) > limit and limit > 0

    def _flags(self, kind: str, post_id: int) -> list[Item]:
        return list(
            self.table.query_all(
                "PK = :pk AND begins_with(SK, :flag)",
                {":pk": f"{kind}#{post_id}", ":flag": "flag#"},
                consistent=True,
            )
        )

    def _usernames(self, user_ids: Any) -> dict[int, str]:
        found = self.table.get_many(layout.user_key(user_id) for user_id in set(user_ids))
        return {user["id"]: user["username"] for user in found}

    def _until_written(self, attempt: Callable[[], list]) -> bool:
        """Build writes from what is read now and write them; read again when a condition
        failed (something changed in between). False when there was nothing to write."""
        for _ in range(RETRIES):
            writes = attempt()
            if not writes:
                return False
            try:
                self.transact(writes)
            except ConditionFailed:
                continue
            return True
        raise RuntimeError("the items kept changing while this change was written")


def _question_of(kind: str, post: Item) -> int:
    return post["id"] if kind == "question" else post["question_id"]


def _weight(item: Item) -> float:
    return float(item.get("flag_weight") or 0)


def _queue_put(
    kind: str, post_id: int, question_id: int, why: str, now: str, weight: float
) -> dict[str, Any]:
    return put(
        {
            **review_key(kind, post_id),
            "post_kind": kind,
            "post_id": post_id,
            "question_id": question_id,
            "why": why,
            "since": now,
            "flag_weight": weight,
            "GSI1PK": REVIEW_QUEUE,
            "GSI1SK": f"{now}#{layout.pad(post_id)}#{kind}",
        },
        NEW,
    )


def _resolve_flags(flags: list[Item], status: str, record: str) -> list[dict[str, Any]]:
    """Each open flag upheld or rejected (only if still open), and its flagger's record."""
    writes: list[dict[str, Any]] = []
    for item in flags:
        writes.append(
            update(
                {"PK": item["PK"], "SK": item["SK"]},
                "SET #status = :status",
                "#status = :open",
                {"#status": "status"},
                {":status": status, ":open": "open"},
            )
        )
        writes.append(
            update(layout.user_key(item["flagger_id"]), f"ADD {record} :one", params={":one": 1})
        )
    return writes


def _cursor_of(item: Item, index: str) -> str | None:
    """A cursor after ``item`` in an index: the key a query would have stopped at."""
    hash_key, range_key = layout.INDEXES[index]
    return encode_cursor(
        {"PK": item["PK"], "SK": item["SK"], hash_key: item[hash_key], range_key: item[range_key]}
    )
