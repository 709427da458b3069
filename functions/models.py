"""The API's request and response models: they validate input, shape output and are the
source of the OpenAPI document (see functions/openapi.py)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.languages import Lang
from core.roles import Role
from core.tags import MAX_TAG_CHARS, valid_tag
from functions import content
from functions.flag_rules import MAX_NOTE_CHARS, FlagReason
from functions.store.contract import MODERATION_KINDS

Time = Annotated[str, Field(examples=["2026-11-23T09:30:00Z"])]
Id = Annotated[int, Field(ge=1, lt=2**63)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _username(value: str) -> str:
    if not content.valid_username(value):
        raise ValueError("Use only letters, digits, '_' and '-' in a username.")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("Enter an email address like name@example.com.")
    return value


def _tags(value: list[str]) -> list[str]:
    bad = [tag for tag in value if not valid_tag(tag)]
    if bad:
        raise ValueError(
            f"Tags are lowercase words joined by '-' (like 'battery-life'); fix {', '.join(bad)}."
        )
    if len(set(value)) != len(value):
        raise ValueError("Each tag can be given once.")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("Write some text, not only spaces.")
    return value


Title = Annotated[str, Field(min_length=15, max_length=150), AfterValidator(_not_blank)]
Body = Annotated[str, Field(min_length=20, max_length=20_000), AfterValidator(_not_blank)]
Tag = Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
Tags = Annotated[list[Tag], Field(max_length=5), AfterValidator(_tags)]


Reason = Annotated[str, Field(min_length=3, max_length=300), AfterValidator(_not_blank)]


class Request(BaseModel):
    """A JSON request body: strict JSON types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


# Requests


class SignUp(Request):
    username: Annotated[str, Field(min_length=3, max_length=30), AfterValidator(_username)]
    email: Annotated[str, Field(max_length=254), AfterValidator(_email)]
    password: Annotated[str, Field(min_length=10, max_length=1024)]


class SignIn(Request):
    username: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class NewQuestion(Request):
    title: Title
    body: Body
    tags: Tags = []
    lang: Lang


class QuestionEdit(Request):
    title: Title | None = None
    body: Body | None = None
    tags: Tags | None = None
    reason: Reason | None = None  # why it was edited: the revision keeps it


class AnswerEdit(Request):
    body: Body
    reason: Reason | None = None


class NewAnswer(Request):
    body: Body


class NewComment(Request):
    body: Annotated[str, Field(min_length=2, max_length=600), AfterValidator(_not_blank)]


class VoteRequest(Request):
    # A strict int, not Literal[1, -1, 0], which would also take true and false.
    value: Annotated[int, Field(strict=True, ge=-1, le=1, description="1 up, -1 down, 0 none")]


class AcceptRequest(Request):
    answer_id: Id | None


class FollowRequest(Request):
    following: bool


class ReadRequest(Request):
    ids: Annotated[list[Id], Field(max_length=500)] | None = None
    all: bool = False


class QuestionQuery(BaseModel):
    sort: Literal["newest", "active", "votes", "unanswered"] = "newest"
    tag: Annotated[str, Field(max_length=30)] | None = None
    lang: Lang | None = None
    author: Annotated[str, Field(max_length=30, description="a user id or username")] | None = None
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class PageQuery(BaseModel):
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class FlagRequest(Request):
    reason: FlagReason
    note: Annotated[str, Field(max_length=MAX_NOTE_CHARS)] | None = None


class ModerationRequest(Request):
    """``approve`` clears the review (the flags were wrong; a held post shows); the others
    need a reason, which the moderators' log keeps."""

    action: Literal[
        "approve",
        "hide",
        "restore",
        "delete",
        "undelete",
        "lock",
        "unlock",
        "mark_duplicate",
        "unmark_duplicate",
    ]
    reason: Reason | None = None
    duplicate_of: Id | None = None  # with mark_duplicate: the question this one repeats


class PromotionRequest(Request):
    """What the knowledge-base page says of itself; its language is the question's unless
    given."""

    title: Annotated[str, Field(min_length=5, max_length=120), AfterValidator(_not_blank)]
    summary: Annotated[str, Field(min_length=10, max_length=300), AfterValidator(_not_blank)]
    tags: Tags = []
    lang: Lang | None = None


class ReasonQuery(BaseModel):
    reason: Reason | None = None


