"""Feedback on pages, sign-ins and missed searches, and the health figures' counters, in
DynamoDB.

Items (health.py's prefixes, see ``layout.py``):

- a visitor's vote on a page: ``feedback#<lang>#<page>`` / ``visitor#<visitor>``, replaced
  in place (a ``version`` number makes the replacement a compare-and-set); with a comment it
  is also in GSI1 partition ``feedback-comments#<lang>#<page>`` by ``<at>#<id>``, so a page's
  newest comments are one Query. Its id is held by ``feedback-vote#<id>`` / ``claim``.
- a counter: ``metric#<name>#<lang>`` / ``<period>#<key>``, its ``value`` moved by ``ADD``;
  a key too long for a sort key is kept as ``<period>#~<sha256 of it>`` with the key in
  ``key``. A range of periods is one Query (``SK BETWEEN``) per language.
- a question's clock: ``clock#<question id>`` / ``clock``.
- a member counted active in a month: ``active#<month>`` / ``user#<id>``.
- a metrics batch too big for one transaction: ``batch#<consumer>#<after>`` / ``plan`` and
  ``chunk#<plan>#<n>`` (a week's TTL; see :meth:`Health.apply_metrics`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from functions.store.contract import Feedback, MetricUpdate, Question, QuestionClock
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import (
    NEW,
    Base,
    ConditionFailed,
    Item,
    chunks,
    delete,
    put,
    update,
)
from functions.store.dynamodb.posts import question_from

CHUNK = 98  # a transaction's writes of a batch, besides its marker and the cursor's move
BATCH_TTL = 7 * 86_400  # how long a batch's plan is kept, in seconds
SEPARATOR = "#"  # between a counter's period and key: below every character of a period
MAX_SORT_KEY = 1024  # bytes of UTF-8
LAST = "\U0010ffff"  # above every character a sort key holds after a given prefix


class Health(Base):
    # Feedback on pages

    def give_feedback(
        self,
        visitor: str,
        lang: str,
        page: str,
        helpful: bool,
        reason: str | None,
        comment: str | None,
        user_id: int | None,
        now: str,
    ) -> bool:
        key = _vote_key(lang, page, visitor)
        while True:  # again when another vote of this visitor on this page came between
            before = self.table.get(key)
            if before is not None and _said(before) == (helpful, reason, comment):
                return False
            values = {
                **key,
                "lang": lang,
                "page": page,
                "visitor": visitor,
                "helpful": helpful,
                "reason": reason,
                "comment": comment,
                "user_id": user_id,
                "at": now,
            }
            try:
                if before is None:
                    self._first_vote(values)
                else:
                    self._replace_vote(before, values)
            except ConditionFailed:
                continue
            return True

    def _first_vote(self, values: dict[str, Any]) -> None:
        """A visitor's first vote on a page, under a new id (its claim written first)."""

        def build(vote_id: int) -> list[dict[str, Any]]:
            vote = {**values, "id": vote_id, "version": 1, **_comment_keys(values, vote_id)}
            return [
                put({"PK": f"feedback-vote#{vote_id}", "SK": "claim"}, NEW),
                put(vote, NEW),
                self._feedback_event(vote, None),
            ]

        self.transact_new(build)

    def _replace_vote(self, before: Item, values: dict[str, Any]) -> None:
        """A later vote in the earlier one's place (and id), if it is still the one read."""
        vote_id = before["id"]
        vote = {
            **values,
            "id": vote_id,
            "version": before["version"] + 1,
            **_comment_keys(values, vote_id),
        }
        previous = {
            "helpful": before["helpful"],
            "reason": before.get("reason"),
            "comment": before.get("comment"),
            "at": before["at"],
        }
        replaced = put(
            vote, "#version = :was", {"#version": "version"}, {":was": before["version"]}
        )
        self.transact([replaced, self._feedback_event(vote, previous)])

    def _feedback_event(self, vote: Mapping[str, Any], previous: dict | None) -> dict[str, Any]:
        _, event = self.event(
            "feedback",
            "page",
            vote["id"],
            None,
            vote["at"],
            actor=vote["user_id"],
            lang=vote["lang"],
            page=vote["page"],
            helpful=vote["helpful"],
            reason=vote["reason"],
            comment=vote["comment"],
            previous=previous,
        )
        return event

    def feedback_of(self, visitor: str, lang: str, page: str) -> Feedback | None:
        found = self.table.get(_vote_key(lang, page, visitor))
        return _feedback(found) if found else None

    def feedback_comments(
        self, lang: str, page: str, since: str = "", limit: int = 3
    ) -> list[Feedback]:
        # "<at>#<id>" >= since exactly when at >= since: "#" is below every character of a time.
        condition, params = "GSI1PK = :page", {":page": _comments_partition(lang, page)}
        if since:  # (a key condition's value cannot be empty)
            condition, params = f"{condition} AND GSI1SK >= :since", {**params, ":since": since}
        found, _ = self.table.query(
            condition,
            params,
            index="GSI1",
            forward=False,
            limit=limit,
        )
        return [_feedback(vote) for vote in found]

    # Events with nothing else to write

    def record_sign_in(self, user_id: int, now: str) -> None:
        _, signed_in = self.event("signed_in", "user", user_id, None, now, actor=user_id)
        self.transact([signed_in])

    def record_search_missed(self, lang: str, query: str, now: str) -> None:
        _, missed = self.event(
            "search_missed", "search", 0, None, now, actor=None, lang=lang, query=query
        )
        self.transact([missed])

    # What the metrics consumer knows before a batch (consistent reads: it counts from them)

    def question_clocks(self, question_ids: Sequence[int]) -> dict[int, QuestionClock]:
        found = self.table.get_many(_clock_key(question_id) for question_id in question_ids)
        return {clock.question_id: clock for clock in map(_clock, found)}

    def seen_active(self, pairs: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        found = self.table.get_many(_active_key(month, user_id) for month, user_id in pairs)
        return {(each["month"], each["user_id"]) for each in found}

    def question_topics(
        self, question_ids: Sequence[int]
    ) -> dict[int, tuple[str, tuple[str, ...]]]:
        found = self.table.get_many(layout.post_key("question", qid) for qid in question_ids)
        return {each["id"]: (each["title"], tuple(each.get("tags") or ())) for each in found}

    # A batch's counts

    def apply_metrics(
        self, update: MetricUpdate, consumer: str, after: str | None, cursor: str | None
    ) -> bool:
        """The batch's writes, with the cursor's move, in one transaction when they fit (as
        in SQLite). A bigger batch becomes a plan: its chunks are stored first, then claimed
        by the batch's ``plan`` item (put only if absent), and applied one transaction each,
        every chunk's item marked applied in its transaction, the cursor moved in the last.
        A runner that dies midway, or a second runner on the same batch, finds the plan and
        applies what is left of that same plan, however its own counting of the batch came
        out (its batch may hold more events by now, and what it knew may have moved on)."""
        if self.consumer_cursor(consumer) != after:
            return False  # another runner counted this batch first: count nothing
        writes = _metric_writes(update)
        header = _batch_key(consumer, after, "plan")
        expires_at = int(time.time()) + BATCH_TTL
        if len(writes) <= CHUNK:
            plan = {**header, "plan": self.new_id(), "chunks": 0, "cursor": cursor}
            plan["expires_at"] = expires_at
            try:
                self.transact([*writes, put(plan, NEW), self.cursor_move(consumer, after, cursor)])
            except ConditionFailed as failed:
                if len(writes) + 1 in failed.failed:
                    return False  # the cursor moved on meanwhile
                return self._resume(consumer, after, cursor, update)
            return True
        plan_id = self.new_id()
        pieces = chunks(writes, CHUNK)
        self.table.write_many(
            put(
                {
                    **_batch_key(consumer, after, _chunk_sort_key(plan_id, number)),
                    "writes": json.dumps(piece, ensure_ascii=False, separators=(",", ":")),
                    "expires_at": expires_at,
                }
            )
            for number, piece in enumerate(pieces)
        )
        plan = {**header, "plan": plan_id, "chunks": len(pieces), "cursor": cursor}
        plan["expires_at"] = expires_at
        with contextlib.suppress(ConditionFailed):  # else another runner's plan came first,
            self.table.put(plan, NEW)  # and this runner helps to finish that one
        return self._resume(consumer, after, cursor, update)

    def _resume(
        self, consumer: str, after: str | None, cursor: str | None, update: MetricUpdate
    ) -> bool:
        """Apply what is left of the batch's plan; True if this runner finished it."""
        header = self.table.get(_batch_key(consumer, after, "plan"))
        if header is None:  # the plan expired or was dropped: count the batch afresh
            return self.apply_metrics(update, consumer, after, cursor)
        finished = False
        if header["chunks"]:
            finished = self._apply_chunks(consumer, after, header)
        if not finished and self.consumer_cursor(consumer) == after:
            # The plan was applied (the cursor moved with it) and the cursor was set back
            # since: that old plan is done with; count the batch again.
            stale = {"PK": header["PK"], "SK": header["SK"]}
            self.table.write(
                delete(stale, "#plan = :plan", {"#plan": "plan"}, {":plan": header["plan"]})
            )
            return self.apply_metrics(update, consumer, after, cursor)
        return finished

    def _apply_chunks(self, consumer: str, after: str | None, header: Item) -> bool:
        pieces = sorted(
            self.table.query_all(
                "PK = :pk AND begins_with(SK, :plan)",
                {
                    ":pk": _batch_key(consumer, after, "")["PK"],
                    ":plan": _chunk_sort_key(header["plan"], None),
                },
                consistent=True,
            ),
            key=lambda piece: piece["SK"],
        )
        if len(pieces) != header["chunks"]:
            raise RuntimeError(f"batch plan {header['plan']} of {consumer} lost chunks")
        for number, piece in enumerate(pieces):
            if piece.get("applied"):
                continue
            mark = update(
                {"PK": piece["PK"], "SK": piece["SK"]},
                "SET applied = :yes",
                "attribute_not_exists(applied)",
                params={":yes": True},
            )
            last = number == len(pieces) - 1
            writes = [*json.loads(piece["writes"]), mark]
            if last:
                writes.append(self.cursor_move(consumer, after, header.get("cursor")))
            try:
                self.transact(writes)
            except ConditionFailed:
                continue  # another runner applied it (or, the last, moved the cursor)
            if last:
                return True
        return False

    # The health figures

    def metric_rows(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]]
    ) -> list[tuple[str, str, int]]:
        rows = list(self._counters(name, langs, periods))
        if len(langs) == 1:  # nothing to add up: the rows as the table holds them
            return rows
        # SQLite's GROUP BY (period, key), done here over every language's rows.
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for period, key, value in rows:
            totals[period, key] += value
        return [(period, key, value) for (period, key), value in sorted(totals.items())]

    def metric_top(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]], limit: int
    ) -> list[tuple[str, int]]:
        totals = _by_key(self._counters(name, langs, periods))
        top = sorted(
            ((key, total) for key, total in totals.items() if total > 0),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return top[:limit]

    def metric_keys(
        self,
        name: str,
        langs: Sequence[str],
        periods: Sequence[tuple[str, str]],
        keys: Sequence[str],
    ) -> dict[str, int]:
        if not keys:
            return {}
        wanted = set(keys)
        totals = _by_key(row for row in self._counters(name, langs, periods) if row[1] in wanted)
        return dict(totals)

    def _counters(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]]
    ) -> Iterable[tuple[str, str, int]]:
        """(period, key, value) of the counters of ``name`` in ``langs`` and ``periods``: one
        Query per language and period range, as SQLite reads one index range each."""
        for lang in langs:
            for first, last in periods:
                if first > last:
                    continue  # an empty range (DynamoDB's BETWEEN refuses it)
                # period BETWEEN first AND last, exactly: the separator is below every
                # character of a period, and every key sorts below LAST.
                for counter in self.table.query_all(
                    "PK = :pk AND SK BETWEEN :first AND :last",
                    {
                        ":pk": _metric_partition(name, lang),
                        ":first": first + SEPARATOR,
                        ":last": last + SEPARATOR + LAST,
                    },
                ):
                    period, _, key = counter["SK"].partition(SEPARATOR)
                    yield period, counter.get("key", key), counter["value"]

    def unanswered(
        self, asked_before: str, lang: str | None, limit: int
    ) -> tuple[int, list[Question]]:
        # The list holds only the questions still waiting (visible, no visible answer), by
        # the time they were asked: a count and the newest, each from one end of it.
        condition = "GSI1PK = :list AND GSI1SK <= :before"
        params = {
            ":list": layout.list_partition("unanswered", f"lang:{lang}" if lang else "all"),
            ":before": asked_before + LAST,  # asked at asked_before too, whatever follows
        }
        count = self.table.count(condition, params, index="GSI1")
        entries, _ = (
            self.table.query(condition, params, index="GSI1", forward=False, limit=limit)
            if limit > 0
            else ([], None)
        )
        found = self.table.get_many(
            layout.post_key("question", entry["question_id"]) for entry in entries
        )
        # Read consistently: a question answered or hidden a moment ago is left out.
        questions = [
            question_from(each)
            for each in found
            if not (each.get("hidden") or each.get("deleted") or each.get("answer_count"))
        ]
        questions.sort(key=lambda question: (question.created_at, question.id), reverse=True)
        return count, questions[:limit]


