"""The store contract: what every backend (SQLite here; DynamoDB next) keeps and answers.

It is shaped so that a key-value store can keep it too (see "Store access patterns" in
README.md): every read is one of the listed access patterns, counts the API shows are
counters kept on their items, ids come from :mod:`functions.store.ids` (no counter shared by
every write), and no call writes an unbounded number of items in one transaction.

Every change writes an :class:`Event` in the same transaction: the event log is the source
of every side effect (notifications, email, search, and later awards and metrics), which
consumers read from their own cursor (:mod:`functions.consumers`).

Callers pass the current time (``now``) in, so rules can be tested without waiting and the
demo can write history. Times are ISO 8601 UTC strings ("2026-11-23T09:30:00Z"), which sort
as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from core.roles import Role

PostKind = Literal["question", "answer"]
Sort = Literal["newest", "active", "votes", "unanswered"]
NotificationKind = Literal["answer", "comment", "accepted", "feedback", "badge", "quest", "reward"]
Entity = Literal["user", "question", "answer", "comment", "page", "search", "redemption"]
# What happened. Each names its entity, its actor (who did it), the user it affects (the
# author of the post acted on) and a small data payload (see README.md, "Events").
EventKind = Literal[
    "signed_up",  # user; affects the new member
    "signed_in",  # user
    "visited",  # user: the first request of a signed-in member on a day
    "asked",  # question; data: lang, tags
    "edited",  # question or answer; data: revision
    "answered",  # answer; affects the asker
    "commented",  # comment; affects the post's author; data: on (post kind), post_id
    "voted",  # question or answer; affects its author; data: old, new (-1, 0 or 1)
    "accepted",  # answer; affects its author; data: previous (the answer accepted before), asker
    "unaccepted",  # answer; affects its author; data: reason (withdrawn, replaced, hidden, deleted)
    "followed",  # question
    "unfollowed",  # question
    "hidden",  # question or answer; affects its author; data: reason
    "shown",  # question or answer; affects its author
    "deleted",  # question or answer (soft); affects its author; data: reason
    "undeleted",  # question or answer; affects its author; data: reason
    "flagged",  # question or answer; affects its author; data: reason, weight
    "reviewed",  # question or answer; affects its author; data: upheld (the flags), reason
    "locked",  # question; affects the asker; data: reason
    "unlocked",  # question; affects the asker; data: reason
    "marked_duplicate",  # question; affects the asker; data: of (the original, or null), reason
    "noted",  # answer; affects its author; data: text (null: the note was taken away)
    "promoted",  # answer; affects its author; data: lang, title, previous_lang (if it moved)
    "unpromoted",  # answer; affects its author; data: lang, reason
    # page (entity_id: the vote's id); the actor is the member, or none for a visitor; data:
    # lang, page, helpful, reason, comment, previous (the vote it replaced: helpful, reason,
    # comment, at)
    "feedback",
    "search_missed",  # search (entity_id 0), nobody's: data: lang, query (normalised)
    # user (the member's id), by the awards consumer; affects the member: data: award (badge
    # or quest), name, tier, period, points (a quest's reward)
    "awarded",
    "password_changed",  # user; by the member (or none: a reset, the command line): data: how
    "signed_out_everywhere",  # user; by the member
    "account_changed",  # user; by the member: data: fields (which changed; never their values)
    "granted",  # user; by an admin (or none: the command line), affecting the member: data:
    # points, reason
    "redeemed",  # redemption; by and affecting the member: data: reward, cost
    "fulfilled",  # redemption; by a moderator, affecting the member: data: reward
]
# What moderators did: the audit log is these events, when a moderator or admin did them.
MODERATION_KINDS: tuple[str, ...] = (
    "edited",
    "hidden",
    "shown",
    "deleted",
    "undeleted",
    "reviewed",
    "locked",
    "unlocked",
    "marked_duplicate",
    "noted",
    "promoted",
    "unpromoted",
)
ReviewWhy = Literal["flagged", "waiting"]

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


class Stale(StoreError):
    """The post (``kind``) was hidden or deleted after it was read, before the change."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"the {kind} is no longer there")
        self.kind = kind


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    email: str
    role: Role
    password_hash: str
    created_at: str
    question_count: int = 0  # visible questions (a counter, kept as posts change)
    answer_count: int = 0  # visible answers
    flags_upheld: int = 0  # this member's flags that moderators upheld
    flags_rejected: int = 0  # ... and rejected
    reputation: int = 0  # the points the ledger gave them (counted as entries are booked)
    balance: int = 0  # the points they may still spend on rewards (never below 0)
    gold: int = 0  # badges they hold, by tier
    silver: int = 0
    bronze: int = 0
    session_version: int = 0  # sessions signed in under another version are over
    email_notifications: bool = True  # notifications are emailed too (when mail is set up)


