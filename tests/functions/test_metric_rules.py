"""The health figures' rules as plain functions: hand-made event sequences folded into
counter changes, and the formulas the dashboard reads from the counters. No store: every
answer here is worked out by hand."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable

import pytest

from functions import metric_rules as rules
from functions.metric_rules import ANSWER_GOAL_SECONDS, Known, fold
from functions.store import Event, MetricUpdate, QuestionClock, later

_ids = itertools.count(1)
PAGE = "en/faq/warranty/"


def event(
    kind: str,
    at: str,
    *,
    entity: str = "question",
    entity_id: int = 0,
    question_id: int | None = None,
    actor: int | None = None,
    affected: int | None = None,
    **data: object,
) -> Event:
    return Event(next(_ids), kind, entity, entity_id, question_id, actor, affected, at, data)


def asked(question_id: int, at: str, actor: int = 100, **data: object) -> Event:
    return event("asked", at, entity_id=question_id, question_id=question_id, actor=actor, **data)


def answered(question_id: int, at: str, actor: int = 200, answer_id: int = 0) -> Event:
    return event(
        "answered",
        at,
        entity="answer",
        entity_id=answer_id or question_id * 10,
        question_id=question_id,
        actor=actor,
        affected=100,
    )


def on_question(kind: str, question_id: int, at: str, actor: int = 1) -> Event:
    """A moderator's action on a question (deleted, undeleted, shown, hidden)."""
    return event(kind, at, entity_id=question_id, question_id=question_id, actor=actor)


def vote(at: str, helpful: bool, reason: str | None = None, previous: dict | None = None):
    return event(
        "feedback",
        at,
        entity="page",
        entity_id=7,
        lang="en",
        page="faq/warranty/",
        helpful=helpful,
        reason=reason,
        comment=None,
        previous=previous,
    )


def split_words(text: str, lang: str) -> list[str]:
    return text.lower().split()


NOTHING = Known(clocks={}, titles={}, active=set())


class Figures:
    """Folds batches one after another, carrying what the store would keep between them
    (the questions' clocks and the active pairs), and sums every counter."""

    def __init__(
        self, titles: dict[int, str] | None = None, tags: dict[int, tuple[str, ...]] | None = None
    ) -> None:
        self.clocks: dict[int, QuestionClock] = {}
        self.active: set[tuple[str, int]] = set()
        self.titles = titles or {}
        self.tags = tags or {}
        self.counts: Counter[tuple[str, str, str, str]] = Counter()
        self.last: MetricUpdate | None = None

    def fold(self, *events: Event) -> MetricUpdate:
        known = Known(dict(self.clocks), self.titles, set(self.active), self.tags)
        update = fold(events, known, split_words)
        for count in update.counts:
            self.counts[(count.name, count.lang, count.period, count.key)] += count.delta
        self.clocks.update({clock.question_id: clock for clock in update.clocks})
        self.active.update(update.active)
        self.last = update
        return update

    def get(self, name: str, period: str, key: str = "", lang: str = "en") -> int:
        return self.counts[(name, lang, period, key)]

    def total(self, name: str, lang: str = "en") -> int:
        return sum(
            v
            for (n, la, period, _), v in self.counts.items()
            if n == name and la == lang and not period.startswith(rules.MONTH)
        )

    def histogram(self, lang: str = "en") -> Counter[int]:
        """The first answers' waits, {bucket: count}, as the dashboard sums them."""
        waits: Counter[int] = Counter()
        for (name, la, period, key), value in self.counts.items():
            if name == "first_answer" and la == lang and not period.startswith(rules.MONTH):
                waits[int(key)] += value
        return waits


def nonzero(counts: Counter[int]) -> dict[int, int]:
    """The counts that are not zero (negative ones kept, so that a bug shows)."""
    return {key: value for key, value in counts.items() if value}


def named(update: MetricUpdate, name: str) -> list[tuple[str, str, int]]:
    """The day (or month, for actives) counters of ``name``; their month copies are tested
    on their own."""
    return [
        (c.period, c.key, c.delta)
        for c in update.counts
        if c.name == name and not c.period.startswith(rules.MONTH) and c.lang != rules.ALL
    ]


