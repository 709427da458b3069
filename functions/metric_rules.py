"""The community-health figures as plain rules: what each event adds to the counters, and
the formulas the dashboard reads from them. No I/O here; :mod:`functions.metrics` runs
these rules as a consumer of the event log and answers ``GET /api/metrics``.

Counters are (name, language, period, key) → value; the period is a day ("2026-11-02"), or a
month ("2026-11") for monthly actives. Every count of a day is kept for its month too
("M2026-11"), so a year reads twelve months and the days at its ends (:func:`ranges`),
not 365 days; and every count in a language is kept for all languages too ("*"), so the
dashboard's default view reads one language's worth of rows. Language "" is for what has
no language (members). The counters:

==================  =====  ========  ==============================================
name                lang   period    key, and what is counted
==================  =====  ========  ==============================================
``members``         ""     day       accounts made
``active``          ""     month     members active in the month (once each)
``asked``           yes    day       questions asked (not held back for review)
``first_answer``    yes    day       the first answer's wait, in :data:`BUCKETS`,
                                     counted on the day the question was asked
``helpful``         yes    day       "yes" / "no" votes on pages
``page_no``         yes    day       page: its "no" votes
``page_yes``        yes    day       page: its "yes" votes
``page_reason``     yes    day       page + " " + reason: why readers said no
``tag``, ``term``   yes    day       a question's tags, and the words of its title
``search_missed``   yes    day       the query of a search that found nothing
``answers``         yes    day       member id: answers written
``accepted``        yes    day       member id: answers of theirs accepted
==================  =====  ========  ==============================================

A replaced vote is taken off the day it was given, so counts move with the votes. A
deleted question leaves the counts of the day it was asked (undeleted, it comes back); a
question held back for review joins them when a moderator lets it through. A question's
first answer is the first one anyone could see: an answer held back for review counts
when a moderator lets it through (and, as it was not seen when written, not among its
author's answers).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from functions.store import Count, Event, MetricUpdate, QuestionClock
from search_index.analyzers import normalise

# The goals the dashboard draws (from the company's targets for its community).
ANSWER_GOAL_SECONDS = 2 * 3600  # customers expect a first answer within two hours
ANSWER_GOAL_SHARE = 0.5  # ... so most questions (at least half) should have one by then
ACTIVE_GOAL = 0.70  # more than 70% of members active each month
MEMBER_GROWTH_GOAL = 0.20  # registered members grow 20% a quarter
POSITIVE_GROWTH_GOAL = 0.15  # positive feedback grows 15% a month
REASONS: tuple[str, ...] = ("outdated", "unclear", "unsolved", "other")
QUARTER_DAYS = 91
MONTH_DAYS = 30
TRENDING_DAYS = 7  # "this week" ...
TRENDING_BEFORE_DAYS = 28  # ... against the four weeks before it
TRENDING_MIN = 3  # a topic needs this many mentions this week to trend
# Waits of a first answer are counted in buckets, each named by its upper bound in seconds:
# a minute wide up to the two-hour goal (so "within two hours" is exact), then 15 minutes up
# to a day, an hour up to a week, a day up to 90 days, and then "longer".
BUCKETS: tuple[int, ...] = (
    *range(60, ANSWER_GOAL_SECONDS + 1, 60),
    *range(ANSWER_GOAL_SECONDS + 900, 86_400 + 1, 900),
    *range(86_400 + 3600, 7 * 86_400 + 1, 3600),
    *range(8 * 86_400, 90 * 86_400 + 1, 86_400),
)
LONGER = 10**9  # the bucket of every wait beyond the last one
# Words that ask rather than name a topic, left out of trending topics (search keeps them:
# "not" and "before" change what a search means, but no topic is called "how" or "until").
QUESTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "how",
            "what",
            "why",
            "when",
            "where",
            "which",
            "who",
            "whom",
            "whose",
            "can",
            "could",
            "do",
            "does",
            "did",
            "will",
            "would",
            "should",
            "not",
            "no",
            "until",
            "after",
            "before",
            "about",
            "any",
            "some",
            "there",
            "here",
            "it",
            "is",
            "are",
            "get",
            "got",
            "use",
            "using",
            "i",
            "my",
            "me",
            "we",
            "our",
            "you",
            "your",
            "can't",
            "don't",
            "doesn't",
            "won't",
        ]
    ),
    "hi": frozenset(
        [
            "क्या",
            "कैसे",
            "क्यों",
            "कब",
            "कहाँ",
            "कहां",
            "कौन",
            "कितना",
            "कितनी",
            "कितने",
            "नहीं",
            "न",
            "हो",
            "होता",
            "होती",
            "होते",
            "रहा",
            "रही",
            "रहे",
            "सकता",
            "सकती",
            "सकते",
            "करें",
            "करूँ",
            "करना",
            "कर",
            "बाद",
            "पहले",
            "तक",
            "लिए",
        ]
    ),
    "ru": frozenset(
        [
            "как",
            "что",
            "почему",
            "зачем",
            "когда",
            "где",
            "куда",
            "какой",
            "какая",
            "какие",
            "каком",
            "сколько",
            "кто",
            "ли",
            "можно",
            "нужно",
            "надо",
            "не",
            "нет",
            "ни",
            "до",
            "после",
            "чем",
            "если",
            "есть",
            "был",
            "была",
            "было",
            "были",
            "будет",
            "мне",
            "меня",
            "у",
            "я",
            "мой",
            "моя",
            "мои",
        ]
    ),
    "km": frozenset(
        [
            "តើ",
            "យ៉ាងដូចម្តេច",
            "ដូចម្តេច",
            "ហេតុអ្វី",
            "ពេលណា",
            "នៅពេលណា",
            "ទីណា",
            "កន្លែងណា",
            "ប៉ុន្មាន",
            "អ្វី",
            "ណា",
            "មិន",
            "ទេ",
            "ដែរ",
            "បាន",
            "នៅ",
            "ឬ",
            "ខ្ញុំ",
            "របស់ខ្ញុំ",
            "អាច",
            "ត្រូវ",
        ]
    ),
}
# ... written as people type them, compared as the words of a title are: normalised.
QUESTION_WORDS = {
    lang: frozenset(normalise(word) for word in listed) for lang, listed in QUESTION_WORDS.items()
}


def day(at: str) -> str:
    return at[:10]


def month(at: str) -> str:
    return at[:7]


def bucket(seconds: float) -> int:
    """The bucket a wait of ``seconds`` is counted in: the smallest upper bound ≥ it."""
    index = bisect.bisect_left(BUCKETS, seconds)
    return BUCKETS[index] if index < len(BUCKETS) else LONGER


def bucket_key(upper: int) -> str:
    """A bucket as a counter key, zero-padded so that keys sort as numbers do."""
    return f"{upper:010d}"


def wait_seconds(asked_at: str, answered_at: str) -> float:
    # fromisoformat reads the store's "...Z" times many times faster than strptime.
    delta = dt.datetime.fromisoformat(answered_at) - dt.datetime.fromisoformat(asked_at)
    return max(0.0, delta.total_seconds())


MONTH = "M"  # the prefix of a month's counter that adds up its days: "M2026-11"
ALL = "*"  # the language of the counters that add up every language's


def month_counter(period: str) -> str:
    """The month counter that a day's count is also kept in."""
    return f"{MONTH}{period[:7]}"