@dataclass(frozen=True, slots=True)
class ModeratorNote:
    """A moderator's correction shown on an answer ("This no longer applies since...")."""

    text: str
    moderator_id: int
    moderator_name: str
    at: str


class _Post:
    """What questions and answers share: a post is visible unless hidden or deleted."""

    __slots__ = ()
    hidden: bool
    deleted: bool

    @property
    def visible(self) -> bool:
        return not (self.hidden or self.deleted)


@dataclass(frozen=True, slots=True)
class Question(_Post):
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
    answer_count: int  # visible answers only
    accepted_answer_id: int | None  # always a visible answer
    view_count: int
    created_at: str
    updated_at: str
    last_activity_at: str
    hidden: bool
    deleted: bool = False
    locked: bool = False  # no new answers, comments, votes or edits but moderators'
    duplicate_of: int | None = None  # the question this one repeats
    promoted_answer_id: int | None = None  # its answer in the knowledge base...
    promoted_lang: str | None = None  # ...in this language


@dataclass(frozen=True, slots=True)
class Answer(_Post):
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
    deleted: bool = False
    note: ModeratorNote | None = None


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
    reason: str | None = None  # why it was edited, when a moderator said


@dataclass(frozen=True, slots=True)
class PageNote:
    """What a notification about a knowledge-base page says: a reader's "no" and why."""

    page: str  # "en/faq/refunds/", relative to the site's root
    title: str
    reason: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class AwardNote:
    """What a notification of a badge, a quest or a reward names."""

    kind: Literal["badge", "quest", "reward"]
    name: str  # the badge's, quest's or reward's id in gamification.yml
    tier: str = ""
    points: int = 0


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    user_id: int
    kind: NotificationKind
    question_id: int | None  # None for a page's feedback
    question_title: str | None
    actor_id: int | None  # None for a visitor who was not signed in
    actor_name: str | None
    created_at: str
    read: bool
    page: PageNote | None = None
    award: AwardNote | None = None


@dataclass(frozen=True, slots=True)
class NewNotifications:
    """Who hears of one event."""

    event_id: int
    kind: NotificationKind
    question_id: int | None
    actor_id: int | None
    user_ids: tuple[int, ...]
    at: str
    page: PageNote | None = None
    award: AwardNote | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One change, as written in the same transaction as the change itself."""

    id: int
    kind: EventKind
    entity: Entity
    entity_id: int
    question_id: int | None
    actor_id: int | None
    affected_id: int | None
    at: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventPage:
    """Events after a cursor, and the cursor after them (opaque: only the store reads it)."""

    events: list[Event]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class Flag:
    id: int
    post_kind: PostKind
    post_id: int
    flagger_id: int
    flagger_name: str
    reason: str
    note: str | None
    weight: float
    status: Literal["open", "upheld", "rejected"]
    created_at: str


@dataclass(frozen=True, slots=True)
class Promotion:
    """An answer made a knowledge-base page: what the page says of itself, and who made it."""

    answer_id: int
    question_id: int
    lang: str
    title: str
    summary: str
    tags: tuple[str, ...]
    promoted_by: str  # the moderator's username
    promoted_at: str
    body_html: str  # the answer as it was promoted (later edits wait for a new promotion)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A post waiting for a moderator: flagged, or a new member's post held back."""

    post_kind: PostKind
    post_id: int
    question_id: int
    why: ReviewWhy
    since: str
    flag_weight: float


@dataclass(frozen=True, slots=True)
class Mail:
    """An email waiting in the outbox; ``key`` makes queueing it twice a no-op."""

    key: str
    to: str
    subject: str
    text: str
    attempts: int = 0
    status: Literal["pending", "sent", "failed"] = "pending"
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """One reader's vote on one page: helpful or not, and why not."""

    lang: str
    page: str  # the page's address within its language: "faq/refunds/"
    helpful: bool
    reason: str | None
    comment: str | None
    at: str