def summed(counts: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """Deltas summed by (period, key), leaving out what came to nothing."""
    total: Counter[tuple[str, str]] = Counter()
    for period, key, delta in counts:
        total[(period, key)] += delta
    return {pair: value for pair, value in total.items() if value}


# (a) Monthly actives


def test_seven_of_ten_members_active_in_a_month_is_a_share_of_0_7():
    """Ten members join in October; seven do something in November, the other three only in
    December. November's active count over the registered count is exactly 0.7."""
    figures = Figures()
    joined = [
        event("signed_up", "2026-10-05T10:00:00Z", entity="user", entity_id=m, actor=m)
        for m in range(1, 11)
    ]
    november = [
        event("signed_in", f"2026-11-{m + 10:02d}T08:00:00Z", entity="user", entity_id=m, actor=m)
        for m in range(1, 8)
    ]
    december = [
        event("signed_in", "2026-12-02T08:00:00Z", entity="user", entity_id=m, actor=m)
        for m in range(8, 11)
    ]
    figures.fold(*joined, *november, *december)

    registered = figures.total("members", lang="")
    active_in_november = figures.get("active", "2026-11", lang="")
    assert registered == 10
    assert active_in_november == 7
    assert figures.get("active", "2026-12", lang="") == 3
    assert rules.active_share(active_in_november, registered) == pytest.approx(0.7)
    assert rules.active_share(active_in_november, registered) >= rules.ACTIVE_GOAL


def test_a_member_acting_twice_in_a_month_is_active_once():
    """Within one batch, and across two batches when the first's (month, member) pair is
    carried in ``Known.active`` as the consumer reads it back from the store."""
    first = fold(
        [
            event("signed_in", "2026-11-03T08:00:00Z", entity="user", entity_id=4, actor=4),
            answered(1, "2026-11-03T09:00:00Z", actor=4),  # no clock: only activity counts
        ],
        NOTHING,
        split_words,
    )
    assert named(first, "active") == [("2026-11", "", 1)]
    assert first.active == [("2026-11", 4)]

    again = [event("signed_in", "2026-11-20T08:00:00Z", entity="user", entity_id=4, actor=4)]
    second = fold(again, Known({}, {}, set(first.active)), split_words)
    assert named(second, "active") == []
    assert second.active == []
    # Without what the first batch saw, the same event would count again: the carry matters.
    assert named(fold(again, NOTHING, split_words), "active") == [("2026-11", "", 1)]
    # A new month is a new count.
    december = [event("signed_in", "2026-12-01T00:00:00Z", entity="user", entity_id=4, actor=4)]
    assert fold(december, Known({}, {}, set(first.active)), split_words).active == [("2026-12", 4)]


def test_events_without_an_actor_make_nobody_active():
    update = fold(
        [event("search_missed", "2026-11-03T08:00:00Z", entity="search", lang="en", query="x")],
        NOTHING,
        split_words,
    )
    assert named(update, "active") == [] and update.active == []
    assert named(update, "search_missed") == [("2026-11-03", "x", 1)]


# (b) Time to first answer


ASKED = "2026-11-02T09:00:00Z"


def test_answers_at_1_59_and_2_01_make_one_of_two_within_the_goal():
    """Two questions asked at the same moment, first answered after 1:59 and after 2:01:
    exactly one is within the two-hour goal, half of those asked."""
    figures = Figures()
    figures.fold(
        asked(1, ASKED, lang="en"),
        asked(2, ASKED, lang="en"),
        answered(1, later(ASKED, 119 * 60)),
        answered(2, later(ASKED, 121 * 60)),
        answered(1, later(ASKED, 125 * 60), answer_id=11),  # a second answer: not a first
    )
    histogram = figures.histogram()

    assert sum(histogram.values()) == 2
    assert histogram == {119 * 60: 1, ANSWER_GOAL_SECONDS + 900: 1}
    within = rules.within(histogram, ANSWER_GOAL_SECONDS)
    assert within == 1
    assert rules.share(within, figures.total("asked")) == 0.5
    p50 = rules.percentile(histogram, 0.5)
    assert 119 * 60 - 60 < p50 <= 121 * 60  # between the two waits, to a bucket's width
    assert p50 == 119 * 60  # the median rank falls at the top of the 1:59 bucket
    assert rules.percentile(histogram, 0.9) == pytest.approx(7200 + 900 * 0.8)
    # Counted on the day the question was asked, and answers are counted per member.
    assert figures.get("first_answer", "2026-11-02", rules.bucket_key(7140)) == 1
    assert figures.get("answers", "2026-11-02", "200") == 3


@pytest.mark.parametrize(
    ("seconds", "upper"),
    [
        (0, 60),
        (1, 60),
        (60, 60),
        (61, 120),
        (7140, 7140),
        (7199, 7200),
        (7200, 7200),  # two hours exactly is within the goal
        (7201, 8100),
        (86_400, 86_400),
        (86_401, 90_000),
        (90 * 86_400, 90 * 86_400),
        (90 * 86_400 + 1, rules.LONGER),
    ],
)
def test_buckets_are_named_by_their_upper_bound(seconds, upper):
    assert rules.bucket(seconds) == upper


def test_bucket_keys_sort_as_numbers():
    keys = [rules.bucket_key(upper) for upper in (60, 900, 7200, 90_000, rules.LONGER)]
    assert keys == sorted(keys)


# (c) Replaced feedback votes


def test_a_replaced_vote_moves_from_yes_to_no_on_the_right_days():
    """A "yes" on 2 November replaced by a "no, unclear" on 5 November, then by a "no, out
    of date" on 6 November: each vote is taken off the day it was given."""
    figures = Figures()
    figures.fold(vote("2026-11-02T10:00:00Z", True))
    assert figures.get("helpful", "2026-11-02", "yes") == 1
    assert figures.get("page_yes", "2026-11-02", PAGE) == 1

    figures.fold(
        vote(
            "2026-11-05T10:00:00Z",
            False,
            "unclear",
            previous={"helpful": True, "reason": None, "at": "2026-11-02T10:00:00Z"},
        )
    )
    assert figures.get("helpful", "2026-11-02", "yes") == 0
    assert figures.get("page_yes", "2026-11-02", PAGE) == 0
    assert figures.get("helpful", "2026-11-05", "no") == 1
    assert figures.get("page_no", "2026-11-05", PAGE) == 1
    assert figures.get("page_reason", "2026-11-05", f"{PAGE} unclear") == 1

    figures.fold(
        vote(
            "2026-11-06T10:00:00Z",
            False,
            "outdated",
            previous={"helpful": False, "reason": "unclear", "at": "2026-11-05T10:00:00Z"},
        )
    )
    assert figures.get("helpful", "2026-11-05", "no") == 0
    assert figures.get("page_no", "2026-11-05", PAGE) == 0
    assert figures.get("page_reason", "2026-11-05", f"{PAGE} unclear") == 0
    assert figures.get("helpful", "2026-11-06", "no") == 1
    assert figures.get("page_reason", "2026-11-06", f"{PAGE} outdated") == 1
    # Overall: one vote, one "no", whatever it went through.
    assert figures.total("helpful") == 1
    assert summed(
        (period, key, value)
        for (name, lang, period, key), value in figures.counts.items()
        if name == "helpful" and lang == "en" and not period.startswith(rules.MONTH)
    ) == {("2026-11-06", "no"): 1}


def test_a_no_back_to_yes_takes_its_reason_away():
    update = fold(
        [
            vote(
                "2026-11-07T10:00:00Z",
                True,
                previous={"helpful": False, "reason": "unsolved", "at": "2026-11-06T10:00:00Z"},
            )
        ],
        NOTHING,
        split_words,
    )
    assert summed(named(update, "page_reason")) == {("2026-11-06", f"{PAGE} unsolved"): -1}
    assert summed(named(update, "helpful")) == {
        ("2026-11-06", "no"): -1,
        ("2026-11-07", "yes"): 1,
    }


def test_a_no_without_a_reason_counts_no_reason():
    update = fold([vote("2026-11-07T10:00:00Z", False)], NOTHING, split_words)
    assert named(update, "page_reason") == []
    assert named(update, "page_no") == [("2026-11-07", PAGE, 1)]


# (d) Deleted, undeleted and held questions


def test_a_deleted_question_leaves_the_counts_and_comes_back_undeleted():
    """Asked on 2 November and answered half an hour later; deleted on the 3rd (its ask and
    its first answer leave 2 November), undeleted on the 4th (both come back there)."""
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en"), answered(1, later(ASKED, 1800)))
    assert figures.get("asked", "2026-11-02") == 1
    assert figures.histogram() == {1800: 1}

    figures.fold(on_question("deleted", 1, "2026-11-03T10:00:00Z"))
    assert figures.get("asked", "2026-11-02") == 0
    assert nonzero(figures.histogram()) == {}
    assert figures.clocks[1].counted is False

    figures.fold(on_question("deleted", 1, "2026-11-03T11:00:00Z"))  # twice: no change
    assert figures.get("asked", "2026-11-02") == 0

    figures.fold(on_question("undeleted", 1, "2026-11-04T10:00:00Z"))
    assert figures.get("asked", "2026-11-02") == 1
    assert figures.histogram() == {1800: 1}
    assert not [key for key in figures.counts if key[2] in ("2026-11-03", "2026-11-04")]


def test_a_held_question_counts_only_once_shown():
    """Held back for review when asked (data held: True): not asked yet, and an answer
    meanwhile is remembered but not counted; a moderator's "shown" brings both in."""
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en", held=True), answered(1, later(ASKED, 600)))
    assert figures.get("asked", "2026-11-02") == 0
    assert nonzero(figures.histogram()) == {}
    assert figures.clocks[1].counted is False and figures.clocks[1].answered_at is not None

    figures.fold(on_question("shown", 1, "2026-11-02T15:00:00Z"))
    assert figures.get("asked", "2026-11-02") == 1
    assert figures.histogram() == {600: 1}

    figures.fold(on_question("shown", 1, "2026-11-02T16:00:00Z"))  # shown again: no change
    assert figures.get("asked", "2026-11-02") == 1


def test_a_held_question_deleted_is_not_taken_off_twice():
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en", held=True))
    figures.fold(on_question("deleted", 1, "2026-11-03T10:00:00Z"))
    assert figures.get("asked", "2026-11-02") == 0  # never counted, so not -1


def test_hiding_a_question_does_not_move_the_counts():
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en"))
    figures.fold(on_question("hidden", 1, "2026-11-03T10:00:00Z"))
    figures.fold(on_question("shown", 1, "2026-11-03T11:00:00Z"))
    assert figures.get("asked", "2026-11-02") == 1


def test_showing_a_deleted_question_does_not_count_it():
    """Hidden by flags, then deleted, then a moderator's "restore" (set_hidden False, a
    "shown" event): the question is still deleted and should stay out of the counts."""
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en"))
    figures.fold(on_question("hidden", 1, "2026-11-02T10:00:00Z"))
    figures.fold(on_question("deleted", 1, "2026-11-02T11:00:00Z"))
    figures.fold(on_question("shown", 1, "2026-11-02T12:00:00Z"))
    assert figures.get("asked", "2026-11-02") == 0


def test_a_held_answer_is_not_a_first_answer():
    figures = Figures()
    held = answered(1, later(ASKED, 300))
    held = Event(held.id, held.kind, "answer", 10, 1, 200, 100, held.at, {"held": True})
    figures.fold(asked(1, ASKED, lang="en"), held)
    assert nonzero(figures.histogram()) == {}


def test_tags_and_title_words_are_counted_on_the_day_asked():
    figures = Figures(titles={1: "Battery battery drains"})
    figures.fold(asked(1, ASKED, lang="en", tags=["battery", "charging"]))
    assert figures.get("tag", "2026-11-02", "battery") == 1
    assert figures.get("tag", "2026-11-02", "charging") == 1
    assert figures.get("term", "2026-11-02", "battery") == 1  # a title's word counts once
    assert figures.get("term", "2026-11-02", "drains") == 1


def test_accepting_and_withdrawing_move_the_authors_count():
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en"))
    accept = event(
        "accepted", "2026-11-03T10:00:00Z", entity="answer", question_id=1, actor=100, affected=7
    )
    withdraw = event(
        "unaccepted", "2026-11-03T11:00:00Z", entity="answer", question_id=1, actor=100, affected=7
    )
    figures.fold(accept)
    assert figures.get("accepted", "2026-11-03", "7") == 1
    figures.fold(withdraw)
    assert figures.get("accepted", "2026-11-03", "7") == 0


# (e) Trending


def test_a_tag_rising_this_week_trends_and_quiet_or_steady_ones_do_not():
    """6 this week against 4 in the four weeks before (one a week) rises; 2 this week is
    under the minimum of 3; 4 a week, every week, is steady."""
    this_week = {"battery": 6, "screen": 2, "charging": 4}
    before = {"battery": 4, "screen": 0, "charging": 16}

    trends = rules.trending("tag", this_week, before)

    assert [trend.name for trend in trends] == ["battery"]
    (battery,) = trends
    assert battery.kind == "tag" and battery.this_week == 6
    assert battery.weekly_before == 1.0
    assert battery.rise == pytest.approx((6 + 1) / (1 + 1))


def test_trending_minimum_and_ranking():
    trends = rules.trending(
        "term",
        {"new": 3, "rising": 9, "fresh": 5, "barely": 3},
        {"rising": 8, "barely": 11},  # barely: 2.75 a week, 3 this week is a rise
    )
    assert [t.name for t in trends] == ["fresh", "new", "rising", "barely"]
    assert [t.rise for t in trends] == pytest.approx([6.0, 4.0, 10 / 3, 4 / 3.75])
    assert rules.trending("term", {"a": 3, "b": 4, "c": 5}, {}, limit=2)[-1].name == "b"
    assert rules.trending("tag", {"x": rules.TRENDING_MIN - 1}, {}) == []


# (f) Formulas at their edges


def test_percentile_edges():
    assert rules.percentile({}, 0.5) is None
    assert rules.percentile({60: 0, 120: 0}, 0.5) is None
    assert rules.percentile({60: 0, 120: 2}, 0.5) == 90.0  # empty buckets are skipped
    assert rules.percentile({60: 4}, 0.0) == 0.0
    assert rules.percentile({60: 4}, 1.0) == 60.0
    # Waits beyond the last bucket: at least that long, no more is known.
    assert rules.percentile({rules.LONGER: 3}, 0.5) == float(rules.BUCKETS[-1])
    assert rules.percentile({1800: 1, rules.LONGER: 1}, 0.5) == 1800.0


def test_within_edges():
    assert rules.within({}, ANSWER_GOAL_SECONDS) == 0
    assert rules.within({7200: 2, 8100: 5}, ANSWER_GOAL_SECONDS) == 2
    assert rules.within({rules.LONGER: 5}, ANSWER_GOAL_SECONDS) == 0


def test_share_and_growth_edges():
    assert rules.share(3, 0) is None
    assert rules.share(0, 4) == 0.0
    assert rules.share(1, 4) == 0.25
    assert rules.active_share(0, 0) is None
    assert rules.growth(5, 0) is None  # from nothing
    assert rules.growth(0, 0) is None
    assert rules.growth(0, 4) == -1.0
    assert rules.growth(6, 4) == 0.5
    assert rules.growth(4, 4) == 0.0


def test_periods():
    today = dt.date(2026, 3, 2)
    assert rules.days_back(today, 7) == ("2026-02-24", "2026-03-02")
    assert rules.days_back(today, 1) == ("2026-03-02", "2026-03-02")
    assert rules.months_back(dt.date(2026, 2, 15), 4) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert rules.weeks(dt.date(2026, 2, 20), today) == [
        ("2026-02-20", "2026-02-23"),
        ("2026-02-24", "2026-03-02"),
    ]
    assert rules.weeks(today, today) == [("2026-03-02", "2026-03-02")]
    assert rules.weeks(today, today - dt.timedelta(days=1)) == []


def test_cumulative_totals():
    daily = [("2026-01-03", 2), ("2026-02-10", 1), ("2026-02-28", 4)]
    assert rules.cumulative(daily, 5, ["2026-01-31", "2026-02-27", "2026-02-31"]) == [7, 8, 12]
    assert rules.cumulative([], 3, ["2026-01-01"]) == [3]
    assert rules.cumulative(daily, 0, ["2025-12-31"]) == [0]


def test_every_day_count_is_kept_for_its_month_too():
    """Long periods read month counters: each holds exactly the sum of its days."""
    figures = Figures(titles={1: "battery drain", 2: "battery swap"})
    figures.fold(
        asked(1, "2026-10-30T10:00:00Z", lang="en"),
        asked(2, "2026-11-02T10:00:00Z", lang="en"),
        answered(1, "2026-10-30T11:00:00Z"),
        vote("2026-11-05T10:00:00Z", helpful=False, reason="unclear"),
    )
    days: Counter[tuple[str, str, str, str]] = Counter()
    months: Counter[tuple[str, str, str, str]] = Counter()
    for (name, lang, period, key), value in figures.counts.items():
        if period.startswith(rules.MONTH):
            months[(name, lang, period[1:], key)] += value
        elif len(period) == 10:
            days[(name, lang, period[:7], key)] += value
    assert days and +days == +months
    assert figures.get("term", "M2026-11", "battery") == 1
    assert figures.get("term", "M2026-10", "battery") == 1


def test_a_long_period_reads_whole_months_and_the_days_at_its_ends():
    d = dt.date
    assert rules.ranges(d(2025, 12, 3), d(2026, 12, 2)) == [
        ("2025-12-03", "2025-12-31"),
        ("M2026-01", "M2026-11"),
        ("2026-12-01", "2026-12-02"),
    ]
    assert rules.ranges(d(2026, 11, 3), d(2026, 12, 2)) == [("2026-11-03", "2026-12-02")]
    assert rules.ranges(d(2026, 10, 1), d(2026, 11, 30)) == [("M2026-10", "M2026-11")]
    assert rules.ranges(d(2026, 2, 1), d(2026, 2, 28)) == [("M2026-02", "M2026-02")]


def test_every_count_in_a_language_is_kept_for_all_languages_too():
    figures = Figures()
    figures.fold(asked(1, ASKED, lang="en"), asked(2, ASKED, lang="km"))
    assert figures.get("asked", "2026-11-02", lang="en") == 1
    assert figures.get("asked", "2026-11-02", lang="km") == 1
    assert figures.get("asked", "2026-11-02", lang=rules.ALL) == 2
    figures.fold(event("signed_up", ASKED, entity="user", entity_id=5, actor=5))
    assert figures.get("members", "2026-11-02", lang="") == 1
    assert figures.get("members", "2026-11-02", lang=rules.ALL) == 0  # members have no language


def test_question_words_are_no_topic():
    """ "How", "сколько" and "तक" ask; "battery" names a topic."""
    titles = {1: "How long until the battery swap", 2: "Сколько стоит замена батареи"}
    figures = Figures(titles=titles)
    figures.fold(asked(1, ASKED, lang="en"), asked(2, ASKED, lang="ru"))
    terms = {key for (name, _, _, key) in figures.counts if name == "term"}
    assert {"battery", "swap", "стоит", "замена"} <= terms
    assert not terms & {"how", "until", "сколько"}


def test_a_held_or_deleted_question_names_no_trending_topic():
    """Spam is what gets held or deleted: its tags and words leave the topics with it."""
    figures = Figures(titles={1: "cheap chargers"}, tags={1: ("battery",)})
    figures.fold(asked(1, ASKED, lang="en", held=True, tags=["battery"]))
    assert figures.get("tag", "2026-11-02", "battery") == 0
    assert figures.get("term", "2026-11-02", "cheap") == 0
    figures.fold(on_question("shown", 1, "2026-11-02T12:00:00Z"))  # let through
    assert figures.get("tag", "2026-11-02", "battery") == 1
    assert figures.get("term", "2026-11-02", "cheap") == 1
    figures.fold(on_question("deleted", 1, "2026-11-03T12:00:00Z"))
    assert figures.get("tag", "2026-11-02", "battery") == 0
    assert figures.get("term", "2026-11-02", "cheap") == 0
    assert figures.get("tag", "M2026-11", "battery", lang=rules.ALL) == 0