class NoteRequest(Request):
    text: Annotated[str, Field(min_length=3, max_length=500), AfterValidator(_not_blank)] | None


class ModerationLogQuery(PageQuery):
    moderator: Annotated[str, Field(max_length=30, description="a user id or username")] | None = (
        None
    )
    post_kind: Literal["question", "answer"] | None = None
    post_id: Annotated[int, Field(ge=1, lt=2**63)] | None = None
    action: Literal[MODERATION_KINDS] | None = None  # type: ignore[valid-type]


# Responses


class Author(BaseModel):
    id: int
    username: str


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    created_at: Time


class Profile(UserOut):
    question_count: int
    answer_count: int


class SessionOut(BaseModel):
    user: UserOut | None
    csrf_token: str


class CommentOut(BaseModel):
    id: int
    body: str
    author: Author
    created_at: Time


class QuestionSummary(BaseModel):
    id: int
    title: str
    excerpt: str
    tags: list[str]
    lang: Lang
    author: Author
    score: int
    answer_count: int
    accepted_answer_id: int | None
    view_count: int
    created_at: Time
    last_activity_at: Time
    status: Literal["open", "answered", "accepted"]
    locked: bool
    duplicate_of: int | None
    promoted_url: str | None  # its answer's knowledge-base page, from the site's root
    promoted_answer_id: int | None


class AnswerViewer(BaseModel):
    vote: Literal[-1, 0, 1]
    can_edit: bool


class QuestionViewer(AnswerViewer):
    following: bool
    can_accept: bool


class NoteOut(BaseModel):
    text: str
    moderator: Author
    at: Time


class AnswerOut(BaseModel):
    id: int
    question_id: int
    body: str
    body_html: str
    author: Author
    score: int
    accepted: bool
    created_at: Time
    updated_at: Time
    comments: list[CommentOut]
    viewer: AnswerViewer
    moderator_note: NoteOut | None


class QuestionOut(QuestionSummary):
    body: str
    body_html: str
    updated_at: Time
    comments: list[CommentOut]
    answers: list[AnswerOut]
    viewer: QuestionViewer


class QuestionList(BaseModel):
    items: list[QuestionSummary]
    next_cursor: str | None


class RevisionOut(BaseModel):
    id: int
    title: str | None = None
    body: str
    tags: list[str]
    author: Author
    created_at: Time
    reason: str | None = None


class RevisionList(BaseModel):
    items: list[RevisionOut]
    next_cursor: str | None = None


class VoteOut(BaseModel):
    score: int
    vote: Literal[-1, 0, 1]


class AcceptedOut(BaseModel):
    accepted_answer_id: int | None


class FollowOut(BaseModel):
    following: bool


class NotificationOut(BaseModel):
    id: int
    kind: Literal["answer", "comment", "accepted"]
    question_id: int
    question_title: str
    actor: Author
    created_at: Time
    read: bool


class NotificationList(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class PromotionOut(BaseModel):
    url: str  # the page, relative to the site's root: "en/community/answer-42/"
    lang: Lang
    title: str


class NoteState(BaseModel):
    text: str | None


class FlagOut(BaseModel):
    hidden: bool  # the flags now hide the post until a moderator looks


class PostState(BaseModel):
    """A post after a moderator's action (which also takes it off the review queue)."""

    hidden: bool
    deleted: bool


class FlagEntry(BaseModel):
    id: int
    reason: str
    note: str | None
    weight: float
    status: Literal["open", "upheld", "rejected"]
    flagger: Author
    created_at: Time


class ReviewItemOut(BaseModel):
    post_kind: Literal["question", "answer"]
    post_id: int
    question_id: int
    question_title: str
    body_html: str
    author: Author
    why: Literal["flagged", "waiting"]
    since: Time
    flag_weight: float
    hidden: bool
    deleted: bool
    flags: list[FlagEntry]
    revisions: list[RevisionOut]


class ReviewList(BaseModel):
    items: list[ReviewItemOut]
    next_cursor: str | None


class LogEntryOut(BaseModel):
    id: int
    action: str
    post_kind: str
    post_id: int
    question_id: int | None
    moderator: Author
    reason: str | None
    at: Time


class ModerationLog(BaseModel):
    items: list[LogEntryOut]
    next_cursor: str | None


class FieldError(BaseModel):
    field: str
    message: str


class ProblemOut(BaseModel):
    """An error (RFC 9457); ``errors`` names every bad field of a 422."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
