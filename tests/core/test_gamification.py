"""site_config/gamification.yml is checked on load: the real file passes, and each kind of
mistake stops the portal with an error that names the key and what was expected."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import yaml

from core.gamification import (
    ACTS,
    PRIVILEGES,
    RULES_FILE,
    GamificationError,
    Programme,
    parse,
    programme,
)
from core.languages import CODES

BASE = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def changed(change: Callable[[dict], object]) -> str:
    """The real file's text with one change made to it."""
    data = copy.deepcopy(BASE)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def refused(change: Callable[[dict], object]) -> str:
    with pytest.raises(GamificationError) as caught:
        parse(changed(change))
    return str(caught.value)


def test_the_real_file_is_valid_and_complete():
    rules = programme()
    assert isinstance(rules, Programme)
    assert set(rules.points) == set(ACTS)
    assert [level.number for level in rules.levels] == list(range(1, len(rules.levels) + 1))
    assert sorted(p for level in rules.levels for p in level.unlocks) == sorted(PRIVILEGES)
    for kind in ("badges", "quests", "rewards"):
        for key, item in getattr(rules, kind).items():
            assert item.id == key
            assert set(item.name) == set(CODES)
    # The same text parsed again gives the same programme.
    assert parse(RULES_FILE.read_text(encoding="utf-8")) == rules


def test_levels_and_privileges_from_the_points():
    rules = programme()
    assert rules.level_for(0).number == 1 and rules.level_for(-40).number == 1
    assert rules.level_for(14).number == 1 and rules.level_for(15).number == 2
    assert rules.level_for(49).number == 2 and rules.level_for(50).number == 3
    assert rules.level_for(10**6).number == len(rules.levels)
    assert rules.next_level(15).number == 3
    assert rules.next_level(10**6) is None
    assert {p: rules.unlocked_at(p).number for p in PRIVILEGES} == {
        "flag": 2,
        "vote_down": 3,
        "comment_everywhere": 3,
        "edit_others": 4,
        "review_queue": 5,
    }
    assert not rules.may(14, "flag") and rules.may(15, "flag")
    assert not rules.may(249, "edit_others") and rules.may(250, "edit_others")
    assert not rules.may(999, "review_queue") and rules.may(1000, "review_queue")


def test_a_name_missing_a_language_is_named():
    message = refused(lambda d: d["badges"]["asker"]["name"].pop("km"))
    assert "badges.asker.name" in message and "every language" in message and "km" in message
    message = refused(lambda d: d["rewards"]["repair_discount"]["description"].pop("ru"))
    assert "rewards.repair_discount.description" in message and "ru" in message
    message = refused(lambda d: d["levels"][3]["name"].__setitem__("hi", ""))
    assert "levels.3.name" in message and "hi" in message


def test_a_language_the_site_does_not_speak_is_named():
    message = refused(lambda d: d["quests"]["curator"]["name"].__setitem__("fr", "Curateur"))
    assert "quests.curator.name" in message and "fr" in message


def test_a_privilege_missing_a_language_names_the_privilege():
    message = refused(lambda d: d["privileges"]["edit_others"].pop("hi"))
    assert "privileges.edit_others" in message and "hi" in message


def test_an_unknown_privilege_is_named_with_the_ones_expected():
    message = refused(lambda d: d["levels"][1].__setitem__("unlocks", ["flag", "fly"]))
    assert "levels.1.unlocks.1" in message
    assert all(f"'{p}'" in message for p in PRIVILEGES)
    message = refused(lambda d: d["privileges"].__setitem__("fly", dict.fromkeys(CODES, "fly")))
    assert "privileges.fly" in message


def test_each_privilege_unlocks_exactly_once():
    message = refused(lambda d: d["levels"][2]["unlocks"].append("flag"))
    assert "levels" in message and "unlock once" in message
    message = refused(lambda d: d["levels"][4].pop("unlocks"))
    assert "levels" in message and "unlock once" in message