# Feedback


def _vote_key(lang: str, page: str, visitor: str) -> dict[str, str]:
    return {"PK": f"feedback#{lang}#{page}", "SK": f"visitor#{visitor}"}


def _comments_partition(lang: str, page: str) -> str:
    return f"feedback-comments#{lang}#{page}"


def _comment_keys(vote: Mapping[str, Any], vote_id: int) -> dict[str, str]:
    """A vote's place among its page's comments, if it has one (none: off the index)."""
    if vote["comment"] is None:
        return {}
    return {
        "GSI1PK": _comments_partition(vote["lang"], vote["page"]),
        "GSI1SK": f"{vote['at']}#{layout.pad(vote_id)}",
    }


def _said(vote: Item) -> tuple[bool, str | None, str | None]:
    return vote["helpful"], vote.get("reason"), vote.get("comment")


def _feedback(vote: Item) -> Feedback:
    return Feedback(
        vote["lang"],
        vote["page"],
        vote["helpful"],
        vote.get("reason"),
        vote.get("comment"),
        vote["at"],
    )


# Counters, clocks and active members


def _metric_partition(name: str, lang: str) -> str:
    return f"metric#{name}#{lang}"


def _counter_key(name: str, lang: str, period: str, key: str) -> dict[str, str]:
    sort_key = f"{period}{SEPARATOR}{key}"
    if len(sort_key.encode()) > MAX_SORT_KEY:
        sort_key = f"{period}{SEPARATOR}~{hashlib.sha256(key.encode()).hexdigest()}"
    return {"PK": _metric_partition(name, lang), "SK": sort_key}


