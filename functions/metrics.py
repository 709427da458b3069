"""``GET /api/metrics?period=30d&lang=``: the community's health, for moderators and admins.

Every figure is read from counters the metrics consumer keeps as events arrive (see
:mod:`functions.metric_rules`): days for a short period, whole months and the days at its
ends for a long one, so the rows read grow with the number of pages and members active
in the period, not with the number of questions. Only the questions still waiting are read
from the questions themselves, through an index of just those. Charts have a point a week
(up to 90 days) or a month. Members' figures (registered, active) are for every language.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from flask import Blueprint

from core.languages import CODES
from core.urls import question_url
from functions import metric_rules as rules
from functions import models, posts, web
from functions.openapi import route
from functions.store import Store, later, parse_time, utcnow
from search_index.pages import PageEntry

bp = Blueprint("metrics", __name__, url_prefix="/api")
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
ACTIVE_MONTHS = 6  # months of the monthly-active chart
TOP = 10  # rows of each table
WAITING_SHOWN = 20  # questions in the alert list
EVERYONE = [""]  # the language of members' counters
WEEKLY_UP_TO = 90  # days a period may have for weekly charts; longer ones are monthly
TRENDING_CANDIDATES = 200  # this week's most mentioned topics, compared with the weeks before


@route(
    bp,
    "GET",
    "/metrics",
    summary="The community's health: members, feedback, answers, topics, gaps",
    query=models.MetricsQuery,
    response=models.MetricsOut,
    staff=True,
)
def metrics(query: models.MetricsQuery) -> models.MetricsOut:
    return figures(web.store(), web.pages().get, utcnow(), PERIOD_DAYS[query.period], query.lang)


def figures(
    store: Store,
    page_of: Callable[[str], PageEntry | None],
    now: str,
    days: int,
    lang: str | None,
) -> models.MetricsOut:
    """Every figure of the dashboard for the ``days`` up to ``now``, in ``lang`` or all."""
    today = parse_time(now).date()
    first = today - dt.timedelta(days=days - 1)
    langs = [lang] if lang else [rules.ALL]
    points = Points.months(first, today) if days > WEEKLY_UP_TO else Points.weeks(first, today)
    covered = rules.ranges(first, today)
    return models.MetricsOut(
        period=models.PeriodOut(
            days=days, start=first.isoformat(), end=today.isoformat(), lang=lang
        ),
        members=_members(store, today, points),
        feedback=_feedback(store, langs, today, points),
        first_answer=_first_answer(store, langs, points),
        unanswered=_unanswered(store, now, lang),
        trending=_trending(store, langs, today),
        contributors=_contributors(store, langs, covered),
        articles=_articles(store, page_of, langs, covered, first.isoformat()),
        search_gaps=_search_gaps(store, [lang] if lang else list(CODES), covered),
    )


@dataclass
class Points:
    """The points of the charts: weeks (seven days ending today, the first one maybe
    shorter) read from day counters, or calendar months read from month counters."""

    spans: list[tuple[str, str]]  # each point's first and last day
    periods: list[tuple[str, str]]  # the counter ranges that cover them
    by_month: bool

    @classmethod
    def weeks(cls, first: dt.date, today: dt.date) -> Points:
        return cls(rules.weeks(first, today), [(first.isoformat(), today.isoformat())], False)

    @classmethod
    def months(cls, first: dt.date, today: dt.date) -> Points:
        spans = []
        for month in rules.months_between(first, today):
            start = max(first, dt.date.fromisoformat(f"{month}-01"))
            end = min(today, rules.month_end(start))
            spans.append((start.isoformat(), end.isoformat()))
        return cls(spans, rules.ranges(first, today), True)

    def index(self, period: str) -> int:
        """The point a counter's period adds to."""
        if self.by_month:
            month = period.removeprefix(rules.MONTH)[:7]
            return next(i for i, (first, _) in enumerate(self.spans) if first[:7] == month)
        return bisect.bisect_right(self.starts, period) - 1

    @cached_property
    def starts(self) -> list[str]:
        return [first for first, _ in self.spans]


