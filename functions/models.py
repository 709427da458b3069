"""The API's request and response models: they validate input, shape output and are the
source of the OpenAPI document (see functions/openapi.py)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.languages import Lang
from core.roles import Role
from core.tags import MAX_TAG_CHARS, valid_tag
from functions import content
from functions.flag_rules import MAX_NOTE_CHARS, FlagReason
from functions.store.contract import MODERATION_KINDS

Time = Annotated[str, Field(examples=["2026-11-23T09:30:00Z"])]
Id = Annotated[int, Field(ge=1, lt=2**63)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FieldRule(ValueError):
    """A field's own rule refused its value: ``code`` names the rule (its sentence in each
    language is in functions/words/fields.yml), ``params`` fill the sentence in."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _username(value: str) -> str:
    if not content.valid_username(value):
        raise FieldRule("username_characters")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise FieldRule("email")
    return value


def _tags(value: list[str]) -> list[str]:
    bad = [tag for tag in value if not valid_tag(tag)]
    if bad:
        raise FieldRule("tag_format", tags=", ".join(bad))
    if len(set(value)) != len(value):
        raise FieldRule("tag_twice")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise FieldRule("not_blank")
    return value


Title = Annotated[str, Field(min_length=15, max_length=150), AfterValidator(_not_blank)]
MIN_BODY_CHARS = 20


def _shows_enough(value: str) -> str:
    """The length that counts is what readers will see: the text left once the Markdown is
    rendered and sanitised (a body of only a <script> shows nothing)."""
    if len(content.plain_text(content.render(value))) < MIN_BODY_CHARS:
        raise FieldRule("too_short", min=MIN_BODY_CHARS)
    return value


Body = Annotated[
    str,
    Field(min_length=MIN_BODY_CHARS, max_length=20_000),
    AfterValidator(_not_blank),
    AfterValidator(_shows_enough),
]
Tag = Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
Tags = Annotated[list[Tag], Field(max_length=5), AfterValidator(_tags)]


Reason = Annotated[str, Field(min_length=3, max_length=300), AfterValidator(_not_blank)]
FeedbackReason = Literal["outdated", "unclear", "unsolved", "other"]
PagePath = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^/?#\s][^?#\s]*/$")]


class Request(BaseModel):
    """A JSON request body: strict JSON types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


# Requests


# zxcvbn's scale: 3 is "safely unguessable" (about 10^10 guesses); the estimate is made on
# the first characters only, which is plenty and keeps it quick.
MIN_PASSWORD_SCORE = 3
PASSWORD_CHARS_ESTIMATED = 100


def strong_password(password: str, *about: str | None) -> str:
    """Refuse a password that is easy to guess (by itself, or with the member's name or
    email in it)."""
    from zxcvbn import zxcvbn  # its word lists cost a cold start 50 ms: loaded when needed

    given = [word for word in about if word]
    if zxcvbn(password[:PASSWORD_CHARS_ESTIMATED], user_inputs=given)["score"] < MIN_PASSWORD_SCORE:
        raise FieldRule("weak_password")
    return password


Password = Annotated[str, Field(min_length=10, max_length=1024)]
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


class SignUp(Request):
    username: Annotated[str, Field(min_length=3, max_length=30), AfterValidator(_username)]
    email: Email
    password: Password

    @field_validator("password")
    @classmethod
    def _strong(cls, password: str, info: ValidationInfo) -> str:
        return strong_password(password, info.data.get("username"), info.data.get("email"))


class PasswordResetRequest(Request):
    email: Email


class PasswordReset(Request):
    token: Annotated[str, Field(min_length=20, max_length=200)]
    password: Annotated[Password, AfterValidator(strong_password)]


class PasswordChange(Request):
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Annotated[Password, AfterValidator(strong_password)]


class AccountChange(Request):
    email: Email | None = None
    email_notifications: bool | None = None
    current_password: Annotated[str, Field(max_length=1024)] | None = None  # for a new email


class AccountOut(BaseModel):
    username: str
    email: str
    email_notifications: bool


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


class PreviewRequest(Request):
    body: Annotated[str, Field(max_length=20_000)]


class PreviewOut(BaseModel):
    html: str  # as the post would show it: rendered and sanitised


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
    level: int | None = None  # beside posts: the member's level...
    badges: BadgeCounts | None = None  # ...and badges


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    created_at: Time


class SessionOut(BaseModel):
    user: UserOut | None
    csrf_token: str
    standing: Standing | None = None  # the signed-in member's points, level and privileges
    mail: bool = False  # the portal sends email (notifications, password resets)


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


class PageNoteOut(BaseModel):
    url: str  # the page, from the site's root: "en/faq/refunds/"
    title: str
    reason: FeedbackReason | None
    comment: str | None


class AwardNoteOut(BaseModel):
    """A badge tier or a quest reached, or a reward handed over (see GET /api/badges)."""

    kind: Literal["badge", "quest", "reward"]
    id: str  # the badge's, quest's or reward's id
    name: str  # in the client's language
    tier: Literal["bronze", "silver", "gold"] | None = None
    points: int = 0


class NotificationOut(BaseModel):
    id: int
    kind: Literal["answer", "comment", "accepted", "feedback", "badge", "quest", "reward"]
    question_id: int | None  # None for feedback on a page
    question_title: str | None
    actor: Author | None  # None: a visitor who was not signed in
    created_at: Time
    read: bool
    page: PageNoteOut | None = None  # what a reader said of a page (kind "feedback")
    award: AwardNoteOut | None = None  # kinds "badge", "quest" and "reward"


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
    message: str  # in the language the client asked for (Accept-Language)
    code: str  # what the field needs, the same in every language: "too_short"
    params: dict[str, Any]  # what fills the sentence in: {"min": 15}


class ProblemOut(BaseModel):
    """An error (RFC 9457); ``errors`` names every bad field of a 422. ``detail`` is in the
    client's language (Accept-Language); ``code`` names it the same in every language."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


