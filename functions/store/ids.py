"""Ids that every process can make on its own, with no counter shared by every write.

An id is a 53-bit integer: the milliseconds since 2026-01-01 (41 bits, enough for 69
years), then 12 random bits. Ids made later are larger, so they sort by time, and every one
is a safe integer in JavaScript (below 2**53). One process never makes the same id twice
and makes them in increasing order (within a millisecond it counts up from the last).
Ids made by two processes in the same millisecond differ unless their random bits meet
(1 in 4096); the store makes that harmless by writing a new row only where its id is free
(SQLite's primary key, a conditional put in DynamoDB) and drawing again when it is not.
Ids made before this scheme (1, 2, 3, ...) stay valid: they are below every new one, so
addresses such as ``?id=42`` keep working.

>>> new_id(at_ms=EPOCH_MS + 1) >> RANDOM_BITS
1
>>> new_id() < 2**53
True
"""

from __future__ import annotations

import secrets
import threading
import time

EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
RANDOM_BITS = 12
_last = 0
_lock = threading.Lock()


def new_id(at_ms: int | None = None) -> int:
    """A new id; ``at_ms`` (for examples and tests) makes one for that moment instead."""
    global _last
    milliseconds = (time.time_ns() // 1_000_000 if at_ms is None else at_ms) - EPOCH_MS
    drawn = (milliseconds << RANDOM_BITS) | secrets.randbits(RANDOM_BITS)
    if at_ms is not None:
        return drawn
    with _lock:
        _last = max(drawn, _last + 1)
        return _last
