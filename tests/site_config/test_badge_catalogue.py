"""The badge catalogue page: the whole programme of gamification.yml, in every language."""

from __future__ import annotations

import pytest

from core.gamification import parse, programme
from core.languages import CODES
from site_config import badge_catalogue, ui, widget_pages
from site_config.listings import escape


@pytest.mark.parametrize("lang", CODES)
def test_every_level_badge_and_tier_in_each_language(lang):
    rules, words = programme(), ui.strings(lang)
    page = badge_catalogue.markdown(lang, words)
    assert page.startswith(f'---\ntitle: "{words["badges.title"]}"\n---\n')
    for level in rules.levels:
        assert f"| {escape(level.name[lang])} |" in page
        for privilege in level.unlocks:
            assert escape(rules.privileges[privilege][lang]) in page
    for badge in rules.badges.values():
        assert f"### {escape(badge.name[lang])} {{#{badge.id.replace('_', '-')}}}" in page
        for tier in badge.tiers:
            assert f"| {words[f'engage.tier.{tier}']} |" in page
    for act in rules.points:
        assert escape(words[f"points.reason.{act}"]) in page  # as Markdown shows it as written


def test_the_cap_covers_only_points_earned_by_capped_acts():
    words = ui.strings("en")
    page = badge_catalogue.markdown("en", words)
    assert "| Answer posted | \\+5 | Yes |" in page
    assert "| Your answer accepted | \\+15 | No |" in page  # uncapped in gamification.yml
    assert "| Downvote received | −2 | No |" in page  # points lost are never capped
    assert "at most 200 points a day" in page


def test_numbers_are_written_as_the_language_writes_them():
    text = programme.__wrapped__().model_dump_json()  # a copy to change, not the cached one
    rules = parse(text.replace('"daily_cap":200', '"daily_cap":1500'))
    assert "1\xa0500 очков" in badge_catalogue.markdown("ru", ui.strings("ru"), rules)
    assert "1,500 points" in badge_catalogue.markdown("en", ui.strings("en"), rules)


def test_the_engagement_pages_have_addresses():
    urls = widget_pages.urls()
    for name in ("profile", "leaderboard", "quests", "rewards"):
        assert urls[name] == f"community/{name}/"