# Feedback on pages


class FeedbackRequest(Request):
    lang: Lang
    page: PagePath  # the page's address within its language: "faq/refunds/"
    helpful: bool
    reason: FeedbackReason | None = None  # why not: only with helpful false
    comment: Annotated[str, Field(max_length=1000)] | None = None


class FeedbackQuery(BaseModel):
    lang: Lang
    page: PagePath


class FeedbackOut(BaseModel):
    helpful: bool | None  # None: this visitor has not said
    reason: FeedbackReason | None = None
    comment: str | None = None


# The community's health


class MetricsQuery(BaseModel):
    period: Literal["7d", "30d", "90d", "365d"] = "30d"
    lang: Lang | None = None


class PeriodOut(BaseModel):
    days: int
    start: str  # first day, "2026-11-03"
    end: str  # last day (today, UTC)
    lang: Lang | None


class WeekPoint(BaseModel):
    start: str
    end: str


class MembersWeek(WeekPoint):
    registered: int


class ActiveMonth(BaseModel):
    month: str  # "2026-11"
    active: int
    registered: int
    share: float | None


class MembersOut(BaseModel):
    registered: int
    registered_quarter_ago: int
    growth_quarter: float | None
    goal_growth_quarter: float
    monthly_active: list[ActiveMonth]
    goal_active_share: float
    weekly: list[MembersWeek]


class FeedbackWeek(WeekPoint):
    positive: int
    negative: int


class FeedbackFigures(BaseModel):
    positive: int
    negative: int
    positive_share: float | None
    positive_month_before: int  # in the 30 days before the last 30
    positive_last_month: int
    growth_month: float | None
    goal_growth_month: float
    weekly: list[FeedbackWeek]


class AnswerWeek(WeekPoint):
    asked: int
    answered: int
    p50_seconds: float | None
    p90_seconds: float | None


class FirstAnswerOut(BaseModel):
    asked: int
    answered: int
    p50_seconds: float | None
    p90_seconds: float | None
    within_goal: int
    within_goal_share: float | None  # of the questions asked
    goal_seconds: int
    goal_share: float  # of questions answered within goal_seconds
    weekly: list[AnswerWeek]


class WaitingQuestion(BaseModel):
    id: int
    title: str
    lang: Lang
    url: str  # from the site's root
    asked_at: Time
    waiting_seconds: int


class UnansweredOut(BaseModel):
    count: int
    items: list[WaitingQuestion]


class TrendOut(BaseModel):
    kind: Literal["tag", "term"]
    name: str
    this_week: int
    weekly_before: float
    rise: float


