"""The engagement rules as plain functions: hand-made events folded against what the store
would know (functions/engagement_rules.py), with the real gamification.yml."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from itertools import count

import pytest
import yaml

from core.gamification import RULES_FILE, parse, programme
from functions.engagement_rules import (
    ALL,
    Known,
    boards,
    day_of,
    fold,
    month_of,
    needs,
    period_keys,
    week_of,
)
from functions.store.contract import AwardUpdate, Event

RULES = programme()
MONDAY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)  # week 48 of 2026
ASKER, AUTHOR, VOTER, OTHER = 1, 2, 3, 4
QUESTION, ANSWER, ANSWER_B = 10, 20, 21
_ids = count(1000)


def at(days: float = 0, minutes: int = 0) -> str:
    moment = MONDAY + dt.timedelta(days=days, minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def event(kind: str, entity: str = "answer", entity_id: int = ANSWER, **fields) -> Event:
    data = fields.pop("data", {})
    return Event(
        id=fields.pop("id", next(_ids)),
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        question_id=fields.pop("question_id", QUESTION),
        actor_id=fields.pop("actor", None),
        affected_id=fields.pop("affected", None),
        at=fields.pop("at", at()),
        data=data,
    )


def known(**given) -> Known:
    empty = {"booked": {}, "undone": {}, "keys_on": {}, "stats": {}, "tags": {}, "answers": {}}
    return Known(**{**empty, **given})


def run(*events: Event, **given) -> AwardUpdate:
    return fold(list(events), known(**given), RULES)


def points(update: AwardUpdate) -> dict[int, int]:
    """Each member's net points from a batch, quests' rewards included."""
    total: Counter[int] = Counter()
    for entry in update.entries:
        total[entry.user_id] += entry.points
    for award in update.awards:
        if award.booking is not None:
            total[award.booking.user_id] += award.booking.points
    return {user: n for user, n in total.items() if n}


def reasons(update: AwardUpdate, user_id: int) -> list[tuple[str, int]]:
    return [(e.reason, e.points) for e in update.entries if e.user_id == user_id]


def awards(update: AwardUpdate) -> list[tuple[int, str, str, str, str]]:
    return [(a.user_id, a.kind, a.name, a.tier, a.period) for a in update.awards]


def asked(user: int = ASKER, question: int = QUESTION, **fields) -> Event:
    return event("asked", "question", question, question_id=question, actor=user, **fields)


def answered(user: int = AUTHOR, answer: int = ANSWER, **fields) -> Event:
    return event("answered", "answer", answer, actor=user, affected=ASKER, **fields)


def voted(old: int, new: int, voter: int = VOTER, author: int = AUTHOR, answer: int = ANSWER, **f):
    data = {"old": old, "new": new}
    return event("voted", "answer", answer, actor=voter, affected=author, data=data, **f)


# The calendar


def test_periods_are_the_day_the_iso_week_and_the_month():
    assert period_keys("2026-12-02T10:00:00Z") == ("d2026-12-02", "w2026-W49", "m2026-12")
    # 1 January 2027 is a Friday: ISO week 53 of 2026, month 2027-01.
    assert week_of("2027-01-01T00:00:00Z") == "w2026-W53"
    assert month_of("2027-01-01T00:00:00Z") == "m2027-01"
    assert day_of(at()) == "d2026-11-23"
    assert boards(at(), ("battery",)) == (
        ("points", "w2026-W48"),
        ("points", "m2026-11"),
        ("points", ALL),
        ("points:battery", "w2026-W48"),
        ("points:battery", "m2026-11"),
        ("points:battery", ALL),
    )


def test_needs_names_what_the_fold_will_read():
    wanted = needs(
        [
            voted(0, 1),
            event("accepted", actor=ASKER, affected=AUTHOR),
            event("deleted", "question", QUESTION, affected=ASKER),
            event(
                "feedback",
                "page",
                77,
                question_id=None,
                actor=VOTER,
                data={"page": "community/answer-5/", "helpful": True},
            ),
        ]
    )
    assert f"vote:{VOTER}:answer:{ANSWER}" in wanted.keys
    assert {f"accepted:{ANSWER}", f"accepting:{ANSWER}", "helpful:77"} <= wanted.keys
    assert wanted.posts == {f"question:{QUESTION}"}
    assert wanted.answer_ids == {ANSWER, 5}
    assert {VOTER, AUTHOR, ASKER} <= wanted.users and ALL in wanted.periods


# Points for each act


def test_each_act_earns_its_points_under_its_key():
    update = run(
        asked(),
        answered(),
        voted(0, 1),
        event("accepted", actor=ASKER, affected=AUTHOR),
        event("promoted", actor=OTHER, affected=AUTHOR),
        answers={ANSWER: (AUTHOR, 1)},
    )
    p = RULES.points
    assert points(update) == {
        ASKER: p["asked"] + p["accepting"],
        AUTHOR: p["answered"] + p["upvoted"] + p["accepted"] + p["promoted"],
    }
    booked = {(e.user_id, e.key): (e.reason, e.points) for e in update.entries}
    assert booked == {
        (ASKER, f"question:{QUESTION}"): ("asked", 2),
        (AUTHOR, f"answer:{ANSWER}"): ("answered", 5),
        (AUTHOR, f"vote:{VOTER}:answer:{ANSWER}"): ("upvoted", 10),
        (AUTHOR, f"accepted:{ANSWER}"): ("accepted", 15),
        (ASKER, f"accepting:{ANSWER}"): ("accepting", 2),
        (AUTHOR, f"promoted:{ANSWER}"): ("promoted", 25),
    }
    # Each entry names its event, and the post a deletion would take it back from.
    posts = {e.key: e.post for e in update.entries}
    assert posts[f"answer:{ANSWER}"] == f"answer:{ANSWER}"
    assert posts[f"accepting:{ANSWER}"] is None


def test_a_downvote_costs_the_author_and_a_little_the_voter():
    update = run(voted(0, -1))
    assert reasons(update, AUTHOR) == [("downvoted", -2)]
    assert reasons(update, VOTER) == [("downvote_given", -1)]


def test_points_count_toward_the_question_tags_boards():
    update = run(answered(), tags={QUESTION: ("battery", "charging")})
    (entry,) = update.entries
    assert ("points:battery", week_of(at())) in entry.boards
    assert ("points:charging", ALL) in entry.boards and ("points", ALL) in entry.boards


def test_a_post_held_for_review_earns_when_it_is_let_through_once():
    held = answered(data={"held": True})
    shown = event("shown", actor=OTHER, affected=AUTHOR)
    assert run(held).entries == []
    update = run(held, shown)
    assert reasons(update, AUTHOR) == [("answered", 5)]
    assert update.stats[(AUTHOR, "answers", ALL)] == 1
    # Shown again later (hidden by flags, then approved): nothing more.
    again = run(shown, booked={(AUTHOR, f"answer:{ANSWER}"): 5})
    assert again.entries == [] and (AUTHOR, "answers", ALL) not in again.stats


def test_promoted_again_in_another_language_earns_nothing_more():
    promoted = event("promoted", actor=OTHER, affected=AUTHOR)
    update = run(promoted, event("promoted", actor=OTHER, affected=AUTHOR))
    assert points(update) == {AUTHOR: 25}
    assert run(promoted, booked={(AUTHOR, f"promoted:{ANSWER}"): 25}).entries == []
    withdrawn = run(
        event("unpromoted", actor=OTHER, affected=AUTHOR),
        booked={(AUTHOR, f"promoted:{ANSWER}"): 25},
    )
    assert reasons(withdrawn, AUTHOR) == [("promoted:withdrawn", -25)]


def test_an_admin_grant_books_as_many_as_given_uncapped():
    capped = {(AUTHOR, "capped", day_of(at())): RULES.daily_cap}
    grant = event(
        "granted",
        "user",
        AUTHOR,
        question_id=None,
        actor=OTHER,
        affected=AUTHOR,
        data={"points": 700, "reason": "set-up"},
    )
    take = event(
        "granted",
        "user",
        AUTHOR,
        question_id=None,
        actor=OTHER,
        affected=AUTHOR,
        data={"points": -30, "reason": "spam"},
    )
    update = run(grant, take, stats=capped)
    assert reasons(update, AUTHOR) == [("granted", 700), ("granted", -30)]


# Votes changed and withdrawn


def test_a_changed_vote_takes_back_what_the_earlier_one_gave():
    update = run(voted(0, 1), voted(1, -1), voted(-1, 1), voted(1, 0))
    assert reasons(update, AUTHOR) == [
        ("upvoted", 10),
        ("upvoted:changed", -10),
        ("downvoted", -2),
        ("downvoted:changed", 2),
        ("upvoted", 10),
        ("upvoted:withdrawn", -10),
    ]
    assert reasons(update, VOTER) == [("downvote_given", -1), ("downvote_given:changed", 1)]
    assert points(update) == {}
    # The voter's vote count and the author's upvotes end where they began.
    assert update.stats.get((VOTER, "votes", ALL), 0) == 0
    assert update.stats.get((AUTHOR, "upvotes", ALL), 0) == 0


def test_a_vote_withdrawn_in_a_later_batch_takes_back_exactly_what_was_booked():
    key = f"vote:{VOTER}:answer:{ANSWER}"
    # The cap left the upvote 4 points when it was cast: withdrawing takes back 4, not 10.
    update = run(voted(1, 0), booked={(AUTHOR, key): 4})
    assert reasons(update, AUTHOR) == [("upvoted:withdrawn", -4)]
    update = run(voted(-1, 0), booked={(AUTHOR, key): -2, (VOTER, key): -1})
    assert points(update) == {AUTHOR: 2, VOTER: 1}
    # A vote whose points were taken back already (its post deleted) gives nothing back.
    assert run(voted(1, 0), booked={(AUTHOR, key): 0}).entries == []


# Deleted and undeleted posts


POST = f"answer:{ANSWER}"
UPVOTE, DOWNVOTE = (f"vote:{n}:answer:{ANSWER}" for n in (VOTER, OTHER))
# An answer with its own points, an upvote and a downvote (which cost its voter 1).
ON_POST = {(AUTHOR, POST): 5, (AUTHOR, UPVOTE): 10, (AUTHOR, DOWNVOTE): -2, (OTHER, DOWNVOTE): -1}


def by_key(update: AwardUpdate) -> list[tuple[int, str, int, str]]:
    """(member, key, points, how it was undone) of each entry, sorted."""
    return sorted((e.user_id, e.key, e.points, e.reason.partition(":")[2]) for e in update.entries)


def test_a_deleted_post_gives_back_its_points_and_undeleting_restores_them():
    keys_on = {POST: set(ON_POST)}
    deleted = event("deleted", actor=OTHER, affected=AUTHOR)
    update = run(deleted, booked=ON_POST, keys_on=keys_on)
    assert by_key(update) == sorted(
        (user, key, -held, "deleted") for (user, key), held in ON_POST.items()
    )
    assert all(e.post == POST for e in update.entries)
    assert update.stats[(AUTHOR, "answers", ALL)] == -1

    # In a later batch, the store knows what the deletion took (its "undone" net).
    after = dict.fromkeys(ON_POST, 0)
    undone = {key: -held for key, held in ON_POST.items()}
    undeleted = event("undeleted", actor=OTHER, affected=AUTHOR)
    update = run(undeleted, booked=after, undone=undone, keys_on=keys_on)
    assert by_key(update) == sorted(
        (user, key, held, "restored") for (user, key), held in ON_POST.items()
    )
    assert update.stats[(AUTHOR, "answers", ALL)] == 1

    # Deleted, undeleted and deleted again in one batch: net the points of one deletion.
    again = event("deleted", actor=OTHER, affected=AUTHOR)
    update = run(deleted, undeleted, again, booked=ON_POST, keys_on=keys_on)
    assert points(update) == {AUTHOR: -5 - 10 + 2, OTHER: 1}
    assert update.stats[(AUTHOR, "answers", ALL)] == -1


def test_a_deletion_names_the_act_it_takes_back():
    update = run(
        event("deleted", actor=OTHER, affected=AUTHOR), booked=ON_POST, keys_on={POST: set(ON_POST)}
    )
    assert sorted((e.user_id, e.reason) for e in update.entries) == [
        (AUTHOR, "answered:deleted"),
        (AUTHOR, "downvoted:deleted"),
        (AUTHOR, "upvoted:deleted"),
        (OTHER, "downvote_given:deleted"),
    ]


def test_undeleting_restores_only_what_a_deletion_took():
    post = f"answer:{ANSWER}"
    keys_on = {post: {(AUTHOR, post), (AUTHOR, f"accepted:{ANSWER}")}}
    # Its acceptance was undone by its own "unaccepted" event, not by the deletion.
    booked = {(AUTHOR, post): 0, (AUTHOR, f"accepted:{ANSWER}"): 0}
    undone = {(AUTHOR, post): -5, (AUTHOR, f"accepted:{ANSWER}"): 0}
    update = run(
        event("undeleted", actor=OTHER, affected=AUTHOR),
        booked=booked,
        undone=undone,
        keys_on=keys_on,
    )
    assert reasons(update, AUTHOR) == [("answered:restored", 5)]
    # Undeleted twice (the event met again): the second finds nothing left to restore.
    update = run(
        event("undeleted", actor=OTHER, affected=AUTHOR),
        event("undeleted", actor=OTHER, affected=AUTHOR),
        booked=booked,
        undone=undone,
        keys_on=keys_on,
    )
    assert reasons(update, AUTHOR) == [("answered:restored", 5)]


# Accepted and unaccepted


def test_unaccepting_takes_back_both_sides():
    accepted = event("accepted", actor=ASKER, affected=AUTHOR)
    unaccepted = event("unaccepted", actor=ASKER, affected=AUTHOR, data={"reason": "withdrawn"})
    update = run(accepted, unaccepted)
    assert reasons(update, AUTHOR) == [("accepted", 15), ("accepted:unaccepted", -15)]
    assert reasons(update, ASKER) == [("accepting", 2), ("accepting:unaccepted", -2)]
    assert update.stats.get((AUTHOR, "accepted", ALL), 0) == 0
    # In a later batch, from what the store holds.
    booked = {(AUTHOR, f"accepted:{ANSWER}"): 15, (ASKER, f"accepting:{ANSWER}"): 2}
    update = run(unaccepted, booked=booked)
    assert points(update) == {AUTHOR: -15, ASKER: -2}
    # Unaccepted when nothing was booked (the event met again): nothing.
    assert run(unaccepted, booked={k: 0 for k in booked}).entries == []


def test_accepting_another_answer_replaces_the_first():
    booked = {(AUTHOR, f"accepted:{ANSWER}"): 15, (ASKER, f"accepting:{ANSWER}"): 2}
    replaced = event("unaccepted", actor=ASKER, affected=AUTHOR, data={"reason": "replaced"})
    other = event(
        "accepted", "answer", ANSWER_B, actor=ASKER, affected=OTHER, data={"previous": ANSWER}
    )
    update = run(replaced, other, booked=booked)
    assert reasons(update, AUTHOR) == [("accepted:unaccepted", -15)]
    assert reasons(update, OTHER) == [("accepted", 15)]
    assert reasons(update, ASKER) == [("accepting:unaccepted", -2), ("accepting", 2)]
    assert update.stats[(AUTHOR, "accepted", ALL)] == -1
    assert update.stats[(OTHER, "accepted", ALL)] == 1


def test_a_moderator_who_accepted_is_the_one_who_gives_accepting_back():
    booked = {(AUTHOR, f"accepted:{ANSWER}"): 15, (OTHER, f"accepting:{ANSWER}"): 2}
    update = run(event("unaccepted", actor=ASKER, affected=AUTHOR), booked=booked)
    assert points(update) == {AUTHOR: -15, OTHER: -2}


# The daily cap


def test_the_daily_cap_stops_capped_acts_but_not_uncapped_ones():
    cap = RULES.daily_cap
    upvotes = [voted(0, 1, voter=100 + n, at=at(minutes=n)) for n in range(cap // 10 + 5)]
    update = run(*upvotes)
    assert points(update) == {AUTHOR: cap}
    assert sum(e.points for e in update.entries) == cap  # the rest booked nothing
    assert update.stats[(AUTHOR, "capped", day_of(at()))] == cap
    # At the cap: accepted and promoted still pay, downvotes still cost, answers pay nothing.
    full = {(AUTHOR, "capped", day_of(at())): cap}
    assert set(RULES.uncapped) == {"accepted", "promoted"}
    update = run(
        event("accepted", actor=ASKER, affected=AUTHOR),
        event("promoted", actor=OTHER, affected=AUTHOR),
        voted(0, -1, voter=OTHER),
        answered(answer=ANSWER_B),
        stats=full,
    )
    assert sorted(reasons(update, AUTHOR)) == [
        ("accepted", 15),
        ("downvoted", -2),
        ("promoted", 25),
    ]
    # The answer counts though no points were left for it.
    assert update.stats[(AUTHOR, "answers", ALL)] == 1
    # The next day the cap starts again.
    update = run(voted(0, 1, at=at(days=1)), stats=full)
    assert reasons(update, AUTHOR) == [("upvoted", 10)]


def test_a_partly_capped_act_books_what_is_left():
    stats = {(AUTHOR, "capped", day_of(at())): RULES.daily_cap - 3}
    update = run(voted(0, 1), stats=stats)
    assert reasons(update, AUTHOR) == [("upvoted", 3)]
    assert update.stats[(AUTHOR, "capped", day_of(at()))] == 3


# Badges


def test_a_badge_tier_is_awarded_once_even_when_its_event_comes_twice():
    first = asked()
    update = run(first, first, first)
    assert awards(update) == [(ASKER, "badge", "asker", "bronze", "")]
    assert points(update) == {ASKER: 2}
    assert update.stats[(ASKER, "questions", ALL)] == 1
    # Crossing silver awards silver only, in the batch that crosses it.
    update = run(asked(question=11), asked(question=12), stats={(ASKER, "questions", ALL): 8})
    assert awards(update) == [(ASKER, "badge", "asker", "silver", "")]
    # A count that passed a tier before earns nothing new.
    assert awards(run(asked(question=13), stats={(ASKER, "questions", ALL): 12})) == []


def test_a_badge_can_name_the_event_that_earned_it():
    first = asked()
    (award,) = run(first).awards
    assert award.event_id == first.id and award.at == first.at and award.booking is None


def test_good_answer_follows_the_answer_score():
    update = run(voted(0, 1), answers={ANSWER: (AUTHOR, 10)})
    assert sorted(awards(update)) == [
        (AUTHOR, "badge", "good_answer", "bronze", ""),
        (AUTHOR, "badge", "good_answer", "silver", ""),
    ]
    assert update.stats[(AUTHOR, "best_answer_score", ALL)] == 10
    assert awards(run(voted(0, 1), answers={ANSWER: (AUTHOR, 4)})) == []


def test_a_per_week_badge_is_awarded_again_the_next_week():
    need = RULES.badges["helper_of_the_week"].tiers["silver"]
    week_one = [answered(answer=200 + n, at=at(minutes=n)) for n in range(need)]
    week_two = [answered(answer=300 + n, at=at(days=7, minutes=n)) for n in range(need)]
    update = run(*week_one, *week_two)
    weekly = [a for a in awards(update) if a[2] == "helper_of_the_week"]
    assert weekly == [
        (AUTHOR, "badge", "helper_of_the_week", "silver", week_of(at())),
        (AUTHOR, "badge", "helper_of_the_week", "silver", week_of(at(days=7))),
    ]
    # The all-time badge of the same count is awarded once.
    assert [a for a in awards(update) if a[2] == "answerer"] == [
        (AUTHOR, "badge", "answerer", "bronze", "")
    ]
    # One short in a week earns nothing that week.
    short = run(*week_one[:-1])
    assert not [a for a in awards(short) if a[2] == "helper_of_the_week"]


def test_a_per_week_badge_does_not_hide_the_all_time_tiers_of_its_count():
    """Whatever order the badges are listed in, each is judged on its own numbers."""
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    reordered = copy.deepcopy(data)
    weekly = reordered["badges"].pop("helper_of_the_week")
    reordered["badges"] = {"helper_of_the_week": weekly, **reordered["badges"]}
    rules = parse(yaml.safe_dump(reordered, allow_unicode=True, sort_keys=False))
    silver = RULES.badges["answerer"].tiers["silver"]
    stats = {(AUTHOR, "answers", ALL): silver - 1}
    for listed in (RULES, rules):
        update = fold([answered()], known(stats=stats), listed)
        assert (AUTHOR, "badge", "answerer", "silver", "") in awards(update), list(listed.badges)


# Streaks


def visit(day: float, user: int = AUTHOR, kind: str = "visited") -> Event:
    return event(kind, "user", user, question_id=None, actor=user, at=at(days=day))


def test_a_visit_streak_of_consecutive_days_earns_its_badge():
    need = RULES.badges["regular"].tiers["bronze"]
    days = [visit(d) for d in range(need - 1)]
    # Several visits a day, and signing in, count as one day.
    days += [visit(0.5), visit(need - 2, kind="signed_in")]
    assert not awards(run(*days))
    update = run(*days, visit(need - 1, kind="signed_in"))
    assert awards(update) == [(AUTHOR, "badge", "regular", "bronze", "")]
    assert update.stats[(AUTHOR, "streak:visits", ALL)] == need


def test_a_broken_streak_starts_again():
    need = RULES.badges["regular"].tiers["bronze"]
    # need - 1 days, a day missed, then need - 1 days again: no badge.
    first = [visit(d) for d in range(need - 1)]
    second = [visit(d) for d in range(need, 2 * need - 1)]
    update = run(*first, *second)
    assert not awards(update)
    assert update.stats[(AUTHOR, "streak:visits", ALL)] == need - 1
    # One more day in a row completes it.
    assert awards(run(*first, *second, visit(2 * need - 1))) == [
        (AUTHOR, "badge", "regular", "bronze", "")
    ]


def test_a_streak_continues_from_what_the_store_knows():
    need = RULES.badges["regular"].tiers["bronze"]
    yesterday = dt.date.fromisoformat(at()[:10]).toordinal() - 1
    stats = {
        (AUTHOR, "streak_day:visits", ALL): yesterday,
        (AUTHOR, "streak:visits", ALL): need - 1,
    }
    assert awards(run(visit(0), stats=stats)) == [(AUTHOR, "badge", "regular", "bronze", "")]
    # Met again the same day (a replay): the streak does not grow.
    stats = {(AUTHOR, "streak_day:visits", ALL): yesterday + 1, (AUTHOR, "streak:visits", ALL): 3}
    update = run(visit(0), stats=stats)
    assert not update.stats and not update.awards


def test_answering_on_consecutive_days_is_its_own_streak():
    need = RULES.badges["devoted"].tiers["bronze"]
    answers = [answered(answer=400 + d, at=at(days=d)) for d in range(need)]
    update = run(*answers)
    assert (AUTHOR, "badge", "devoted", "bronze", "") in awards(update)
    # Visits do not make an answering streak, nor answers a visiting one.
    assert update.stats.get((AUTHOR, "streak:visits", ALL), 0) == 0
    assert not [a for a in awards(run(*[visit(d) for d in range(need)])) if a[2] == "devoted"]


# Quests


def test_a_quest_is_completed_once_a_period_and_pays_its_reward_uncapped():
    quest = RULES.quests["rescuer"]
    rescues = [
        answered(answer=500 + n, data={"first": True}, at=at(minutes=n))
        for n in range(quest.target + 2)
    ]
    full = {(AUTHOR, "capped", day_of(at())): RULES.daily_cap}
    update = run(*rescues, stats=full)
    quests = [a for a in update.awards if a.kind == "quest"]
    assert [(a.user_id, a.name, a.period) for a in quests] == [(AUTHOR, "rescuer", week_of(at()))]
    (reward,) = [a.booking for a in quests]
    assert (reward.user_id, reward.points, reward.reason) == (AUTHOR, quest.reward, "quest")
    assert reward.key == f"quest:rescuer:{week_of(at())}"
    assert points(update) == {AUTHOR: quest.reward}  # the answers were capped
    # Answers that are not first answers do not count.
    plain = [answered(answer=600 + n) for n in range(quest.target)]
    assert not [a for a in run(*plain).awards if a.kind == "quest"]
    # The next week it can be done again.
    later = [answered(answer=700 + n, data={"first": True}, at=at(days=7)) for n in range(3)]
    quests = [a for a in run(*rescues, *later).awards if a.kind == "quest"]
    assert [a.period for a in quests] == [week_of(at()), week_of(at(days=7))]


def test_quest_progress_is_kept_per_period():
    quest = RULES.quests["curator"]
    votes = [voted(0, 1, answer=800 + n, author=OTHER) for n in range(quest.target - 1)]
    update = run(*votes)
    assert update.stats[(VOTER, "votes", week_of(at()))] == quest.target - 1
    assert not [a for a in update.awards if a.kind == "quest"]
    stats = {(VOTER, "votes", week_of(at())): quest.target - 1}
    update = run(voted(0, 1, answer=900, author=OTHER), stats=stats)
    assert [(a.name, a.booking.points) for a in update.awards if a.kind == "quest"] == [
        ("curator", quest.reward)
    ]
    # Last week's votes do not count this week.
    stats = {(VOTER, "votes", week_of(at(days=-7))): quest.target - 1}
    assert not [
        a
        for a in run(voted(0, 1, answer=901, author=OTHER), stats=stats).awards
        if a.kind == "quest"
    ]


def test_a_monthly_quest_counts_the_month():
    quest = RULES.quests["closer"]
    accepted = [
        event("accepted", "answer", 1000 + n, actor=ASKER, affected=AUTHOR, at=at(days=n))
        for n in range(quest.target)
    ]
    update = run(*accepted)
    assert [(a.name, a.period) for a in update.awards if a.kind == "quest"] == [
        ("closer", month_of(at()))
    ]


# Feedback on knowledge-base pages


def feedback(helpful: bool, actor: int | None = VOTER, page: str = "community/answer-20/", id=77):
    return event(
        "feedback",
        "page",
        id,
        question_id=None,
        actor=actor,
        data={"page": page, "lang": "en", "helpful": helpful},
    )


def test_a_helpful_vote_on_a_promoted_page_pays_the_answer_author():
    answers = {ANSWER: (AUTHOR, 3)}
    update = run(feedback(True), answers=answers)
    assert reasons(update, AUTHOR) == [("helpful", RULES.points["helpful"])]
    assert update.entries[0].post == f"answer:{ANSWER}"
    assert update.stats[(AUTHOR, "helpful", ALL)] == 1
    assert awards(update) == [(AUTHOR, "badge", "useful", "bronze", "")]
    # A visitor who is not signed in counts too.
    assert points(run(feedback(True, actor=None), answers=answers)) == {AUTHOR: 2}
    # Said twice, it counts once; changed to "not helpful", it is taken back.
    booked = {(AUTHOR, "helpful:77"): 2}
    assert run(feedback(True), answers=answers, booked=booked).entries == []
    update = run(feedback(False), answers=answers, booked=booked)
    assert reasons(update, AUTHOR) == [("helpful:changed", -2)]


def test_no_points_for_ones_own_page_or_a_page_not_made_from_an_answer():
    answers = {ANSWER: (AUTHOR, 3)}
    assert run(feedback(True, actor=AUTHOR), answers=answers).entries == []
    assert run(feedback(True, page="faq/refunds/"), answers=answers).entries == []
    assert run(feedback(True, page="community/answer-999/"), answers=answers).entries == []
    # Not helpful first earns and costs nothing.
    assert run(feedback(False), answers=answers).entries == []


# The fold as a whole


def test_a_batch_with_every_event_twice_folds_as_once():
    batch = [
        asked(),
        answered(data={"first": True}),
        voted(0, 1),
        event("accepted", actor=ASKER, affected=AUTHOR),
        visit(0),
        feedback(True),
    ]
    given = {"answers": {ANSWER: (AUTHOR, 1)}}
    once = run(*batch, **given)
    twice = run(*batch, *batch, **given)
    doubled = run(*[e for e in batch for _ in (0, 1)], **given)
    assert twice == once == doubled


def test_folding_does_not_change_what_it_was_given():
    given = known(booked={(AUTHOR, f"vote:{VOTER}:answer:{ANSWER}"): 10}, stats={})
    before = copy.deepcopy(given)
    fold([voted(1, 0), asked()], given, RULES)
    assert given == before


@pytest.mark.parametrize("kind", ["hidden", "commented", "followed", "search_missed"])
def test_other_events_earn_nothing(kind):
    assert run(event(kind, actor=VOTER, affected=AUTHOR)) == AwardUpdate()


def test_an_event_met_again_in_a_later_batch_counts_nothing():
    held = {
        (ASKER, f"question:{QUESTION}"): 2,
        (AUTHOR, f"answer:{ANSWER}"): 5,
        (AUTHOR, f"vote:{VOTER}:answer:{ANSWER}"): 10,
        (AUTHOR, f"accepted:{ANSWER}"): 15,
        (ASKER, f"accepting:{ANSWER}"): 2,
    }
    update = run(
        asked(),
        answered(),
        voted(0, 1),
        event("accepted", actor=ASKER, affected=AUTHOR),
        booked=held,
    )
    assert update.entries == []
    assert update.stats == {}


def test_a_deletion_takes_back_points_booked_earlier_in_its_batch():
    update = run(answered(), voted(0, 1), event("deleted", actor=OTHER, affected=AUTHOR))
    assert points(update) == {}
    assert update.stats.get((AUTHOR, "answers", ALL), 0) == 0
