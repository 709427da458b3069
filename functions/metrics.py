"""``GET /api/metrics?period=30d&lang=``: the community's health, for moderators and admins.

Every figure is read from counters the metrics consumer keeps as events arrive (see
:mod:`functions.metric_rules`), a few hundred rows at most, however large the community;
only the list of questions still waiting is read from the questions themselves, through
their unanswered index. Members' figures (registered, active) are for every language.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable

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
    start, end = rules.days_back(today, days)
    langs = [lang] if lang else list(CODES)
    spans = rules.weeks(dt.date.fromisoformat(start), today)
    return models.MetricsOut(
        period=models.PeriodOut(days=days, start=start, end=end, lang=lang),
        members=_members(store, today, spans),
        feedback=_feedback(store, langs, today, start, end, spans),
        first_answer=_first_answer(store, langs, start, end, spans),
        unanswered=_unanswered(store, now, lang),
        trending=_trending(store, langs, today),
        contributors=_contributors(store, langs, start, end),
        articles=_articles(store, page_of, langs, start, end),
        search_gaps=_search_gaps(store, langs, start, end),
    )


def _members(store: Store, today: dt.date, spans: list[tuple[str, str]]) -> models.MembersOut:
    daily = [
        (period, value)
        for period, _, value in store.metric_rows("members", EVERYONE, "0", today.isoformat())
    ]
    registered = sum(value for _, value in daily)
    quarter_ago = (today - dt.timedelta(days=rules.QUARTER_DAYS)).isoformat()
    before = sum(value for period, value in daily if period <= quarter_ago)
    months = rules.months_back(today, ACTIVE_MONTHS)
    active = {
        period: value
        for period, _, value in store.metric_rows("active", EVERYONE, months[0], months[-1])
    }
    at_month_end = rules.cumulative(daily, 0, [f"{month}-31" for month in months])
    at_week_end = rules.cumulative(daily, 0, [last for _, last in spans])
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
            for (first, last), total in zip(spans, at_week_end, strict=True)
        ],
    )


def _feedback(
    store: Store,
    langs: list[str],
    today: dt.date,
    start: str,
    end: str,
    spans: list[tuple[str, str]],
) -> models.FeedbackFigures:
    month_start, _ = rules.days_back(today, rules.MONTH_DAYS)
    before_start, before_end = rules.days_back(
        today - dt.timedelta(days=rules.MONTH_DAYS), rules.MONTH_DAYS
    )
    rows = store.metric_rows("helpful", langs, min(start, before_start), end)
    daily: dict[str, Counter[str]] = defaultdict(Counter)
    for period, key, value in rows:
        daily[period][key] += value

    def total(key: str, first: str, last: str) -> int:
        return sum(counts[key] for period, counts in daily.items() if first <= period <= last)

    positive, negative = total("yes", start, end), total("no", start, end)
    last_month, month_before = (
        total("yes", month_start, end),
        total("yes", before_start, before_end),
    )
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
                start=first,
                end=last,
                positive=total("yes", first, last),
                negative=total("no", first, last),
            )
            for first, last in spans
        ],
    )


def _first_answer(
    store: Store, langs: list[str], start: str, end: str, spans: list[tuple[str, str]]
) -> models.FirstAnswerOut:
    asked = {period: value for period, _, value in store.metric_rows("asked", langs, start, end)}
    waits: dict[str, Counter[int]] = defaultdict(Counter)
    for period, key, value in store.metric_rows("first_answer", langs, start, end):
        waits[period][int(key)] += value

    def summed(first: str, last: str) -> tuple[int, Counter[int]]:
        histogram: Counter[int] = Counter()
        for period, counts in waits.items():
            if first <= period <= last:
                histogram.update(counts)
        return sum(v for p, v in asked.items() if first <= p <= last), histogram

    asked_total, histogram = summed(start, end)
    within = rules.within(histogram, rules.ANSWER_GOAL_SECONDS)
    weekly = []
    for first, last in spans:
        count, week = summed(first, last)
        weekly.append(
            models.AnswerWeek(
                start=first,
                end=last,
                asked=count,
                answered=sum(week.values()),
                p50_seconds=rules.percentile(week, 0.5),
                p90_seconds=rules.percentile(week, 0.9),
            )
        )
    return models.FirstAnswerOut(
        asked=asked_total,
        answered=sum(histogram.values()),
        p50_seconds=rules.percentile(histogram, 0.5),
        p90_seconds=rules.percentile(histogram, 0.9),
        within_goal=within,
        within_goal_share=rules.share(within, asked_total),
        goal_seconds=rules.ANSWER_GOAL_SECONDS,
        weekly=weekly,
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
    week_start, week_end = rules.days_back(today, rules.TRENDING_DAYS)
    before_start, before_end = rules.days_back(
        today - dt.timedelta(days=rules.TRENDING_DAYS), rules.TRENDING_BEFORE_DAYS
    )
    trends: list[rules.Trend] = []
    for kind in ("tag", "term"):
        this_week = dict(store.metric_top(kind, langs, week_start, week_end, 200))
        before = store.metric_keys(kind, langs, before_start, before_end, list(this_week))
        trends += rules.trending(kind, this_week, before, TOP)
    trends.sort(key=lambda trend: (-trend.rise, -trend.this_week, trend.name))
    return [models.TrendOut(**vars(trend)) for trend in trends[:TOP]]


def _contributors(
    store: Store, langs: list[str], start: str, end: str
) -> list[models.ContributorOut]:
    answers = store.metric_top("answers", langs, start, end, TOP)
    keys = [key for key, _ in answers]
    accepted = store.metric_keys("accepted", langs, start, end, keys)
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
    start: str,
    end: str,
) -> list[models.ArticleOut]:
    top = store.metric_top("page_no", langs, start, end, TOP)
    keys = [key for key, _ in top]
    yes = store.metric_keys("page_yes", langs, start, end, keys)
    reasons = store.metric_keys(
        "page_reason",
        langs,
        start,
        end,
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
                    for vote in store.feedback_comments(page_lang, page, since=start)
                    if vote.comment
                ],
            )
        )
    return articles


def _search_gaps(store: Store, langs: list[str], start: str, end: str) -> list[models.SearchGapOut]:
    gaps = [
        models.SearchGapOut(query=query, lang=lang, count=count)
        for lang in langs
        for query, count in store.metric_top("search_missed", [lang], start, end, TOP)
    ]
    gaps.sort(key=lambda gap: (-gap.count, gap.query))
    return gaps[:TOP]