class ContributorOut(BaseModel):
    user: Author
    answers: int
    accepted: int


class FeedbackCommentOut(BaseModel):
    reason: FeedbackReason | None
    comment: str
    at: Time


class ArticleOut(BaseModel):
    url: str  # from the site's root
    lang: Lang
    title: str
    no: int
    yes: int
    reasons: dict[str, int]
    comments: list[FeedbackCommentOut]


class SearchGapOut(BaseModel):
    query: str
    lang: Lang
    count: int


class MetricsOut(BaseModel):
    period: PeriodOut
    members: MembersOut
    feedback: FeedbackFigures
    first_answer: FirstAnswerOut
    unanswered: UnansweredOut
    trending: list[TrendOut]
    contributors: list[ContributorOut]
    articles: list[ArticleOut]
    search_gaps: list[SearchGapOut]


# Engagement: levels, badges, leaderboards, quests and rewards (site_config/gamification.yml)

TierName = Literal["bronze", "silver", "gold"]
RewardId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


class BadgeCounts(BaseModel):
    gold: int
    silver: int
    bronze: int


class LevelOut(BaseModel):
    number: int
    name: str  # in the client's language
    points: int  # the points it needs
    unlocks: list[str]  # privileges, as gamification.yml names them


class EarnedOut(BaseModel):
    id: str
    name: str
    description: str
    tier: TierName
    period: str  # "" once ever; "w2026-W49" or "m2026-12" for a badge given each period
    at: Time


class BadgeProgress(BaseModel):
    id: str
    name: str
    tier: TierName
    have: int
    need: int  # the badge's tier is earned at need


class Standing(BaseModel):
    """Where a member stands: points, level, and what is next."""

    reputation: int
    level: LevelOut
    next_level: LevelOut | None
    points_to_next_level: int | None
    badge_counts: BadgeCounts
    privileges: list[str]


class Profile(UserOut):
    question_count: int
    answer_count: int
    standing: Standing
    badges: list[EarnedOut]
    next_badges: list[BadgeProgress]  # the nearest tiers not yet earned, nearest first
    balance: int | None = None  # the member's own spendable points (only they see it)


class LeaderboardQuery(BaseModel):
    period: Literal["week", "month", "all"] = "week"
    tag: Annotated[str, Field(max_length=30)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class Leader(BaseModel):
    rank: int
    user: Author
    level: int
    points: int


class LeaderboardOut(BaseModel):
    period: Literal["week", "month", "all"]
    period_key: str  # "w2026-W49", "m2026-12" or "all"
    tag: str | None
    items: list[Leader]
    viewer_points: int | None  # the signed-in member's points on this board


class TierOut(BaseModel):
    tier: TierName
    need: int
    description: str


class BadgeOut(BaseModel):
    id: str
    name: str
    per: Literal["week", "month"] | None
    tiers: list[TierOut]


class PointsRule(BaseModel):
    act: str
    points: int
    capped: bool


class BadgeCatalogue(BaseModel):
    """The whole programme on one page: points, the daily cap, levels, privileges, badges."""

    points: list[PointsRule]
    daily_cap: int
    privileges: dict[str, str]
    levels: list[LevelOut]
    badges: list[BadgeOut]


class QuestOut(BaseModel):
    id: str
    name: str
    description: str
    every: Literal["week", "month"]
    period_key: str
    target: int
    reward: int
    progress: int | None  # the signed-in member's, this period
    done: bool


class QuestList(BaseModel):
    items: list[QuestOut]


class RewardOut(BaseModel):
    id: str
    name: str
    description: str
    cost: int
    left: int


class RewardList(BaseModel):
    items: list[RewardOut]
    balance: int | None  # the signed-in member's spendable points


class RedeemRequest(Request):
    reward: RewardId


class RedemptionOut(BaseModel):
    id: int
    reward: str
    name: str
    cost: int
    status: Literal["pending", "fulfilled"]
    created_at: Time
    fulfilled_at: Time | None
    member: Author


class RedemptionList(BaseModel):
    items: list[RedemptionOut]
    next_cursor: str | None


class GrantRequest(Request):
    points: Annotated[int, Field(ge=-1000, le=1000)]
    reason: Reason


class LedgerEntryOut(BaseModel):
    points: int
    spendable: int
    reason: str
    at: Time


class LedgerList(BaseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None
