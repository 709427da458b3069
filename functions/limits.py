"""How much members may write: rules as plain functions, every number in this one place.

Counts come from the store, so the limits hold across worker processes. Like Discourse,
new accounts (their first day) get tighter limits, which keeps spam runs short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from functions.store import PostKind, iso, parse_time

NEW_ACCOUNT_PERIOD = dt.timedelta(days=1)
NEW_ACCOUNT_POSTS: dict[PostKind, int] = {"question": 3, "answer": 10}
NEW_ACCOUNT_LINKS = 2
WRITE_WINDOW = dt.timedelta(minutes=1)
WRITES_PER_WINDOW = 30
STAFF_ROLES = ("moderator", "admin")


@dataclass(frozen=True)
class Limited:
    """A limit was reached: what to tell the person, and seconds until they may retry."""

    detail: str
    retry_after: int


def is_new_account(role: str, created_at: str, now: str) -> bool:
    return role not in STAFF_ROLES and parse_time(now) - parse_time(created_at) < (
        NEW_ACCOUNT_PERIOD
    )


def new_account_since(now: str) -> str:
    """The start of the period a new account's posts are counted in."""
    return iso(parse_time(now) - NEW_ACCOUNT_PERIOD)


def _until_established(created_at: str, now: str) -> int:
    left = parse_time(created_at) + NEW_ACCOUNT_PERIOD - parse_time(now)
    return max(1, int(left.total_seconds()))


def new_account_posts(kind: PostKind, posted: int, created_at: str, now: str) -> Limited | None:
    """A new account may post only so many questions (or answers) in its first day."""
    allowed = NEW_ACCOUNT_POSTS[kind]
    if posted < allowed:
        return None
    return Limited(
        f"New members can post {allowed} {kind}s in their first day; you can post more "
        "once your account is a day old.",
        _until_established(created_at, now),
    )


def new_account_links(links: int, created_at: str, now: str) -> Limited | None:
    if links <= NEW_ACCOUNT_LINKS:
        return None
    return Limited(
        f"New members can include at most {NEW_ACCOUNT_LINKS} links in a post in their first "
        f"day; this post has {links}. Remove some links, or post it once your account is a "
        "day old.",
        _until_established(created_at, now),
    )


def write_window(now: str) -> tuple[str, int]:
    """The fixed window ``now`` falls in: its start, and seconds until the next one."""
    moment = parse_time(now)
    seconds = int(WRITE_WINDOW.total_seconds())
    start = moment.timestamp() // seconds * seconds
    window_start = dt.datetime.fromtimestamp(start, dt.UTC)
    return iso(window_start), max(1, int(start + seconds - moment.timestamp()))


def writes(count: int, retry_after: int) -> Limited | None:
    """Members may make only so many changes a minute (votes, posts, edits, comments);
    moderators and admins are not limited, so they can clean up after a spam run."""
    if count <= WRITES_PER_WINDOW:
        return None
    return Limited(
        f"You have made {WRITES_PER_WINDOW} changes in the last minute; wait {retry_after} "
        "seconds and try again.",
        retry_after,
    )