def _members(store: Store, today: dt.date, points: Points) -> models.MembersOut:
    every_day = [("0", today.isoformat())]  # since the first member (day counters only)
    daily = [(day, value) for day, _, value in store.metric_rows("members", EVERYONE, every_day)]
    daily.sort()
    registered = sum(value for _, value in daily)
    quarter_ago = (today - dt.timedelta(days=rules.QUARTER_DAYS)).isoformat()
    before = sum(value for period, value in daily if period <= quarter_ago)
    months = rules.months_back(today, ACTIVE_MONTHS)
    active = {
        period: value
        for period, _, value in store.metric_rows("active", EVERYONE, [(months[0], months[-1])])
    }
    at_month_end = rules.cumulative(daily, 0, [f"{month}-31" for month in months])
    at_point_end = rules.cumulative(daily, 0, [last for _, last in points.spans])
    return models.MembersOut(
        registered=registered,
        registered_quarter_ago=before,
        growth_quarter=rules.growth(registered, before),
        goal_growth_quarter=rules.MEMBER_GROWTH_GOAL,
        monthly_active=[
            models.ActiveMonth(
                month=month,
                active=active.get(month, 0),
                registered=total,
                share=rules.active_share(active.get(month, 0), total),
            )
            for month, total in zip(months, at_month_end, strict=True)
        ],
        goal_active_share=rules.ACTIVE_GOAL,
        weekly=[
            models.MembersWeek(start=first, end=last, registered=total)
            for (first, last), total in zip(points.spans, at_point_end, strict=True)
        ],
    )


def _feedback(
    store: Store, langs: list[str], today: dt.date, points: Points
) -> models.FeedbackFigures:
    per_point = [Counter() for _ in points.spans]
    for period, key, value in store.metric_rows("helpful", langs, points.periods):
        per_point[points.index(period)][key] += value
    # Growth a month: the last 30 days against the 30 before, from day counters.
    month_start, _ = rules.days_back(today, rules.MONTH_DAYS)
    before_start, before_end = rules.days_back(
        today - dt.timedelta(days=rules.MONTH_DAYS), rules.MONTH_DAYS
    )
    last_month = month_before = 0
    for period, key, value in store.metric_rows(
        "helpful", langs, [(before_start, today.isoformat())]
    ):
        if key == "yes":
            if period >= month_start:
                last_month += value
            elif period <= before_end:
                month_before += value
    positive = sum(counts["yes"] for counts in per_point)
    negative = sum(counts["no"] for counts in per_point)
    return models.FeedbackFigures(
        positive=positive,
        negative=negative,
        positive_share=rules.share(positive, positive + negative),
        positive_month_before=month_before,
        positive_last_month=last_month,
        growth_month=rules.growth(last_month, month_before),
        goal_growth_month=rules.POSITIVE_GROWTH_GOAL,
        weekly=[
            models.FeedbackWeek(
                start=first, end=last, positive=counts["yes"], negative=counts["no"]
            )
            for (first, last), counts in zip(points.spans, per_point, strict=True)
        ],
    )


def _first_answer(store: Store, langs: list[str], points: Points) -> models.FirstAnswerOut:
    asked = [0 for _ in points.spans]
    for period, _, value in store.metric_rows("asked", langs, points.periods):
        asked[points.index(period)] += value
    waits: list[Counter[int]] = [Counter() for _ in points.spans]
    for period, key, value in store.metric_rows("first_answer", langs, points.periods):
        waits[points.index(period)][int(key)] += value
    histogram: Counter[int] = Counter()
    for counts in waits:
        histogram.update(counts)
    asked_total = sum(asked)
    within = rules.within(histogram, rules.ANSWER_GOAL_SECONDS)
    return models.FirstAnswerOut(
        asked=asked_total,
        answered=sum(histogram.values()),
        p50_seconds=rules.percentile(histogram, 0.5),
        p90_seconds=rules.percentile(histogram, 0.9),
        within_goal=within,
        within_goal_share=rules.share(within, asked_total),
        goal_seconds=rules.ANSWER_GOAL_SECONDS,
        goal_share=rules.ANSWER_GOAL_SHARE,
        weekly=[
            models.AnswerWeek(
                start=first,
                end=last,
                asked=count,
                answered=sum(week.values()),
                p50_seconds=rules.percentile(week, 0.5),
                p90_seconds=rules.percentile(week, 0.9),
            )
            for (first, last), count, week in zip(points.spans, asked, waits, strict=True)
        ],
    )


