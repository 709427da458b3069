"""Engagement in DynamoDB: the ledger, members' numbers, badges and quests, leaderboards and
rewards (README.md, "Engagement in DynamoDB").

Items (their keys are made in this module only):

- a ledger entry: ``user#<id>`` / ``ledger#<seq>``, ``seq`` from the ledger's counter
  (``counter#ledger`` / ``counter``), so a member's ledger reads newest first from one
  partition; GSI1 ``ledger-key#<key>`` and GSI2 ``ledger-post#<post>`` find the entries
  under a key and on a post (:meth:`Engagement.booked`).
- an entry's claim: ``entries#<bucket of the event id>`` / ``<event id>#<member>#<key>``,
  put with ``attribute_not_exists`` beside the entry, so an event books a key for a member
  once; ids grow with time, so a batch's events read their claims in a range or two.
- a member's numbers in one period: ``user#<id>`` / ``numbers#<period>``, an attribute
  ``n:<name>`` per number moved with ``ADD``: what a batch needs is one item per (member,
  period), read in one batch get whatever the names.
- a member's points on a leaderboard: ``user#<id>`` / ``stat#<name>#<period>`` (the names
  ``points`` and ``points:<tag>``): ``value``, and the Leaderboard index's ``BoardPK``
  (``<name>#<period>``) and ``BoardPoints``, the value with the member's rank among equals
  below it (``value * 10**16 + 10**16 - 1 - member``), so the top N is one Query, ties by
  member id as SQLite orders them.
- a badge tier or a quest reached: ``user#<id>`` / ``award#<kind>#<name>#<tier>#<period>``,
  put with ``attribute_not_exists`` (once), with an ``awarded`` event.
- a redemption: ``redemption#<id>`` / ``redemption``; GSI1 ``redemptions#user#<id>`` and
  GSI2 ``redemptions#<status>``, both by id (newest first).
- a reward's stock taken: ``stock`` / ``reward#<reward>`` (``taken``), all in one partition
  so :meth:`Engagement.redeemed` is one Query.
- a batch of the awards consumer that needs more than one transaction:
  ``batch#<consumer>#<after>`` / ``plan`` (its plan: the update, kept in parts
  ``plan#<plan>#<n>``) and ``chunk#<plan>#<n>`` (a transaction of it applied), all expiring.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core.aws.dynamodb import TooBusy
from functions.store.contract import (
    Award,
    AwardUpdate,
    BadCursor,
    Booked,
    Booking,
    Earned,
    Leader,
    LedgerEntry,
    NotEnoughPoints,
    OutOfStock,
    Page,
    Redemption,
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

LEDGER_COUNTER = {"PK": "counter#ledger", "SK": "counter"}
CLAIM_BUCKET_BITS = 34  # event ids per claims partition: 2**22 ms (70 minutes) of them
RANK = 10**16  # BoardPoints = value * RANK + the member's rank among equals
TIERS = ("gold", "silver", "bronze")  # the member's badge counters, by tier
ROOM = 97  # items a chunk of a batch writes: 100 less its marker, cursor and plan
PLAN_PART = 300_000  # characters of a batch's plan per item (an item holds 400 KB)
BATCH_DAYS = 7  # how long a batch's plan and markers are kept
READERS = 8  # reads made at once when a batch needs many Queries
ATTEMPTS = 30  # tries of one transaction whose conditions met other writers
NO_CONDITION = ("", 0)  # what a write's failed condition means: nothing to leave out

T = TypeVar("T")


# Keys


def member_pk(user_id: int) -> str:
    return f"user#{user_id}"


def ledger_key(user_id: int, seq: int) -> dict[str, str]:
    return {"PK": member_pk(user_id), "SK": f"ledger#{layout.pad(seq)}"}


def claim_key(event_id: int, user_id: int, key: str) -> dict[str, str]:
    return {
        "PK": f"entries#{event_id >> CLAIM_BUCKET_BITS}",
        "SK": f"{layout.pad(event_id)}#{user_id}#{key}",
    }


def numbers_key(user_id: int, period: str) -> dict[str, str]:
    return {"PK": member_pk(user_id), "SK": f"numbers#{period}"}


def board_key(user_id: int, name: str, period: str) -> dict[str, str]:
    return {"PK": member_pk(user_id), "SK": f"stat#{name}#{period}"}


def award_key(user_id: int, kind: str, name: str, tier: str, period: str) -> dict[str, str]:
    return {"PK": member_pk(user_id), "SK": f"award#{kind}#{name}#{tier}#{period}"}


def redemption_key(redemption_id: int) -> dict[str, str]:
    return {"PK": f"redemption#{redemption_id}", "SK": "redemption"}


def stock_key(reward: str) -> dict[str, str]:
    return {"PK": "stock", "SK": f"reward#{reward}"}


def batch_pk(consumer: str, after: str | None) -> str:
    return f"batch#{consumer}#{after or ''}"


def is_board(name: str) -> bool:
    """Whether a number is a leaderboard's (kept on its own item, in the index)."""
    return name.startswith("points")


