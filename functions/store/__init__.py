"""The community store: the contract (:mod:`functions.store.contract`) and its backends.

``open_store(url)`` opens the backend a ``PORTAL_STORE`` URL names.
"""

from __future__ import annotations

import re

from functions.store.contract import (
    Answer,
    Attempts,
    Award,
    AwardNote,
    AwardUpdate,
    BadCursor,
    Booked,
    Booking,
    Comment,
    Conflict,
    Count,
    Earned,
    Entity,
    Event,
    EventKind,
    EventPage,
    Feedback,
    Flag,
    Leader,
    LedgerEntry,
    Mail,
    MetricUpdate,
    ModeratorNote,
    NewNotifications,
    NotEnoughPoints,
    Notification,
    NotificationKind,
    OutOfStock,
    Page,
    PageNote,
    PostKind,
    Promotion,
    Question,
    QuestionClock,
    Redemption,
    ReviewItem,
    Revision,
    Sort,
    Stale,
    Store,
    StoreError,
    User,
    iso,
    later,
    parse_time,
    utcnow,
)

__all__ = [
    "Answer",
    "Attempts",
    "Award",
    "AwardNote",
    "AwardUpdate",
    "BadCursor",
    "Booked",
    "Booking",
    "Comment",
    "Conflict",
    "Count",
    "Earned",
    "Entity",
    "Event",
    "EventKind",
    "EventPage",
    "Feedback",
    "Flag",
    "Leader",
    "LedgerEntry",
    "Mail",
    "MetricUpdate",
    "ModeratorNote",
    "NewNotifications",
    "NotEnoughPoints",
    "Notification",
    "NotificationKind",
    "OutOfStock",
    "Page",
    "PageNote",
    "PostKind",
    "Promotion",
    "Question",
    "QuestionClock",
    "Redemption",
    "ReviewItem",
    "Revision",
    "Sort",
    "Stale",
    "Store",
    "StoreError",
    "User",
    "init_store",
    "iso",
    "later",
    "open_store",
    "parse_time",
    "utcnow",
]


_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


class UnsupportedStore(StoreError, ValueError):
    """A ``PORTAL_STORE`` this build cannot open."""


def open_store(url: str) -> Store:
    """The store a ``PORTAL_STORE`` URL names (``sqlite:///path`` or ``dynamodb://TABLE``)."""
    if url.startswith("sqlite:///"):
        from functions.store.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"))
    if url.startswith("dynamodb://"):
        from functions.store.dynamodb import DynamoDBStore

        return DynamoDBStore(_table_name(url))
    raise UnsupportedStore(
        f"PORTAL_STORE {url!r} is not supported; use sqlite:///path/to/portal.db or "
        "dynamodb://TABLE."
    )


def init_store(url: str) -> bool:
    """Create the store a URL names (``portal store init``); False when it was there
    already, in the right shape."""
    if url.startswith("dynamodb://"):
        from functions.store.dynamodb import create_table

        return create_table(_table_name(url))
    if url.startswith("sqlite:///"):
        from pathlib import Path

        existed = Path(url.removeprefix("sqlite:///")).exists()
        open_store(url).close()  # applies the migrations
        return not existed
    open_store(url)  # says what is supported
    return False


def _table_name(url: str) -> str:
    name = url.removeprefix("dynamodb://")
    if not _TABLE_NAME.fullmatch(name):
        raise UnsupportedStore(
            f"PORTAL_STORE {url!r}: a DynamoDB table's name is 3 to 255 letters, digits, "
            "'_', '-' or '.', as in dynamodb://portal."
        )
    return name
