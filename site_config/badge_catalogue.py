"""The badge catalogue: the engagement programme (``site_config/gamification.yml``) as a page
in every language, written by the build beside the widget pages.

It lists the points each act earns and which of them the daily cap covers, the cap, the
levels with the points they need and what they unlock, and every badge with its tiers. The
names come from the programme, the page's own words from ``theme/translations``.

>>> from site_config import ui
>>> page = markdown("ru", ui.strings("ru"))
>>> "| Уровень 3 | Постоянный участник | 50 |" in page
True
"""

from __future__ import annotations

from collections.abc import Mapping

from babel.numbers import format_decimal

from core.gamification import ACTS, TIERS, Programme, programme
from site_config.listings import escape

SRC_URI = "community/badges.md"


def markdown(lang: str, ui: Mapping[str, str], rules: Programme | None = None) -> str:
    """The catalogue's Markdown in one language."""
    rules = rules or programme()

    def number(value: int) -> str:
        return format_decimal(value, locale=lang)

    def signed(value: int) -> str:
        return ("+" if value > 0 else "−" if value < 0 else "") + number(abs(value))

    title = ui["badges.title"].replace("\\", "\\\\").replace('"', '\\"')
    lines = ["---", f'title: "{title}"', "---", "", escape(ui["badges.intro"]), ""]

    # Points: the cap only ever limits points earned, never points lost.
    lines += [f"## {escape(ui['badges.points'])} {{#points}}", ""]
    lines += _row(ui["badges.points.act"], ui["badges.points.points"], ui["badges.points.capped"])
    lines.append("| --- | ---: | --- |")
    for act in ACTS:
        points = rules.points[act]
        capped = points > 0 and act not in rules.uncapped
        lines += _row(
            ui[f"points.reason.{act}"],
            signed(points),
            ui["badges.capped.yes" if capped else "badges.capped.no"],
        )
    lines += ["", escape(ui["badges.cap"].replace("{cap}", number(rules.daily_cap))), ""]

    lines += [f"## {escape(ui['badges.levels'])} {{#levels}}", ""]
    headings = ("board.level", "badges.levels.name", "badges.levels.points", "badges.unlocks")
    lines += _row(*(ui[key] for key in headings))
    lines.append("| --- | --- | ---: | --- |")
    for level in rules.levels:
        unlocks = ", ".join(rules.privileges[p][lang] for p in level.unlocks) or "—"
        lines += _row(
            ui["engage.level"].replace("{level}", number(level.number)),
            level.name[lang],
            number(level.points),
            unlocks,
        )
    lines.append("")

    lines += [f"## {escape(ui['badges.badges'])} {{#badges}}", "", escape(ui["badges.tiers"]), ""]
    for badge in rules.badges.values():
        lines += [f"### {escape(badge.name[lang])} {{#{badge.id.replace('_', '-')}}}", ""]
        if badge.per:
            lines += [escape(ui[f"badges.per.{badge.per}"]), ""]
        lines += _row(ui["badges.tier"], ui["badges.need"])
        lines.append("| --- | --- |")
        for tier in TIERS:
            if tier in badge.tiers:
                described = badge.description[lang].replace("{n}", number(badge.tiers[tier]))
                lines += _row(ui[f"engage.tier.{tier}"], described)
        lines.append("")

    lines += [
        escape(ui["badges.more"]),
        "",
        f"- [{escape(ui['quests.title'])}](quests.md)",
        f"- [{escape(ui['rewards.title'])}](rewards.md)",
        f"- [{escape(ui['board.title'])}](leaderboard.md)",
        "",
    ]
    return "\n".join(lines)


def _row(*cells: str) -> list[str]:
    return ["| " + " | ".join(escape(cell) for cell in cells) + " |"]