def test_levels_out_of_order_are_refused():
    message = refused(lambda d: d["levels"][2].__setitem__("points", 10))
    assert "levels" in message and "more points than the last" in message
    message = refused(lambda d: d["levels"][2].__setitem__("points", 15))  # the same as level 2
    assert "more points than the last" in message
    message = refused(lambda d: d["levels"][0].__setitem__("points", 5))
    assert "levels" in message and "0 points" in message


def test_a_tier_list_going_down_is_refused():
    def tiers(badge: str, given: dict) -> str:
        return refused(lambda d: d["badges"][badge].__setitem__("tiers", given))

    message = tiers("asker", {"bronze": 10, "silver": 5})
    assert "badges.asker" in message and "need more as they go up" in message
    message = tiers("author", {"silver": 5, "gold": 5})
    assert "badges.author" in message and "need more" in message
    message = tiers("asker", {"bronze": 0})
    assert "badges.asker" in message and "need more" in message
    message = tiers("asker", {"platinum": 100})
    assert "badges.asker.tiers.platinum" in message
    message = tiers("asker", {})
    assert "badges.asker" in message and "at least one tier" in message


def test_a_badge_with_two_criteria_or_none_is_refused():
    message = refused(lambda d: d["badges"]["asker"].__setitem__("streak", "visits"))
    assert "badges.asker" in message
    assert "exactly one of counts, streak or best_answer_score" in message
    message = refused(lambda d: d["badges"]["good_answer"].__setitem__("counts", "answers"))
    assert "badges.good_answer" in message and "exactly one of" in message
    message = refused(lambda d: d["badges"]["asker"].pop("counts"))
    assert "badges.asker" in message and "exactly one of" in message
    message = refused(lambda d: d["badges"]["regular"].__setitem__("per", "week"))
    assert "badges.regular" in message and "per is expected only with counts" in message


def test_an_unknown_act_or_stat_is_named_with_the_ones_expected():
    message = refused(lambda d: d["points"].__setitem__("flew", 3))
    assert "points.flew" in message and all(f"'{act}'" in message for act in ACTS)
    message = refused(lambda d: d.__setitem__("uncapped", ["accepted", "flew"]))
    assert "uncapped.1" in message and "'promoted'" in message
    message = refused(lambda d: d["points"].pop("helpful"))
    assert "points" in message and "every act" in message and "helpful" in message
    message = refused(lambda d: d["quests"]["rescuer"].__setitem__("counts", "hugs"))
    assert "quests.rescuer.counts" in message and "'rescues'" in message
    message = refused(lambda d: d["badges"]["regular"].__setitem__("streak", "logins"))
    assert "badges.regular.streak" in message and "'visits'" in message


def test_other_mistakes_name_their_key():
    message = refused(lambda d: d["rewards"]["priority_service"].__setitem__("cost", 0))
    assert "rewards.priority_service.cost" in message and "greater than or equal to 1" in message
    message = refused(lambda d: d["badges"]["asker"].__setitem__("colour", "red"))
    assert "badges.asker.colour" in message
    message = refused(lambda d: d["badges"].__setitem__("Big-One", d["badges"]["asker"]))
    assert "badges" in message and "'Big-One'" in message and "lowercase" in message
    message = refused(lambda d: d.__setitem__("daily_cap", 0))
    assert "daily_cap" in message
    message = refused(lambda d: d["quests"]["closer"].__setitem__("every", "day"))
    assert "quests.closer.every" in message and "'week'" in message


def test_text_that_is_not_yaml_or_not_a_mapping():
    with pytest.raises(GamificationError, match=r"rules\.yml: this is not YAML"):
        parse("points: [1", "rules.yml")
    with pytest.raises(GamificationError, match=r"\(the whole file\)"):
        parse("- 1\n- 2\n")


def test_a_description_with_an_unknown_placeholder_is_refused():
    message = refused(
        lambda d: d["badges"]["asker"]["description"].__setitem__("en", "Asked {count} questions.")
    )
    assert "badges.asker.description" in message