def rank_among_equals(user_id: int) -> int:
    """Higher for lower ids: SQLite ranks equal points by member id, ascending."""
    return max(0, RANK - 1 - user_id)


class Engagement(Base):
    # Reads the awards consumer makes

    def booked(self, keys: Sequence[str], posts: Sequence[str]) -> list[Booked]:
        queries = [("GSI1", "GSI1PK", f"ledger-key#{key}") for key in dict.fromkeys(keys)]
        queries += [("GSI2", "GSI2PK", f"ledger-post#{post}") for post in dict.fromkeys(posts)]
        found = self._at_once([lambda q=query: list(self._index(*q)) for query in queries])
        entries = {(item["PK"], item["SK"]): item for items in found for item in items}
        totals: dict[tuple[int, str], list[Any]] = {}
        for item in entries.values():
            row = totals.setdefault((item["user_id"], item["key"]), [None, 0, 0])
            if item.get("post") is not None and (row[0] is None or item["post"] > row[0]):
                row[0] = item["post"]
            row[1] += item["points"]
            if item["reason"].endswith((":deleted", ":restored")):
                row[2] += item["points"]
        return [Booked(user, key, *row) for (user, key), row in totals.items()]

    def _index(self, index: str, attribute: str, value: str) -> Iterable[Item]:
        return self.table.query_all(f"{attribute} = :pk", {":pk": value}, index=index, limit=500)

    def entries_of(self, event_ids: Sequence[int]) -> set[tuple[int, int, str]]:
        wanted = set(event_ids)
        buckets: dict[int, list[int]] = defaultdict(list)
        for event_id in wanted:
            buckets[event_id >> CLAIM_BUCKET_BITS].append(event_id)
        found = self._at_once(
            [
                lambda b=bucket, ids=ids: list(
                    self.table.query_all(
                        "PK = :pk AND SK BETWEEN :first AND :last",
                        {
                            ":pk": f"entries#{b}",
                            ":first": layout.pad(min(ids)),
                            ":last": layout.pad(max(ids)) + "$",  # after "#..."
                        },
                        consistent=True,
                        limit=1000,
                    )
                )
                for bucket, ids in buckets.items()
            ]
        )
        return {
            (item["event_id"], item["user_id"], item["key"])
            for items in found
            for item in items
            if item["event_id"] in wanted
        }

    def member_stats(
        self, user_ids: Sequence[int], periods: Sequence[str]
    ) -> dict[tuple[int, str, str], int]:
        found = self.table.get_many(
            numbers_key(user_id, period) for user_id in set(user_ids) for period in set(periods)
        )
        return {
            (item["user_id"], name[2:], item["period"]): value
            for item in found
            for name, value in item.items()
            if name.startswith("n:")
        }

    def answer_scores(self, answer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        found = self.table.get_many(layout.post_key("answer", i) for i in set(answer_ids))
        return {
            int(item["PK"].split("#", 1)[1]): (item["author_id"], item.get("score", 0))
            for item in found
        }

    @staticmethod
    def _at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
        """Run reads side by side (a batch may need hundreds of Queries)."""
        if len(calls) <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=min(READERS, len(calls))) as pool:
            return list(pool.map(lambda call: call(), calls))

    # The awards consumer's batch

    def apply_awards(
        self, update: AwardUpdate, consumer: str, after: str | None, cursor: str | None
    ) -> bool:
        """One transaction when the batch fits in one (with the cursor's move). A larger
        batch is first kept as a plan under (consumer, ``after``), then applied a chunk per
        transaction, each with a marker put once and on condition that the cursor is still
        ``after``, the last one moving it: a runner that dies midway leaves the plan, and the
        next runner from ``after`` applies the chunks of that plan (not of its own fold,
        which read the chunks applied) that are not marked yet."""
        if self._cursor_of(consumer) != after:
            return False  # another runner handled this batch first
        chunks = _pack(_ops(update))
        if len(chunks) <= 1:
            done = self._apply_chunk(
                chunks[0] if chunks else [],
                [
                    ("cursor", self.cursor_move(consumer, after, cursor)),
                    ("plan", check({"PK": batch_pk(consumer, after), "SK": "plan"}, NEW)),
                ],
            )
            if done != "plan":  # a runner from ``after`` left a plan: it is followed below
                return done == "applied"
        plan_id, update, cursor = self._plan(consumer, after, update, cursor)
        chunks = _pack(_ops(update))
        pk = batch_pk(consumer, after)
        expires = int(time.time()) + BATCH_DAYS * 86_400
        for number, chunk in enumerate(chunks):
            marker = {"PK": pk, "SK": f"chunk#{plan_id}#{layout.pad(number)}"}
            extra = [("marker", put({**marker, "expires_at": expires}, NEW))]
            if number < len(chunks) - 1:
                extra.append(("cursor", _cursor_at(consumer, after)))
                if self._apply_chunk(chunk, extra) == "cursor":
                    return False
                continue
            extra.append(("cursor", self.cursor_move(consumer, after, cursor)))
            extra.append(("plan", delete({"PK": pk, "SK": "plan"})))
            return self._apply_chunk(chunk, extra) == "applied"
        return False

    def _cursor_of(self, consumer: str) -> str | None:
        found = self.table.get(layout.cursor_key(consumer))
        return found.get("cursor") if found else None

    def _plan(
        self, consumer: str, after: str | None, update: AwardUpdate, cursor: str | None
    ) -> tuple[int, AwardUpdate, str | None]:
        """The batch's plan: the one a runner from ``after`` kept before, or this one."""
        pk = batch_pk(consumer, after)
        header = self.table.get({"PK": pk, "SK": "plan"})
        if header is None:
            plan_id = self.new_id()
            text = _encode_update(update)
            parts = [text[i : i + PLAN_PART] for i in range(0, len(text), PLAN_PART)]
            expires = int(time.time()) + BATCH_DAYS * 86_400
            self.table.write_many(
                put(
                    {
                        "PK": pk,
                        "SK": f"plan#{plan_id}#{layout.pad(n)}",
                        "text": part,
                        "expires_at": expires,
                    }
                )
                for n, part in enumerate(parts)
            )
            values = {"PK": pk, "SK": "plan", "plan_id": plan_id, "parts": len(parts)}
            try:
                self.table.put({**values, "cursor": cursor, "expires_at": expires}, NEW)
            except ConditionFailed:  # another runner kept its plan first: follow it
                header = self.table.get({"PK": pk, "SK": "plan"})
            else:
                return plan_id, update, cursor
            assert header is not None
        plan_id = header["plan_id"]
        found = self.table.get_many(
            {"PK": pk, "SK": f"plan#{plan_id}#{layout.pad(n)}"} for n in range(header["parts"])
        )
        text = "".join(item["text"] for item in sorted(found, key=lambda item: item["SK"]))
        return plan_id, _decode_update(text), header.get("cursor")

    def _apply_chunk(self, chunk: list[_Op], extra: list[tuple[str, dict[str, Any]]]) -> str:
        """Write one chunk with ``extra`` writes (its marker, the cursor's move...). An entry
        booked before (its claim is there) or an award reached before is left out and the
        rest written again, as are members' balances that moved meanwhile. "applied", or
        the name of the extra write whose condition failed (and nothing written)."""
        for _ in range(ATTEMPTS):
            writes, owners = self._chunk_writes(chunk)
            owners += [(name, 0) for name, _ in extra]
            try:
                self.transact([*writes, *(write for _, write in extra)])
            except ConditionFailed as failed:
                causes = [owners[position] for position in failed.failed]
                for name, _ in extra:
                    if (name, 0) in causes:
                        return name
                # A member who is not there raises; one whose balance moved is read again.
                self._balances({cause[1] for cause in causes if cause[0] == "member"})
                for cause in causes:
                    _left_out(chunk, cause)
                continue
            return "applied"
        raise TooBusy("A batch of awards kept meeting other writes to its members.")

    def _chunk_writes(
        self, chunk: Sequence[_Op]
    ) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
        """The writes of a chunk and, for each, what its failed condition would mean.

        The balance moves by each entry's points but never below 0: for members whose
        entries take points away, it is read now and written only if it is still what was
        read."""
        bookings = [op.booking for op in chunk if op.booking is not None]
        taking = {b.user_id for b in bookings if b.points < 0}
        seen = self._balances(taking)
        balances = dict(seen)
        seq = self._ledger_seqs(len(bookings))
        writes: list[dict[str, Any]] = []
        owners: list[tuple[str, int]] = []
        members: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        boards: dict[tuple[int, str, str], int] = defaultdict(int)
        numbers: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)

        def book(booking: Booking, owner: tuple[str, int]) -> None:
            nonlocal seq
            spendable = booking.points
            if booking.user_id in balances:
                spendable = max(booking.points, -balances[booking.user_id])
                balances[booking.user_id] += spendable
            writes.append(
                put(
                    {
                        **claim_key(booking.event_id, booking.user_id, booking.key),
                        "event_id": booking.event_id,
                        "user_id": booking.user_id,
                        "key": booking.key,
                    },
                    NEW,
                )
            )
            owners.append(owner)
            writes.append(put(_ledger_item(booking, spendable, seq)))
            owners.append(NO_CONDITION)
            seq += 1
            members[booking.user_id]["reputation"] += booking.points
            members[booking.user_id]["balance"] += spendable
            for name, period in booking.boards:
                boards[(booking.user_id, name, period)] += booking.points

        for index, op in enumerate(chunk):
            if op.award is not None:
                award = op.award
                _, awarded = self.event(
                    "awarded",
                    "user",
                    award.user_id,
                    None,
                    award.at,
                    actor=None,
                    affected=award.user_id,
                    award=award.kind,
                    name=award.name,
                    tier=award.tier,
                    period=award.period,
                    points=award.booking.points if award.booking else 0,
                )
                writes += [put(_award_item(award), NEW), awarded]
                owners += [("award", index), NO_CONDITION]
                if award.kind == "badge":
                    members[award.user_id][award.tier] += 1
                if op.booking is not None:
                    book(op.booking, ("booking", index))
            elif op.booking is not None:
                book(op.booking, ("entry", index))
            elif op.stat is not None:
                user_id, name, period, delta = op.stat
                if is_board(name):
                    boards[(user_id, name, period)] += delta
                else:
                    count = numbers[(user_id, period)]
                    count[name] = count.get(name, 0) + delta
        for user_id, moves in members.items():
            writes.append(_member_write(user_id, moves, seen.get(user_id)))
            owners.append(("member", user_id))
        for (user_id, name, period), delta in boards.items():
            if delta:
                writes.append(_board_write(user_id, name, period, delta))
                owners.append(NO_CONDITION)
        for (user_id, period), counts in numbers.items():
            if any(counts.values()):
                writes.append(_numbers_write(user_id, period, counts))
                owners.append(NO_CONDITION)
        return writes, owners

    def _balances(self, user_ids: set[int]) -> dict[int, int]:
        """The members' balances now (:class:`LookupError` for a member who is not there)."""
        if not user_ids:
            return {}
        found = {item["id"]: item for item in self.table.get_many(map(layout.user_key, user_ids))}
        missing = user_ids - found.keys()
        if missing:
            raise LookupError(f"no member {min(missing)}")
        return {user_id: found[user_id].get("balance", 0) for user_id in user_ids}

    def _ledger_seqs(self, count: int) -> int:
        """The first of ``count`` new ledger positions (a failed write leaves a gap)."""
        if not count:
            return 0
        last = self.table.update(
            LEDGER_COUNTER, "ADD seq :n", params={":n": count}, returns="UPDATED_NEW"
        )["seq"]
        return last - count + 1

    # Leaderboards, badges and the ledger

    def leaderboard(self, name: str, period: str, limit: int) -> list[Leader]:
        if limit <= 0:
            return []
        found, _ = self.table.query(
            "BoardPK = :board AND BoardPoints >= :one",
            {":board": f"{name}#{period}", ":one": RANK},  # more than 0 points
            index="Leaderboard",
            forward=False,
            limit=limit,
        )
        ranked = [(int(item["PK"].split("#", 1)[1]), item["BoardPoints"] // RANK) for item in found]
        users = {
            item["id"]: item
            for item in self.table.get_many(layout.user_key(user_id) for user_id, _ in ranked)
        }
        return [
            Leader(
                user_id,
                users[user_id]["username"],
                points,
                users[user_id].get("reputation", 0),
                users[user_id].get("gold", 0),
                users[user_id].get("silver", 0),
                users[user_id].get("bronze", 0),
            )
            for user_id, points in ranked
            if user_id in users
        ]

    def points_of(
        self, user_id: int, boards: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        found = self.table.get_many(board_key(user_id, name, period) for name, period in boards)
        return {(item["name"], item["period"]): item["value"] for item in found}

    def earned(self, user_id: int) -> list[Earned]:
        found = self.table.query_all(
            "PK = :pk AND begins_with(SK, :award)",
            {":pk": member_pk(user_id), ":award": "award#"},
            consistent=True,
        )
        earned = [
            Earned(item["kind"], item["name"], item["tier"], item["period"], item["at"])
            for item in found
        ]
        earned.sort(key=lambda e: e.name)
        earned.sort(key=lambda e: e.at, reverse=True)
        return earned

    def ledger_of(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[LedgerEntry]:
        start = decode_cursor(cursor, {"PK": member_pk(user_id)})
        if start is not None and not str(start.get("SK", "")).startswith("ledger#"):
            raise BadCursor(cursor)
        found, _ = self.table.query(
            "PK = :pk AND begins_with(SK, :ledger)",
            {":pk": member_pk(user_id), ":ledger": "ledger#"},
            forward=False,
            limit=limit + 1,
            start=start,
            consistent=True,
        )
        items = [
            LedgerEntry(
                item["user_id"],
                item["points"],
                item["spendable"],
                item["reason"],
                item["key"],
                item["event_id"],
                item["at"],
            )
            for item in found[:limit]
        ]
        more = len(found) > limit
        last = found[limit - 1] if more else None
        return Page(items, encode_cursor({"PK": last["PK"], "SK": last["SK"]}) if last else None)

    # Events the awards consumer books

    def record_visit(self, user_id: int, now: str) -> None:
        _, visited = self.event("visited", "user", user_id, None, now, actor=user_id)
        self.transact([visited])

    def grant_points(
        self, user_id: int, points: int, reason: str, actor_id: int | None, now: str
    ) -> None:
        _, granted = self.event(
            "granted",
            "user",
            user_id,
            None,
            now,
            actor=actor_id,
            affected=user_id,
            points=points,
            reason=reason,
        )
        self.transact([granted])

    # Rewards

    def redeem(self, user_id: int, reward: str, cost: int, stock: int, now: str) -> Redemption:
        """One transaction: the redemption, one more of the stock taken while fewer than
        ``stock`` are, the balance less ``cost`` while it has that much, the event and the
        ledger entry."""
        if stock <= 0:
            raise OutOfStock(reward)
        member = self.table.get(layout.user_key(user_id))
        if member is None:
            raise NotEnoughPoints(reward)
        seq = self._ledger_seqs(1)

        def build(redemption_id: int) -> list[dict[str, Any]]:
            event_id, redeemed = self.event(
                "redeemed",
                "redemption",
                redemption_id,
                None,
                now,
                actor=user_id,
                affected=user_id,
                reward=reward,
                cost=cost,
            )
            entry = Booking(
                user_id, 0, "redeemed", f"redemption:{redemption_id}", None, event_id, now
            )
            return [
                put(_redemption_item(redemption_id, user_id, reward, cost, now), NEW),
                update(
                    stock_key(reward),
                    "SET reward = :reward ADD taken :one",
                    "attribute_not_exists(taken) OR taken < :stock",
                    params={":reward": reward, ":one": 1, ":stock": stock},
                ),
                update(
                    layout.user_key(user_id),
                    "ADD balance :spent",
                    "attribute_exists(PK) AND balance >= :cost"
                    if cost > 0
                    else "attribute_exists(PK)",
                    params={":spent": -cost, **({":cost": cost} if cost > 0 else {})},
                ),
                redeemed,
                put(_ledger_item(entry, -cost, seq)),
                put(
                    {
                        **claim_key(event_id, user_id, entry.key),
                        "event_id": event_id,
                        "user_id": user_id,
                        "key": entry.key,
                    },
                    NEW,
                ),
            ]

        try:
            redemption_id = self.transact_new(build)
        except ConditionFailed as failed:
            if 1 in failed.failed:
                raise OutOfStock(reward) from None
            if 2 in failed.failed:
                raise NotEnoughPoints(reward) from None
            raise
        return Redemption(redemption_id, user_id, member["username"], reward, cost, "pending", now)

    def redemptions(
        self,
        *,
        user_id: int | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Redemption]:
        if user_id is not None:
            index, value = "GSI1", f"redemptions#user#{user_id}"
        elif status is not None:
            index, value = "GSI2", f"redemptions#{status}"
        else:
            return Page([], None)
        start = decode_cursor(cursor, {f"{index}PK": value})
        found, _ = self.table.query(
            f"{index}PK = :pk",
            {":pk": value},
            index=index,
            forward=False,
            limit=limit + 1,
            start=start,
        )
        items = self._with_usernames(found[:limit])
        if len(found) <= limit:
            return Page(items, None)
        last = found[limit - 1]
        keys = ("PK", "SK", f"{index}PK", f"{index}SK")
        return Page(items, encode_cursor({name: last[name] for name in keys}))

    def _with_usernames(self, found: Sequence[Item]) -> list[Redemption]:
        users = {
            item["id"]: item["username"]
            for item in self.table.get_many(layout.user_key(r["user_id"]) for r in found)
        }
        return [
            Redemption(
                item["id"],
                item["user_id"],
                users.get(item["user_id"], ""),
                item["reward"],
                item["cost"],
                item["status"],
                item["created_at"],
                item.get("fulfilled_at"),
            )
            for item in found
        ]

    def redeemed(self) -> dict[str, int]:
        found = self.table.query_all("PK = :pk", {":pk": "stock"}, consistent=True)
        return {item["reward"]: item["taken"] for item in found}

    def fulfil(self, redemption_id: int, actor_id: int, now: str) -> Redemption | None:
        found = self.table.get(redemption_key(redemption_id))
        if found is None:
            return None
        if found["status"] == "pending":
            _, fulfilled = self.event(
                "fulfilled",
                "redemption",
                redemption_id,
                None,
                now,
                actor=actor_id,
                affected=found["user_id"],
                reward=found["reward"],
            )
            with contextlib.suppress(ConditionFailed):  # another moderator did it first
                self.transact(
                    [
                        update(
                            redemption_key(redemption_id),
                            "SET #status = :done, fulfilled_at = :now, fulfilled_by = :actor,"
                            " GSI2PK = :list",
                            "#status = :pending",
                            names={"#status": "status"},
                            params={
                                ":done": "fulfilled",
                                ":now": now,
                                ":actor": actor_id,
                                ":list": "redemptions#fulfilled",
                                ":pending": "pending",
                            },
                        ),
                        fulfilled,
                    ]
                )
            found = self.table.get(redemption_key(redemption_id))
            assert found is not None
        (redemption,) = self._with_usernames([found])
        return redemption


# A batch's operations, cut into chunks


@dataclass
class _Op:
    """One thing a batch does: book an entry, reach an award (and book its reward), or move
    a number. ``touches``: the items it writes, for cutting a batch into transactions."""

    booking: Booking | None = None
    award: Award | None = None
    stat: tuple[int, str, str, int] | None = None
    touches: frozenset[str] = field(default_factory=frozenset)


def _ops(update: AwardUpdate) -> list[_Op]:
    """The update's operations in order: entries, awards, then numbers. An entry met twice
    (by event, member and key) is booked once, an award reached twice awarded once."""
    claims: set[tuple[int, int, str]] = set()
    awards: set[tuple[int, str, str, str, str]] = set()
    ops: list[_Op] = []
    for number, booking in enumerate(update.entries):
        claim = (booking.event_id, booking.user_id, booking.key)
        if claim not in claims:
            claims.add(claim)
            ops.append(_Op(booking=booking, touches=_booking_touches(booking, f"e{number}")))
    for number, award in enumerate(update.awards):
        mark = (award.user_id, award.kind, award.name, award.tier, award.period)
        if mark in awards:
            continue
        awards.add(mark)
        if award.kind == "badge":
            _tier(award.tier)  # before any write: a badge counts on the member by tier
        booking = award.booking
        touches = {f"a{number}.award", f"a{number}.event"}
        if award.kind == "badge":
            touches.add(f"m{award.user_id}")
        if booking is not None:
            claim = (booking.event_id, booking.user_id, booking.key)
            if claim in claims:
                booking = None  # booked already: the award stands without it
            else:
                claims.add(claim)
                touches |= _booking_touches(booking, f"a{number}")
        ops.append(_Op(booking=booking, award=award, touches=frozenset(touches)))
    for (user_id, name, period), delta in sorted(update.stats.items()):
        if delta:
            item = f"b{user_id}#{name}#{period}" if is_board(name) else f"n{user_id}#{period}"
            ops.append(_Op(stat=(user_id, name, period, delta), touches=frozenset([item])))
    return ops


def _booking_touches(booking: Booking, name: str) -> frozenset[str]:
    boards = {f"b{booking.user_id}#{board}#{period}" for board, period in booking.boards}
    return frozenset({f"{name}.claim", f"{name}.ledger", f"m{booking.user_id}", *boards})


def _pack(ops: list[_Op]) -> list[list[_Op]]:
    """Operations in order, cut so that no chunk writes more than ``ROOM`` items."""
    chunks: list[list[_Op]] = []
    current: list[_Op] = []
    touched: set[str] = set()
    for op in ops:
        if current and len(touched | op.touches) > ROOM:
            chunks.append(current)
            current, touched = [], set()
        current.append(op)
        touched |= op.touches
    if current:
        chunks.append(current)
    return chunks


def _left_out(chunk: list[_Op], cause: tuple[str, int]) -> None:
    """Leave out what a failed condition says was done before (a member's balance that
    moved meanwhile is read again by the next attempt)."""
    what, index = cause
    if what == "award":
        chunk[index] = _Op()
    elif what in ("entry", "booking"):
        chunk[index].booking = None


# Items


def _cursor_at(consumer: str, after: str | None) -> dict[str, Any]:
    """A condition that the consumer's cursor is still ``after``."""
    if after is None:
        return check(layout.cursor_key(consumer), "attribute_not_exists(#c)", {"#c": "cursor"})
    return check(layout.cursor_key(consumer), "#c = :after", {"#c": "cursor"}, {":after": after})


def _tier(tier: str) -> str:
    if tier not in TIERS:
        raise ValueError(f"a badge tier is one of {', '.join(TIERS)}, not {tier!r}")
    return tier


def _ledger_item(booking: Booking, spendable: int, seq: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        **ledger_key(booking.user_id, seq),
        "seq": seq,
        "user_id": booking.user_id,
        "points": booking.points,
        "spendable": spendable,
        "reason": booking.reason,
        "key": booking.key,
        "post": booking.post,
        "event_id": booking.event_id,
        "at": booking.at,
        "GSI1PK": f"ledger-key#{booking.key}",
        "GSI1SK": f"{booking.user_id}#{layout.pad(seq)}",
    }
    if booking.post is not None:
        values["GSI2PK"] = f"ledger-post#{booking.post}"
        values["GSI2SK"] = f"{booking.user_id}#{layout.pad(seq)}"
    return values


def _award_item(award: Award) -> dict[str, Any]:
    return {
        **award_key(award.user_id, award.kind, award.name, award.tier, award.period),
        "user_id": award.user_id,
        "kind": award.kind,
        "name": award.name,
        "tier": award.tier,
        "period": award.period,
        "event_id": award.event_id,
        "at": award.at,
    }


def _member_write(user_id: int, moves: Mapping[str, int], balance: int | None) -> dict[str, Any]:
    """The member's counters moved in one write; if the balance was read (``balance``), only
    while it is still that."""
    expression = "ADD " + ", ".join(f"{name} :{name}" for name in moves)
    params: dict[str, Any] = {f":{name}": delta for name, delta in moves.items()}
    condition = "attribute_exists(PK)"
    if balance is not None:
        condition += (
            " AND (balance = :seen OR attribute_not_exists(balance))"
            if balance == 0
            else " AND balance = :seen"
        )
        params[":seen"] = balance
    return update(layout.user_key(user_id), expression, condition, params=params)


def _board_write(user_id: int, name: str, period: str, delta: int) -> dict[str, Any]:
    return update(
        board_key(user_id, name, period),
        "SET BoardPK = :board, user_id = :user, #name = :name, period = :period,"
        " BoardPoints = if_not_exists(BoardPoints, :rank) + :points ADD #value :delta",
        names={"#name": "name", "#value": "value"},
        params={
            ":board": f"{name}#{period}",
            ":user": user_id,
            ":name": name,
            ":period": period,
            ":rank": rank_among_equals(user_id),
            ":points": delta * RANK,
            ":delta": delta,
        },
    )


def _numbers_write(user_id: int, period: str, counts: Mapping[str, int]) -> dict[str, Any]:
    moved = [(n, delta) for n, delta in counts.items() if delta]
    return update(
        numbers_key(user_id, period),
        "SET user_id = :user, period = :period ADD "
        + ", ".join(f"#n{i} :n{i}" for i in range(len(moved))),
        names={f"#n{i}": f"n:{name}" for i, (name, _) in enumerate(moved)},
        params={
            ":user": user_id,
            ":period": period,
            **{f":n{i}": delta for i, (_, delta) in enumerate(moved)},
        },
    )


def _redemption_item(
    redemption_id: int, user_id: int, reward: str, cost: int, now: str
) -> dict[str, Any]:
    return {
        **redemption_key(redemption_id),
        "id": redemption_id,
        "user_id": user_id,
        "reward": reward,
        "cost": cost,
        "status": "pending",
        "created_at": now,
        "GSI1PK": f"redemptions#user#{user_id}",
        "GSI1SK": layout.pad(redemption_id),
        "GSI2PK": "redemptions#pending",
        "GSI2SK": layout.pad(redemption_id),
    }


# A batch's plan, kept as text


def _encode_update(update: AwardUpdate) -> str:
    plain = {
        "entries": [_booking_row(b) for b in update.entries],
        "stats": [[*key, delta] for key, delta in update.stats.items()],
        "awards": [
            [
                *(a.user_id, a.kind, a.name, a.tier, a.period, a.event_id, a.at),
                _booking_row(a.booking) if a.booking else None,
            ]
            for a in update.awards
        ],
    }
    raw = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw)).decode()


def _decode_update(text: str) -> AwardUpdate:
    plain = json.loads(zlib.decompress(base64.b64decode(text)))
    return AwardUpdate(
        [_booking_from(row) for row in plain["entries"]],
        {(u, name, period): delta for u, name, period, delta in plain["stats"]},
        [Award(*row[:7], _booking_from(row[7]) if row[7] else None) for row in plain["awards"]],
    )


def _booking_row(booking: Booking) -> list[Any]:
    return [
        booking.user_id,
        booking.points,
        booking.reason,
        booking.key,
        booking.post,
        booking.event_id,
        booking.at,
        [list(board) for board in booking.boards],
    ]


def _booking_from(row: list[Any]) -> Booking:
    return Booking(*row[:7], tuple((name, period) for name, period in row[7]))