def ranges(start: dt.date, end: dt.date) -> list[tuple[str, str]]:
    """The counter periods that add up to the days ``start``..``end``: the month counters of
    the whole months among them, and the other days one by one."""
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = (
        _next_month(end) if _next_month(end) - dt.timedelta(days=1) == end else (end.replace(day=1))
    )
    if first_whole >= after_whole:
        return [(start.isoformat(), end.isoformat())]
    spans = []
    if start < first_whole:
        spans.append((start.isoformat(), (first_whole - dt.timedelta(days=1)).isoformat()))
    last_whole = after_whole - dt.timedelta(days=1)
    spans.append((month_counter(first_whole.isoformat()), month_counter(last_whole.isoformat())))
    if after_whole <= end:
        spans.append((after_whole.isoformat(), end.isoformat()))
    return spans


def _next_month(day_: dt.date) -> dt.date:
    return (day_.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# Counting events


@dataclass(frozen=True)
class Known:
    """What the rules need to know besides the events: questions' clocks, titles and tags
    (of those asked, deleted, undeleted or shown in the batch), and the (month, member)
    pairs already counted active."""

    clocks: Mapping[int, QuestionClock]
    titles: Mapping[int, str]
    active: set[tuple[str, int]]
    tags: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


def fold(
    events: Iterable[Event], known: Known, words: Callable[[str, str], list[str]]
) -> MetricUpdate:
    """The counter changes of ``events`` (in order), given what is ``known`` before them;
    ``words(text, lang)`` names a title's words for trending topics."""
    counts: list[Count] = []
    clocks = dict(known.clocks)
    changed: dict[int, QuestionClock] = {}
    active = set(known.active)
    new_active: list[tuple[str, int]] = []

    def add(name: str, lang: str, period: str, key: str = "", delta: int = 1) -> None:
        for counted_in in (lang, ALL) if lang else (lang,):
            counts.append(Count(name, counted_in, period, key, delta))
            if len(period) == len("2026-11-02"):  # a day: its month keeps it too
                counts.append(Count(name, counted_in, month_counter(period), key, delta))

    def set_clock(clock: QuestionClock) -> None:
        clocks[clock.question_id] = changed[clock.question_id] = clock

    def first_answer(clock: QuestionClock, at: str) -> None:
        if clock.answered_at is None:
            set_clock(replace(clock, answered_at=at))
            if clock.counted:
                wait = wait_seconds(clock.asked_at, at)
                add("first_answer", clock.lang, day(clock.asked_at), bucket_key(bucket(wait)))

    def topic_counts(clock: QuestionClock, tags: Iterable[str], sign: int) -> None:
        """A question's tags and title words, on the day it was asked: trending topics."""
        for tag in tags:
            add("tag", clock.lang, day(clock.asked_at), str(tag), sign)
        asking = QUESTION_WORDS.get(clock.lang, frozenset())
        title = known.titles.get(clock.question_id, "")
        for word in dict.fromkeys(words(title, clock.lang)):
            if word not in asking:
                add("term", clock.lang, day(clock.asked_at), word, sign)

    def answer_counts(clock: QuestionClock, sign: int) -> None:
        topic_counts(clock, known.tags.get(clock.question_id, ()), sign)
        add("asked", clock.lang, day(clock.asked_at), delta=sign)
        if clock.answered_at is not None:
            wait = wait_seconds(clock.asked_at, clock.answered_at)
            add("first_answer", clock.lang, day(clock.asked_at), bucket_key(bucket(wait)), sign)

    for event in events:
        if event.actor_id is not None and (month(event.at), event.actor_id) not in active:
            pair = (month(event.at), event.actor_id)
            active.add(pair)
            new_active.append(pair)
            add("active", "", pair[0])
        kind, at = event.kind, event.at
        clock = clocks.get(event.question_id) if event.question_id is not None else None
        if kind == "signed_up":
            add("members", "", day(at))
        elif kind == "asked":
            lang = str(event.data.get("lang", ""))
            held = bool(event.data.get("held"))
            clock = QuestionClock(event.entity_id, lang, at, None, held=held)
            set_clock(clock)
            if not held:  # a held question's topics count once a moderator lets it through
                add("asked", lang, day(at))
                topic_counts(clock, event.data.get("tags", ()), 1)
        elif kind == "answered" and clock is not None and not event.data.get("held"):
            add("answers", clock.lang, day(at), str(event.actor_id))
            first_answer(clock, at)
        elif kind == "shown" and event.entity == "answer" and clock is not None:
            first_answer(clock, at)  # a held answer let through (or one shown again)
        elif kind in ("accepted", "unaccepted") and clock is not None:
            if event.affected_id is not None:
                sign = 1 if kind == "accepted" else -1
                add("accepted", clock.lang, day(at), str(event.affected_id), sign)
        elif kind in ("deleted", "undeleted", "shown") and event.entity == "question" and clock:
            if kind == "shown":  # a held question a moderator let through, or one shown again
                changed_clock = replace(clock, held=False)
            else:
                changed_clock = replace(clock, deleted=kind == "deleted")
            if clock.counted != changed_clock.counted:
                answer_counts(clock, 1 if changed_clock.counted else -1)
            set_clock(changed_clock)
        elif kind == "feedback":
            _feedback(event, add)
        elif kind == "search_missed":
            add("search_missed", str(event.data["lang"]), day(at), str(event.data["query"]))
    return MetricUpdate(counts, list(changed.values()), new_active)


def _feedback(event: Event, add: Callable[..., None]) -> None:
    data = event.data
    lang, page = str(data["lang"]), f"{data['lang']}/{data['page']}"
    votes = [(event.at, bool(data["helpful"]), data.get("reason"), 1)]
    previous = data.get("previous")
    if previous:
        votes.append((previous["at"], bool(previous["helpful"]), previous.get("reason"), -1))
    for at, helpful, reason, sign in votes:
        add("helpful", lang, day(at), "yes" if helpful else "no", sign)
        add("page_yes" if helpful else "page_no", lang, day(at), page, sign)
        if not helpful and reason:
            add("page_reason", lang, day(at), f"{page} {reason}", sign)


# Formulas


def share(part: float, whole: float) -> float | None:
    """``part`` of ``whole`` (None when there is no whole to speak of)."""
    return part / whole if whole else None


def growth(now: float, before: float) -> float | None:
    """The change from ``before`` to ``now`` as a share of ``before`` (None from nothing)."""
    return (now - before) / before if before else None


def percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """The ``q`` quantile (0-1) of waits counted in ``histogram`` {bucket: count}: linear
    within its bucket, so exact to the bucket's width (a minute up to two hours)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = q * total
    seen = 0
    for upper in sorted(histogram):
        count = histogram[upper]
        if count and seen + count >= rank:
            index = BUCKETS.index(upper) if upper in BUCKETS else len(BUCKETS)
            lower = BUCKETS[index - 1] if index > 0 else 0
            if upper == LONGER:
                return float(lower)  # at least this long; how much longer is not kept
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return float(max(histogram))


def within(histogram: Mapping[int, int], seconds: int) -> int:
    """How many waits were at most ``seconds`` (a bucket bound, such as the goal)."""
    return sum(count for upper, count in histogram.items() if upper <= seconds)


def active_share(active: int, registered: int) -> float | None:
    """The share of registered members who were active in a month."""
    return share(active, registered)


@dataclass(frozen=True)
class Trend:
    kind: str  # "tag" or "term"
    name: str
    this_week: int
    weekly_before: float  # the average week of the four before
    rise: float  # this week against that average (from one, so new topics rank too)


def trending(
    kind: str,
    this_week: Mapping[str, int],
    before: Mapping[str, int],
    limit: int = 10,
) -> list[Trend]:
    """Topics rising this week against the four weeks before: at least
    :data:`TRENDING_MIN` mentions, ranked by the ratio to their average week before (plus
    one, so a topic new this week ranks by its count)."""
    weeks = TRENDING_BEFORE_DAYS / TRENDING_DAYS
    trends = []
    for name, count in this_week.items():
        weekly = max(0, before.get(name, 0)) / weeks
        if count >= TRENDING_MIN and count > weekly:
            trends.append(Trend(kind, name, count, round(weekly, 2), (count + 1) / (weekly + 1)))
    trends.sort(key=lambda trend: (-trend.rise, -trend.this_week, trend.name))
    return trends[:limit]


def days_back(today: dt.date, days: int) -> tuple[str, str]:
    """The first and last day of the ``days`` days that end with ``today``."""
    return (today - dt.timedelta(days=days - 1)).isoformat(), today.isoformat()


def months_back(today: dt.date, count: int) -> list[str]:
    """The ``count`` calendar months that end with ``today``'s, oldest first."""
    year, month_number = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month_number:02d}")
        year, month_number = (year, month_number - 1) if month_number > 1 else (year - 1, 12)
    return months[::-1]


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """The calendar months from ``start``'s to ``end``'s, oldest first: "2026-11"."""
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current.isoformat()[:7])
        current = _next_month(current)
    return months


def month_end(day_: dt.date) -> dt.date:
    return _next_month(day_) - dt.timedelta(days=1)


def weeks(start: dt.date, end: dt.date) -> list[tuple[str, str]]:
    """Seven-day spans that end with ``end`` and reach back to ``start`` (the first may be
    shorter), oldest first: the points of weekly charts."""
    spans = []
    last = end
    while last >= start:
        first = max(start, last - dt.timedelta(days=6))
        spans.append((first.isoformat(), last.isoformat()))
        last = first - dt.timedelta(days=1)
    return spans[::-1]


def cumulative(daily: Sequence[tuple[str, int]], base: int, points: Sequence[str]) -> list[int]:
    """Running totals at the end of each day in ``points`` (sorted), from ``base`` before
    the first of ``daily`` (day, count) pairs (sorted)."""
    totals, index, running = [], 0, base
    for point in points:
        while index < len(daily) and daily[index][0] <= point:
            running += daily[index][1]
            index += 1
        totals.append(running)
    return totals
