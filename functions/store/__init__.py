"""The community store: the contract (:mod:`functions.store.contract`) and its backends.

``open_store(url)`` opens the backend a ``PORTAL_STORE`` URL names.
"""

from __future__ import annotations

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
    "iso",
    "later",
    "open_store",
    "parse_time",
    "utcnow",
]


class UnsupportedStore(StoreError, ValueError):
    """A ``PORTAL_STORE`` this build cannot open."""


def open_store(url: str) -> Store:
    """The store a ``PORTAL_STORE`` URL names (``sqlite:///path``)."""
    if url.startswith("sqlite:///"):
        from functions.store.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"))
    if url.startswith("dynamodb://"):
        raise UnsupportedStore(
            f"PORTAL_STORE {url!r}: the DynamoDB store is not part of this release yet; "
            "use sqlite:///path/to/portal.db."
        )
    raise UnsupportedStore(
        f"PORTAL_STORE {url!r} is not supported; use sqlite:///path/to/portal.db."
    )
