"""The event log in DynamoDB: events in the order of their positions, and consumer cursors.

Each event takes the next position from a counter item just before its transaction, so
positions are unique and increasing, but two writers can commit out of order. A reader
therefore stops at a missing position (a transaction still under way) until it is filled,
marked void (its transaction failed: see :meth:`Base.transact`), or older than
``GAP_WAIT_MS`` behind a later event (its writer died between taking the position and
writing). A cursor is the last position read, as a plain number.

In AWS the table's stream triggers the consumers (:mod:`functions.stream`); they still read
the log here, from their own cursors, so the order and the cursors are the same everywhere.
"""

from __future__ import annotations

import time
from typing import Any

from functions.store.contract import Event, EventPage, log_position
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import Base, Item, update

GAP_WAIT_MS = 10_000  # how long a missing position may hold readers up


class Events(Base):
    def events_after(self, cursor: str | None, limit: int = 100) -> EventPage:
        position = log_position(cursor)
        events: list[Event] = []
        now_ms = time.time_ns() // 1_000_000
        while len(events) < limit:
            bucket = (position + 1) // layout.EVENT_BUCKET
            items, more = self.table.query(
                "PK = :pk AND SK > :after",
                {":pk": f"{layout.EVENT_PREFIX}{bucket}", ":after": layout.pad(position)},
                limit=limit - len(events),
                consistent=True,
            )
            for item in items:
                if item["seq"] != position + 1 and not _abandoned(item, now_ms):
                    return EventPage(events, _cursor(position, cursor))
                position = item["seq"]
                if not item.get("void"):
                    events.append(event_from(item))
            if more is not None:
                continue
            # This bucket is read to its end: go on to the next when the log goes on there.
            end = (bucket + 1) * layout.EVENT_BUCKET - 1
            if position < end and not self._log_goes_on_after(end, now_ms):
                break
            position = max(position, end)
        return EventPage(events, _cursor(position, cursor))

    def _log_goes_on_after(self, end: int, now_ms: int) -> bool:
        """Whether the positions up to ``end`` that were never written can be passed: the
        next bucket has an event written long enough after them."""
        counter = self.table.get(layout.EVENT_COUNTER) or {"seq": 0}
        if counter["seq"] <= end:
            return False
        first, _ = self.table.query(
            "PK = :pk",
            {":pk": f"{layout.EVENT_PREFIX}{(end + 1) // layout.EVENT_BUCKET}"},
            limit=1,
            consistent=True,
        )
        return bool(first) and _abandoned(first[0], now_ms)

    def latest_cursor(self) -> str | None:
        counter = self.table.get(layout.EVENT_COUNTER)
        if not counter:
            return None
        bucket = counter["seq"] // layout.EVENT_BUCKET
        while bucket >= 0:
            items, _ = self.table.query(
                "PK = :pk",
                {":pk": f"{layout.EVENT_PREFIX}{bucket}"},
                forward=False,
                limit=1,
                consistent=True,
            )
            if items:
                return str(items[0]["seq"])
            bucket -= 1
        return None

    def consumer_cursor(self, consumer: str) -> str | None:
        found = self.table.get(layout.cursor_key(consumer))
        return found.get("cursor") if found else None

    def save_consumer_cursor(self, consumer: str, cursor: str | None) -> None:
        self.table.write(_cursor_write(consumer, cursor))

    @staticmethod
    def cursor_move(consumer: str, after: str | None, cursor: str | None) -> dict[str, Any]:
        """The write that moves a consumer's cursor from ``after`` to ``cursor``, only if it
        is still at ``after`` (put it in the transaction that applies the batch)."""
        if after is None:
            return _cursor_write(consumer, cursor, "attribute_not_exists(#cursor)")
        return _cursor_write(consumer, cursor, "#cursor = :after", {":after": after})


def _cursor_write(
    consumer: str,
    cursor: str | None,
    condition: str | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The update that sets a consumer's cursor (None: removes it), under ``condition``."""
    names = {"#cursor": "cursor"}
    if cursor is None:
        return update(layout.cursor_key(consumer), "REMOVE #cursor", condition, names, params)
    values = {**(params or {}), ":cursor": cursor}
    return update(layout.cursor_key(consumer), "SET #cursor = :cursor", condition, names, values)


def event_from(item: Item) -> Event:
    return Event(
        item["id"],
        item["kind"],
        item["entity"],
        item["entity_id"],
        item.get("question_id"),
        item.get("actor_id"),
        item.get("affected_id"),
        item["at"],
        item.get("data") or {},
    )


def _abandoned(later: Item, now_ms: int) -> bool:
    """Whether the positions missing before ``later`` were given up: it was written (or
    voided) more than ``GAP_WAIT_MS`` ago."""
    return now_ms - later.get("written_ms", 0) >= GAP_WAIT_MS


def _cursor(position: int, given: str | None) -> str | None:
    return str(position) if position else given