@dataclass(frozen=True, slots=True)
class QuestionClock:
    """What the health figures keep of a question: when it was asked and first answered."""

    question_id: int
    lang: str
    asked_at: str
    answered_at: str | None  # its first answer anyone could see
    held: bool = False  # held back for review when asked, and not let through yet
    deleted: bool = False

    @property
    def counted(self) -> bool:
        """In the figures: neither held back nor deleted."""
        return not (self.held or self.deleted)


@dataclass(frozen=True, slots=True)
class Count:
    """A change to one counter: ``name`` in ``lang`` (a language; "*" for all of them; ""
    for what has no language) over ``period`` (a day "2026-11-02"; a month "2026-11" for
    monthly counts; "M2026-11" for the sum of a month's days), for ``key`` ("" for none)."""

    name: str
    lang: str
    period: str
    key: str
    delta: int


@dataclass(frozen=True, slots=True)
class MetricUpdate:
    """What a batch of events changes in the health figures, applied in one transaction."""

    counts: list[Count]
    clocks: list[QuestionClock]
    active: list[tuple[str, int]]  # (month, member) pairs seen active for the first time


@dataclass(frozen=True, slots=True)
class Booking:
    """One ledger entry: ``points`` for ``user_id`` under ``key``, because of ``event_id``."""

    user_id: int
    points: int
    reason: str  # the act ("upvoted"), or the act and its undoing ("upvoted:withdrawn")
    key: str
    post: str | None  # "answer:42": the post it is about (a deletion takes these back)
    event_id: int
    at: str
    boards: tuple[tuple[str, str], ...] = ()  # the leaderboards its points count toward


@dataclass(frozen=True, slots=True)
class Award:
    """A badge tier (``kind`` "badge") or a quest (``kind`` "quest") reached, once per
    ``period`` ("" for once ever)."""

    user_id: int
    kind: str
    name: str
    tier: str
    period: str
    event_id: int
    at: str
    booking: Booking | None = None  # a quest's reward, booked when it is reached


@dataclass
class AwardUpdate:
    """What a batch of events earns, applied in one transaction (:meth:`Store.apply_awards`)."""

    entries: list[Booking] = field(default_factory=list)
    stats: dict[tuple[int, str, str], int] = field(default_factory=dict)  # deltas
    awards: list[Award] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Booked:
    """The points booked under one key for one member: all of them, and those a deletion
    took back or an undeletion gave again (``undone``)."""

    user_id: int
    key: str
    post: str | None
    points: int
    undone: int


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    user_id: int
    points: int  # the change to reputation
    spendable: int  # the change to the balance
    reason: str
    key: str
    event_id: int
    at: str


@dataclass(frozen=True, slots=True)
class Leader:
    """A member's place on a leaderboard: their points in its period (and tag)."""

    user_id: int
    username: str
    points: int
    reputation: int
    gold: int = 0
    silver: int = 0
    bronze: int = 0


@dataclass(frozen=True, slots=True)
class Earned:
    """A badge tier or a quest a member reached (``period``: "" once ever, or its week or
    month)."""

    kind: Literal["badge", "quest"]
    name: str
    tier: str
    period: str
    at: str


@dataclass(frozen=True, slots=True)
class Redemption:
    id: int
    user_id: int
    username: str
    reward: str
    cost: int
    status: Literal["pending", "fulfilled"]
    created_at: str
    fulfilled_at: str | None = None


class NotEnoughPoints(StoreError):
    """The member's balance is below the reward's cost."""


