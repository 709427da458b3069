"""The community store: one contract shaped by how the API reads and writes.

Every backend (SQLite here; DynamoDB later) implements :class:`Store`. Callers pass the
current time (``now``) in, so rules can be tested without waiting and the demo can write
history. Times are ISO 8601 UTC strings ("2026-11-23T09:30:00Z"), which sort as text.

Every change to a question or answer also records an :class:`Event` in the same
transaction (the outbox); :meth:`Store.changes_since` hands them to the search indexer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from core.roles import Role

PostKind = Literal["question", "answer"]
Sort = Literal["newest", "active", "votes", "unanswered"]
NotificationKind = Literal["answer", "comment", "accepted"]
# Outbox event kinds: what happened to a question or an answer.
EventKind = Literal[
    "created", "edited", "hidden", "shown", "deleted", "answered", "accepted", "voted"
]


T = TypeVar("T")


class StoreError(Exception):
    """A store failure the API turns into a client error."""


class Conflict(StoreError):
    """A unique value (``field``) is already taken."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is already taken")
        self.field = field


class BadCursor(StoreError):
    """A list cursor that this store did not hand out."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    email: str
    role: Role
    password_hash: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    author_id: int
    author_name: str
    title: str
    body: str
    body_html: str
    excerpt: str
    tags: tuple[str, ...]
    lang: str
    score: int
    answer_count: int
    accepted_answer_id: int | None
    view_count: int
    created_at: str
    updated_at: str
    last_activity_at: str
    hidden: bool


@dataclass(frozen=True, slots=True)
class Answer:
    id: int
    question_id: int
    author_id: int
    author_name: str
    body: str
    body_html: str
    score: int
    created_at: str
    updated_at: str
    hidden: bool


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    post_kind: PostKind
    post_id: int
    author_id: int
    author_name: str
    body: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Revision:
    id: int
    title: str | None
    body: str
    tags: tuple[str, ...]
    author_id: int
    author_name: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    user_id: int
    kind: NotificationKind
    question_id: int
    question_title: str
    actor_id: int
    actor_name: str
    created_at: str
    read: bool


@dataclass(frozen=True, slots=True)
class Event:
    """One change in the outbox; ``id`` only ever increases."""

    id: int
    kind: EventKind
    entity: PostKind
    entity_id: int
    question_id: int
    at: str


@dataclass(frozen=True, slots=True)
class Attempts:
    """Recent attempts of one kind by one username or address: how many, and the oldest."""

    count: int
    oldest: str | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class Store(Protocol):
    # Users
    def create_user(
        self, username: str, email: str, password_hash: str, role: Role, now: str
    ) -> User: ...
    def user_by_id(self, user_id: int) -> User | None: ...
    def user_by_username(self, username: str) -> User | None: ...
    def post_counts(self, user_id: int) -> tuple[int, int]: ...

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
    ) -> int: ...
    def question(self, question_id: int) -> Question | None: ...
    def list_questions(
        self,
        sort: Sort,
        *,
        tag: str | None = None,
        lang: str | None = None,
        author_id: int | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Question]: ...
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
    ) -> None: ...
    def count_view(self, question_id: int) -> None: ...

    # Answers
    def create_answer(
        self, question_id: int, author_id: int, body: str, body_html: str, now: str
    ) -> tuple[int, list[int]]:
        """The new answer's id, and the notifications ("answer") its question's followers
        got, written in the same transaction."""
        ...

    def answer(self, answer_id: int) -> Answer | None: ...
    def answers_of(self, question_id: int) -> list[Answer]: ...
    def edit_answer(
        self, answer_id: int, editor_id: int, body: str, body_html: str, now: str
    ) -> None: ...
    def accept_answer(self, question_id: int, answer_id: int | None, now: str) -> None: ...

    # Either kind of post
    def revisions(self, kind: PostKind, post_id: int) -> list[Revision]: ...
    def add_comment(
        self, kind: PostKind, post_id: int, question_id: int, author_id: int, body: str, now: str
    ) -> Comment: ...
    def comments_of(self, question_id: int) -> list[Comment]: ...
    def set_vote(self, user_id: int, kind: PostKind, post_id: int, value: int, now: str) -> int: ...
    def votes_on(self, user_id: int, question_id: int) -> dict[tuple[PostKind, int], int]: ...
    def set_hidden(self, kind: PostKind, post_id: int, hidden: bool, now: str) -> None: ...
    def delete_post(self, kind: PostKind, post_id: int, now: str) -> None: ...

    # Following and notifications
    def set_following(self, user_id: int, question_id: int, following: bool) -> None: ...
    def is_following(self, user_id: int, question_id: int) -> bool: ...
    def notify(
        self,
        user_ids: Iterable[int],
        kind: NotificationKind,
        question_id: int,
        actor_id: int,
        now: str,
    ) -> list[int]: ...
    def notifications_by_id(self, ids: Sequence[int]) -> list[Notification]: ...
    def notifications(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Notification]: ...
    def unread_count(self, user_id: int) -> int: ...
    def mark_read(self, user_id: int, ids: Iterable[int] | None) -> None: ...

    # Limits (kept here so they hold across processes)
    def posts_since(self, user_id: int, kind: PostKind, since: str) -> int: ...
    def count_write(self, user_id: int, window_start: str) -> int: ...
    def attempts(self, scope: str, key: str, since: str) -> Attempts:
        """The attempts recorded for ``(scope, key)`` at or after ``since``."""
        ...

    def add_attempts(
        self, entries: Sequence[tuple[str, str]], now: str, forget_before: str
    ) -> list[int]:
        """Record one attempt per ``(scope, key)`` (their ids), forgetting every attempt
        older than ``forget_before``."""
        ...

    def remove_attempts(self, ids: Sequence[int]) -> None: ...
    def clear_attempts(self, scope: str, key: str) -> None: ...

    # Outbox
    def changes_since(self, after_id: int, limit: int = 100) -> list[Event]: ...
    def last_event_id(self) -> int: ...

    def close(self) -> None: ...


def iso(moment: dt.datetime) -> str:
    """A UTC time as the API and the store write it."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow() -> str:
    return iso(dt.datetime.now(dt.UTC))


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def open_store(url: str) -> Store:
    """The store a ``PORTAL_STORE`` URL names (``sqlite:///path``)."""
    if url.startswith("sqlite:///"):
        from functions.store.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"))
    raise ValueError(
        f"PORTAL_STORE {url!r} is not supported here; use sqlite:///path/to/portal.db."
    )