def _clock_key(question_id: int) -> dict[str, str]:
    return {"PK": f"clock#{question_id}", "SK": "clock"}


def _active_key(month: str, user_id: int) -> dict[str, str]:
    return {"PK": f"active#{month}", "SK": f"user#{user_id}"}


def _clock(found: Item) -> QuestionClock:
    return QuestionClock(
        found["question_id"],
        found["lang"],
        found["asked_at"],
        found.get("answered_at"),
        found["held"],
        found["deleted"],
    )


def _metric_writes(batch: MetricUpdate) -> list[dict[str, Any]]:
    """A batch's writes, one per item in a fixed order: every count of one counter added up
    into one ``ADD`` (a counter left unchanged is not written), then clocks, then members
    seen active."""
    totals: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for count in batch.counts:
        totals[count.name, count.lang, count.period, count.key] += count.delta
    writes = []
    for (name, lang, period, key), delta in sorted(totals.items()):
        if not delta:
            continue
        counter = _counter_key(name, lang, period, key)
        if counter["SK"] == f"{period}{SEPARATOR}{key}":
            writes.append(_update_counter(counter, delta))
        else:  # the key too long for the sort key: kept beside it
            writes.append(_update_counter(counter, delta, key))
    for clock in sorted(batch.clocks, key=lambda clock: clock.question_id):
        writes.append(
            put(
                {
                    **_clock_key(clock.question_id),
                    "question_id": clock.question_id,
                    "lang": clock.lang,
                    "asked_at": clock.asked_at,
                    "answered_at": clock.answered_at,
                    "held": clock.held,
                    "deleted": clock.deleted,
                }
            )
        )
    for month, user_id in sorted(batch.active):
        writes.append(put({**_active_key(month, user_id), "month": month, "user_id": user_id}))
    return writes


def _update_counter(key: Mapping[str, str], delta: int, long_key: str | None = None) -> dict:
    if long_key is None:
        return update(key, "ADD #value :delta", None, {"#value": "value"}, {":delta": delta})
    return update(
        key,
        "ADD #value :delta SET #key = :key",
        None,
        {"#value": "value", "#key": "key"},
        {":delta": delta, ":key": long_key},
    )


def _by_key(rows: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for _, key, value in rows:
        totals[key] += value
    return totals


# Batches


def _batch_key(consumer: str, after: str | None, sort_key: str) -> dict[str, str]:
    return {"PK": f"batch#{consumer}#{after or ''}", "SK": sort_key}


def _chunk_sort_key(plan_id: int, number: int | None) -> str:
    """A chunk's sort key; with no number, the prefix of every chunk of the plan."""
    prefix = f"chunk#{layout.pad(plan_id)}#"
    return prefix if number is None else prefix + layout.pad(number)
