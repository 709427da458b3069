"""How much members may write: rules as plain functions, every number in this one place.

Counts come from the store, so the limits hold across worker processes. Like Discourse,
new accounts (their first day) get tighter limits, which keeps spam runs short.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from core.roles import STAFF_ROLES
from functions import wording
from functions.store import Attempts, PostKind, iso, parse_time

NEW_ACCOUNT_PERIOD = dt.timedelta(days=1)
NEW_ACCOUNT_POSTS: dict[PostKind, int] = {"question": 3, "answer": 10}
NEW_ACCOUNT_LINKS = 2
WRITE_WINDOW = dt.timedelta(minutes=1)
WRITES_PER_WINDOW = 30
# Password guessing: failed sign-ins per username (whoever tries) and per client address.
# The address allows more, as people behind one office or mobile network share it.
SIGN_IN_WINDOW = dt.timedelta(minutes=15)
SIGN_IN_FAILURES_PER_USERNAME = 10
SIGN_IN_FAILURES_PER_ADDRESS = 50
# Account creation, taken names included (so the 409s cannot list who is registered).
SIGN_UP_WINDOW = dt.timedelta(hours=1)
SIGN_UPS_PER_ADDRESS = 10
# Scopes of the attempts the store counts.
FAILED_SIGN_IN_USERNAME = "sign-in:username"
FAILED_SIGN_IN_ADDRESS = "sign-in:address"
SIGN_UP_ADDRESS = "sign-up:address"


@dataclass(frozen=True)
class Limited:
    """A limit was reached: the ``code`` of what to tell the person (``functions/words/
    limits.yml``), its ``params``, and seconds until they may retry."""

    code: str
    params: dict[str, object]
    retry_after: int

    @property
    def detail(self) -> str:
        return wording.say(self.code, self.params, "en")


def _limited(code: str, retry_after: int, **params: object) -> Limited:
    """The wait is in ``params`` twice: ``seconds``, and ``wait`` said in every language."""
    waits = {"seconds": retry_after, "wait": wording.duration(retry_after)}
    return Limited(code, {**params, **waits}, retry_after)


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
    return _limited(f"new_member_{kind}s", _until_established(created_at, now), allowed=allowed)


def new_account_links(links: int, created_at: str, now: str) -> Limited | None:
    if links <= NEW_ACCOUNT_LINKS:
        return None
    return _limited(
        "new_member_links",
        _until_established(created_at, now),
        allowed=NEW_ACCOUNT_LINKS,
        links=links,
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
    return _limited("write_limit", retry_after, allowed=WRITES_PER_WINDOW)


def address_key(address: str | None) -> str:
    """The client address attempts are counted by: an IPv6 client usually holds a whole
    /64, so it counts as one address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def since(window: dt.timedelta, now: str) -> str:
    """The start of the sliding ``window`` that ends at ``now``."""
    return iso(parse_time(now) - window)


def attempts_expire(now: str) -> str:
    """When an attempt made ``now`` counts for nothing: after the longest window."""
    return iso(parse_time(now) + max(SIGN_IN_WINDOW, SIGN_UP_WINDOW))


def _until_oldest_leaves(oldest: str | None, window: dt.timedelta, now: str) -> int:
    if oldest is None:
        return int(window.total_seconds())
    left = parse_time(oldest) + window - parse_time(now)
    return max(1, int(left.total_seconds()))


def sign_in_failures(by_username: Attempts, by_address: Attempts, now: str) -> Limited | None:
    """Sign-ins stop for a while after too many wrong passwords for one username, or from
    one address. The same words whether or not the username exists."""
    window = wording.duration(int(SIGN_IN_WINDOW.total_seconds()), "minute")
    for code, attempts, allowed in (
        ("sign_in_failures_username", by_username, SIGN_IN_FAILURES_PER_USERNAME),
        ("sign_in_failures_network", by_address, SIGN_IN_FAILURES_PER_ADDRESS),
    ):
        if attempts.count >= allowed:
            retry = _until_oldest_leaves(attempts.oldest, SIGN_IN_WINDOW, now)
            return _limited(code, retry, allowed=allowed, window=window)
    return None


@dataclass(frozen=True)
class AddressLimit:
    """At most ``allowed`` of ``what`` from one client address in ``window`` (people behind
    one office or mobile network share it); the store counts them under ``scope``."""

    scope: str
    allowed: int
    window: dt.timedelta
    code: str  # the sentence that says it was reached (functions/words/limits.yml)


# "Was this helpful?": votes on pages.
FEEDBACK_WINDOW = dt.timedelta(minutes=10)
FEEDBACK_PER_ADDRESS = 60
# Searches that found nothing, counted as gaps in the content: only so many per address, so
# nobody can fill the list with made-up words (more are answered, just not counted).
SEARCH_MISSES_WINDOW = dt.timedelta(minutes=10)
SEARCH_MISSES_PER_ADDRESS = 20
SEARCH_MISS_CHARS = 100  # the words kept of a long search

SIGN_UPS = AddressLimit(SIGN_UP_ADDRESS, SIGN_UPS_PER_ADDRESS, SIGN_UP_WINDOW, "too_many_sign_ups")
FEEDBACK = AddressLimit(
    "feedback:address", FEEDBACK_PER_ADDRESS, FEEDBACK_WINDOW, "too_many_page_votes"
)
SEARCH_MISSES = AddressLimit(
    "search-miss:address",
    SEARCH_MISSES_PER_ADDRESS,
    SEARCH_MISSES_WINDOW,
    "too_many_missed_searches",
)


# ... and the same words from one address count once a day.
# Password reset emails: a few from one network an hour, and one address gets at most a few
# an hour however many networks ask (so a mailbox cannot be flooded).
PASSWORD_RESETS = AddressLimit("reset:address", 5, dt.timedelta(hours=1), "too_many_reset_requests")
RESETS_PER_EMAIL = AddressLimit("reset:email", 3, dt.timedelta(hours=1), "too_many_reset_emails")
RESET_LINK_VALID = dt.timedelta(hours=1)
SEARCH_MISS_REPEATS = AddressLimit("search-miss:words", 1, dt.timedelta(days=1), "search_repeated")


def per_address(limit: AddressLimit, by_address: Attempts, now: str) -> Limited | None:
    """``limit`` is reached when this address made ``allowed`` attempts in its window."""
    if by_address.count < limit.allowed:
        return None
    retry = _until_oldest_leaves(by_address.oldest, limit.window, now)
    window = wording.duration(int(limit.window.total_seconds()), "minute")
    return _limited(limit.code, retry, allowed=limit.allowed, window=window)


def sign_ups(by_address: Attempts, now: str) -> Limited | None:
    """Only so many accounts may be made from one address in an hour."""
    return per_address(SIGN_UPS, by_address, now)