class OutOfStock(StoreError):
    """The reward's stock is used up."""


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
    def users_by_id(self, user_ids: Sequence[int]) -> list[User]: ...
    def user_by_username(self, username: str) -> User | None: ...
    def user_by_email(self, email: str) -> User | None: ...
    def set_password(self, user_id: int, password_hash: str, how: str, now: str) -> None:
        """A new password; every session of the member ends (``how``: changed, reset, set)."""
        ...

    def end_sessions(self, user_id: int, now: str) -> None:
        """Sign the member out everywhere: every session signed in before now ends."""
        ...

    def update_account(
        self,
        user_id: int,
        now: str,
        *,
        email: str | None = None,
        email_notifications: bool | None = None,
    ) -> User:
        """Change what is given (:class:`Conflict` "email" when it is taken)."""
        ...

    def add_password_reset(
        self, token_hash: str, user_id: int, now: str, expires: str, mail: Mail
    ) -> None:
        """Keep a reset token's hash until ``expires``, and queue its email, in one write."""
        ...

    def use_password_reset(self, token_hash: str, now: str) -> int | None:
        """The member a reset token is for, once: None if it is unknown, used or expired."""
        ...

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
        held: bool = False,
    ) -> int:
        """A new question; ``held``: hidden and queued for review until a moderator looks."""
        ...

    def question(self, question_id: int) -> Question | None:
        """The question, hidden or deleted ones included (callers decide who sees them)."""
        ...

    def list_questions(
        self,
        sort: Sort,
        *,
        lang: str | None = None,
        tag: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Question]:
        """Visible questions in ``sort`` order: all of them, one language's, one tag's, or
        one tag's in one language."""
        ...

    def questions_by(
        self, author_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Question]:
        """A member's visible questions, newest first."""
        ...

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
        reason: str | None = None,
    ) -> None: ...
    def count_view(self, question_id: int) -> None: ...

    # Answers
    def create_answer(
        self,
        question_id: int,
        author_id: int,
        body: str,
        body_html: str,
        now: str,
        held: bool = False,
    ) -> int: ...
    def answer(self, answer_id: int) -> Answer | None: ...
    def answers_of(self, question_id: int) -> list[Answer]: ...
    def edit_answer(
        self,
        answer_id: int,
        editor_id: int,
        body: str,
        body_html: str,
        now: str,
        reason: str | None = None,
    ) -> None: ...
    def accept_answer(
        self, question_id: int, answer_id: int | None, actor_id: int, now: str
    ) -> None:
        """Accept one of the question's visible answers (:class:`Stale` if it is not one
        any more), or none."""
        ...

    # Either kind of post
    def revisions(self, kind: PostKind, post_id: int) -> list[Revision]: ...
    def add_comment(
        self, kind: PostKind, post_id: int, question_id: int, author_id: int, body: str, now: str
    ) -> Comment: ...
    def comments_of(self, question_id: int) -> list[Comment]: ...
    def set_vote(self, user_id: int, kind: PostKind, post_id: int, value: int, now: str) -> int:
        """Set one member's vote (0 withdraws it); the post's new score."""
        ...

    def votes_on(self, user_id: int, question_id: int) -> dict[tuple[PostKind, int], int]: ...
    def set_hidden(
        self,
        kind: PostKind,
        post_id: int,
        hidden: bool,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None: ...
    def delete_post(
        self,
        kind: PostKind,
        post_id: int,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Soft delete: the post leaves every list, its votes and revisions stay."""
        ...

    def undelete_post(
        self,
        kind: PostKind,
        post_id: int,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None: ...

    def set_locked(
        self, question_id: int, locked: bool, now: str, *, actor_id: int, reason: str | None
    ) -> None: ...
    def mark_duplicate(
        self,
        question_id: int,
        original_id: int | None,
        now: str,
        *,
        actor_id: int,
        reason: str | None,
    ) -> None: ...
    def set_note(self, answer_id: int, text: str | None, now: str, *, actor_id: int) -> None:
        """A moderator's note on an answer, or none (``text`` None)."""
        ...

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
        """Make (or remake) an answer a knowledge-base page; its question points there."""
        ...

    def unpromote(self, answer_id: int, now: str, *, actor_id: int, reason: str | None) -> bool:
        """Take the page away again; the question is left as it was. False if it was not
        promoted."""
        ...

    def promotion(self, answer_id: int) -> Promotion | None: ...

    # Flags, the review queue and the moderators' log
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
        """Flag a post (:class:`Conflict` "flag" if this member flagged it before) and queue
        it for review; the total weight of its open flags."""
        ...

    def flags_on(self, kind: PostKind, post_id: int) -> list[Flag]: ...
    def hold_for_review(self, kind: PostKind, post_id: int, now: str) -> None:
        """Hide a post until a moderator looks (a new member edited links into it)."""
        ...

    def review_queue(self, cursor: str | None = None, limit: int = 20) -> Page[ReviewItem]:
        """Posts waiting for a moderator, oldest first."""
        ...

    def resolve_review(
        self,
        kind: PostKind,
        post_id: int,
        upheld: bool,
        actor_id: int,
        now: str,
        reason: str | None = None,
    ) -> bool:
        """Take a post off the queue, its open flags upheld or rejected (which moves each
        flagger's record); False if it was not waiting."""
        ...

    def moderation_log(
        self,
        *,
        actor_id: int | None = None,
        post: tuple[PostKind, int] | None = None,
        kind: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Event]:
        """What moderators did, newest first: all of it, or one moderator's, one post's or
        one kind of action."""
        ...

    # Following and notifications
    def set_following(self, user_id: int, question_id: int, following: bool, now: str) -> None: ...
    def is_following(self, user_id: int, question_id: int) -> bool: ...
    def followers(self, question_id: int, after: int = 0, limit: int = 100) -> list[int]:
        """Ids of a question's followers above ``after``, ascending (pages for fan-out)."""
        ...

    def add_notifications(self, batches: Sequence[NewNotifications]) -> int:
        """One notification per event and user, in one write (callers bound the batch);
        those that exist are left alone, so a replayed event notifies nobody twice. How
        many were new."""
        ...

    def notifications(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Notification]: ...
    def unread_count(self, user_id: int) -> int: ...
    def mark_read(self, user_id: int, ids: Iterable[int] | None) -> None:
        """Mark these notifications read, or (``None``) every one up to now: a watermark,
        however many there are."""
        ...

    # The mail outbox
    def queue_mail(self, messages: Sequence[Mail], now: str) -> None:
        """Queue messages to send; a key already queued is left alone."""
        ...

    def mail(self, key: str) -> Mail | None: ...
    def due_mail(self, now: str, limit: int = 20) -> list[Mail]: ...
    def claim_mail(self, key: str, now: str, until: str) -> bool:
        """Take a due message for sending until ``until``; False if another sender has it."""
        ...

    def finish_mail(
        self,
        key: str,
        claim: str,
        now: str,
        error: str | None = None,
        retry_at: str | None = None,
    ) -> bool:
        """Sent (no error); or failed, to try again at ``retry_at`` or never (None). Only
        while the sender's claim (the ``until`` it claimed with) still stands: False when
        the claim lapsed and another sender took the message."""
        ...

    # Limits (kept here so they hold across processes)
    def posts_since(self, user_id: int, kind: PostKind, since: str) -> int: ...
    def count_write(self, user_id: int, window_start: str) -> int: ...
    def attempts(self, scope: str, key: str, since: str) -> Attempts:
        """The attempts recorded for ``(scope, key)`` at or after ``since``."""
        ...

    def add_attempts(self, entries: Sequence[tuple[str, str]], now: str, expires: str) -> list[int]:
        """Record one attempt per ``(scope, key)`` (their ids), forgotten after ``expires``."""
        ...

    def remove_attempts(self, ids: Sequence[int]) -> None: ...
    def clear_attempts(self, scope: str, key: str) -> None: ...
    def forget_expired(self, now: str, limit: int = 500) -> int:
        """Delete up to ``limit`` expired attempts and sent mail; how many went."""
        ...

    # Feedback on pages, and searches that found nothing
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
        """Record a visitor's vote on a page, replacing their earlier one; False (and no
        event) when it says what the earlier one said."""
        ...

    def feedback_of(self, visitor: str, lang: str, page: str) -> Feedback | None: ...
    def feedback_comments(
        self, lang: str, page: str, since: str = "", limit: int = 3
    ) -> list[Feedback]:
        """The newest votes on a page that came with a comment, given at or after ``since``."""
        ...

    def record_sign_in(self, user_id: int, now: str) -> None: ...
    def record_search_missed(self, lang: str, query: str, now: str) -> None:
        """A search that found nothing (its words only: not who searched)."""
        ...

    # The health figures: counters kept by the metrics consumer
    def question_clocks(self, question_ids: Sequence[int]) -> dict[int, QuestionClock]: ...
    def seen_active(self, pairs: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of these (month, member) pairs are counted active already."""
        ...

    def apply_metrics(
        self, update: MetricUpdate, consumer: str, after: str | None, cursor: str | None
    ) -> bool:
        """Apply a batch's counter changes and move the consumer's cursor from ``after`` (where
        the batch began) to ``cursor``, in one transaction: a batch is counted once, whenever
        the consumer stops. False, and nothing applied, when the cursor is no longer
        ``after`` (another runner counted the batch)."""
        ...

    # ``periods``: ranges of counter periods, (first, last) inclusive, such as a month's
    # days ("2026-11-03", "2026-11-30") or months' counters ("M2026-01", "M2026-10").
    def metric_rows(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]]
    ) -> list[tuple[str, str, int]]:
        """(period, key, value) of ``name`` in ``periods``, summed over ``langs``."""
        ...

    def metric_top(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]], limit: int
    ) -> list[tuple[str, int]]:
        """The ``limit`` keys of ``name`` with the largest totals over ``periods``."""
        ...

    def metric_keys(
        self,
        name: str,
        langs: Sequence[str],
        periods: Sequence[tuple[str, str]],
        keys: Sequence[str],
    ) -> dict[str, int]:
        """Totals over ``periods`` of the given keys only."""
        ...

    def question_topics(
        self, question_ids: Sequence[int]
    ) -> dict[int, tuple[str, tuple[str, ...]]]:
        """Each question's title and tags, for trending topics."""
        ...

    def unanswered(
        self, asked_before: str, lang: str | None, limit: int
    ) -> tuple[int, list[Question]]:
        """Visible questions with no visible answer, asked at or before ``asked_before`` (in
        ``lang``, or any): how many, and the newest ``limit`` of them."""
        ...

    # Engagement: the ledger, members' numbers, badges, leaderboards and rewards
    def booked(self, keys: Sequence[str], posts: Sequence[str]) -> list[Booked]:
        """The points booked under these keys, and under every key on these posts (by
        member and key)."""
        ...

    def entries_of(self, event_ids: Sequence[int]) -> set[tuple[int, int, str]]:
        """(event, member, key) of the ledger entries these events booked."""
        ...

    def member_stats(
        self, user_ids: Sequence[int], periods: Sequence[str]
    ) -> dict[tuple[int, str, str], int]:
        """The members' numbers (leaderboard points aside) in these periods."""
        ...

    def answer_scores(self, answer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Each answer's author and score."""
        ...

    def apply_awards(
        self, update: AwardUpdate, consumer: str, after: str | None, cursor: str | None
    ) -> bool:
        """Book a batch's entries (each key once per event), move the members' numbers and
        leaderboards, award what is new (an ``awarded`` event each), and move the consumer's
        cursor from ``after`` to ``cursor``, in one transaction. False, and nothing applied,
        when the cursor is no longer ``after``."""
        ...

    def leaderboard(self, name: str, period: str, limit: int) -> list[Leader]:
        """The members with the most points under ``name`` ("points", "points:<tag>") in
        ``period`` ("all", "w2026-W49", "m2026-12"), most first."""
        ...

    def points_of(
        self, user_id: int, boards: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        """A member's points on these leaderboards ((name, period) pairs)."""
        ...

    def earned(self, user_id: int) -> list[Earned]:
        """The badges and quests a member reached, newest first."""
        ...

    def ledger_of(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[LedgerEntry]:
        """A member's ledger, newest first."""
        ...

    def record_visit(self, user_id: int, now: str) -> None: ...
    def grant_points(
        self, user_id: int, points: int, reason: str, actor_id: int | None, now: str
    ) -> None:
        """An admin gives a member points (or takes some): the awards consumer books them."""
        ...

    def redeem(self, user_id: int, reward: str, cost: int, stock: int, now: str) -> Redemption:
        """Spend ``cost`` points on one of ``stock`` rewards: :class:`NotEnoughPoints` or
        :class:`OutOfStock` (and nothing spent) when they would go below zero."""
        ...

    def redemptions(
        self,
        *,
        user_id: int | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Redemption]:
        """One member's redemptions, or all of one status, newest first."""
        ...

    def redeemed(self) -> dict[str, int]:
        """How many of each reward are taken."""
        ...

    def fulfil(self, redemption_id: int, actor_id: int, now: str) -> Redemption | None:
        """Mark a pending redemption fulfilled; None if there is none by that id (a fulfilled
        one is returned as it is)."""
        ...

    # The event log and its consumers
    def events_after(self, cursor: str | None, limit: int = 100) -> EventPage:
        """Events after ``cursor`` (None: from the start) in the order they committed."""
        ...

    def latest_cursor(self) -> str | None:
        """The cursor after the newest event (None while there is none)."""
        ...

    def consumer_cursor(self, consumer: str) -> str | None: ...
    def save_consumer_cursor(self, consumer: str, cursor: str | None) -> None: ...

    def close(self) -> None: ...


def iso(moment: dt.datetime) -> str:
    """A UTC time as the API and the store write it."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow() -> str:
    return iso(dt.datetime.now(dt.UTC))


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def later(now: str, seconds: float) -> str:
    """``now`` plus ``seconds``, as the store writes times."""
    return iso(parse_time(now) + dt.timedelta(seconds=seconds))


def log_position(cursor: str | int | None) -> int:
    """The event log position an events cursor names: a plain number (None: the start;
    older search indexes kept an int)."""
    if cursor is None:
        return 0
    text = str(cursor)
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise BadCursor(text)
    return int(text)