def _unanswered(store: Store, now: str, lang: str | None) -> models.UnansweredOut:
    count, questions = store.unanswered(later(now, -rules.ANSWER_GOAL_SECONDS), lang, WAITING_SHOWN)
    return models.UnansweredOut(
        count=count,
        items=[
            models.WaitingQuestion(
                id=question.id,
                title=question.title,
                lang=question.lang,
                url=question_url(question.id, question.lang),
                asked_at=question.created_at,
                waiting_seconds=int(rules.wait_seconds(question.created_at, now)),
            )
            for question in questions
        ],
    )


def _trending(store: Store, langs: list[str], today: dt.date) -> list[models.TrendOut]:
    week = rules.ranges(today - dt.timedelta(days=rules.TRENDING_DAYS - 1), today)
    before_end = today - dt.timedelta(days=rules.TRENDING_DAYS)
    before = rules.ranges(
        before_end - dt.timedelta(days=rules.TRENDING_BEFORE_DAYS - 1), before_end
    )
    trends: list[rules.Trend] = []
    for kind in ("tag", "term"):
        this_week = dict(store.metric_top(kind, langs, week, TRENDING_CANDIDATES))
        earlier = store.metric_keys(kind, langs, before, list(this_week))
        trends += rules.trending(kind, this_week, earlier, TOP)
    trends.sort(key=lambda trend: (-trend.rise, -trend.this_week, trend.name))
    return [models.TrendOut(**vars(trend)) for trend in trends[:TOP]]


def _contributors(
    store: Store, langs: list[str], covered: list[tuple[str, str]]
) -> list[models.ContributorOut]:
    answers = store.metric_top("answers", langs, covered, TOP)
    keys = [key for key, _ in answers]
    accepted = store.metric_keys("accepted", langs, covered, keys)
    users = {user.id: user for user in store.users_by_id([int(key) for key in keys])}
    return [
        models.ContributorOut(
            user=posts.author(int(key), users[int(key)].username),
            answers=count,
            accepted=accepted.get(key, 0),
        )
        for key, count in answers
        if int(key) in users
    ]


def _articles(
    store: Store,
    page_of: Callable[[str], PageEntry | None],
    langs: list[str],
    covered: list[tuple[str, str]],
    since: str,
) -> list[models.ArticleOut]:
    top = store.metric_top("page_no", langs, covered, TOP)
    keys = [key for key, _ in top]
    yes = store.metric_keys("page_yes", langs, covered, keys)
    reasons = store.metric_keys(
        "page_reason",
        langs,
        covered,
        [f"{key} {reason}" for key in keys for reason in rules.REASONS],
    )
    articles = []
    for key, count in top:
        page_lang, _, page = key.partition("/")
        entry = page_of(key)
        articles.append(
            models.ArticleOut(
                url=key,
                lang=page_lang,
                title=entry.title if entry else key,
                no=count,
                yes=yes.get(key, 0),
                reasons={reason: reasons.get(f"{key} {reason}", 0) for reason in rules.REASONS},
                comments=[
                    models.FeedbackCommentOut(reason=vote.reason, comment=vote.comment, at=vote.at)
                    for vote in store.feedback_comments(page_lang, page, since=since)
                    if vote.comment
                ],
            )
        )
    return articles


def _search_gaps(
    store: Store, langs: list[str], covered: list[tuple[str, str]]
) -> list[models.SearchGapOut]:
    gaps = [
        models.SearchGapOut(query=query, lang=lang, count=count)
        for lang in langs
        for query, count in store.metric_top("search_missed", [lang], covered, TOP)
    ]
    gaps.sort(key=lambda gap: (-gap.count, gap.query))
    return gaps[:TOP]
