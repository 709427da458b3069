"""Pages the site's widgets fill: generated in every language, with their title and guidance.

A feature adds a row to ``PAGES``; the build writes the page (title, intro, a list of tips,
then the widget's place) into every language. The widget itself is JavaScript in
``theme/assets/javascripts/`` that finds its place by ``data-widget``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

from core.urls import QUESTION_SOURCE, RESET_SOURCE, page_url
from site_config.listings import escape


@dataclass(frozen=True)
class WidgetPage:
    name: str  # what templates and scripts call it: portal_pages.ask, C.href("ask")
    src_uri: str
    title: str  # ui key of the page title
    widget: str  # the data-widget name the script looks for
    intro: str | None = None  # ui key of an introduction
    points: tuple[str, ...] = ()  # ui keys of tips shown as a list before the widget


PAGES: tuple[WidgetPage, ...] = (
    # Reads ?q= (and &page=) from the address; the search box in every page's header leads here.
    WidgetPage(
        "search", "search.md", title="search.title", widget="search-results", intro="search.intro"
    ),
    WidgetPage(
        "ask",
        "community/ask.md",
        title="ask.title",
        widget="ask-question",
        intro="ask.intro",
        points=("ask.tip.search", "ask.tip.details", "ask.tip.private"),
    ),
    WidgetPage(
        "questions",
        "community/questions.md",
        title="questions.title",
        widget="question-list",
        intro="questions.intro",
    ),
    # The question's own title replaces this page's heading once it has loaded.
    WidgetPage("question", QUESTION_SOURCE, title="question.title", widget="question"),
    WidgetPage(
        "signup", "community/signup.md", title="signup.title", widget="signup", intro="signup.intro"
    ),
    WidgetPage(
        "login", "community/login.md", title="login.title", widget="login", intro="login.intro"
    ),
    WidgetPage(
        "forgot",
        "community/forgot-password.md",
        title="forgot.title",
        widget="forgot-password",
        intro="forgot.intro",
    ),
    # Reads ?token= from the link the password-reset email carries (core/urls.py RESET_SOURCE).
    WidgetPage(
        "reset", RESET_SOURCE, title="reset.title", widget="reset-password", intro="reset.intro"
    ),
    # The signed-in member's own settings; the header's "Settings" link leads here.
    WidgetPage(
        "account",
        "community/account.md",
        title="settings.title",
        widget="account-settings",
        intro="settings.intro",
    ),
    WidgetPage(
        "review", "community/review.md", title="review.title", widget="review", intro="review.intro"
    ),
    WidgetPage(
        "log",
        "community/moderation-log.md",
        title="log.title",
        widget="moderation-log",
        intro="log.intro",
    ),
    WidgetPage(
        "dashboard",
        "community/dashboard.md",
        title="dashboard.title",
        widget="dashboard",
        intro="dashboard.intro",
    ),
    WidgetPage(
        "notifications",
        "community/notifications.md",
        title="notifications.title",
        widget="notifications",
        intro="notifications.intro",
    ),
    # Reads ?id= (the reader's own without it); the member's name replaces the heading.
    WidgetPage("profile", "community/profile.md", title="profile.title", widget="profile"),
    WidgetPage(
        "leaderboard",
        "community/leaderboard.md",
        title="board.title",
        widget="leaderboard",
        intro="board.intro",
    ),
    WidgetPage(
        "quests", "community/quests.md", title="quests.title", widget="quests", intro="quests.intro"
    ),
    WidgetPage(
        "rewards",
        "community/rewards.md",
        title="rewards.title",
        widget="rewards",
        intro="rewards.intro",
    ),
)


def urls() -> dict[str, str]:
    """Each widget page's address, relative to a language's root: the one place templates
    (``portal_pages.ask``) and scripts (``C.href("ask")``) take them from."""
    return {page.name: page_url(page.src_uri) for page in PAGES}


def markdown(page: WidgetPage, ui: Mapping[str, str]) -> str:
    """The page's Markdown in one language."""
    title = ui[page.title].replace("\\", "\\\\").replace('"', '\\"')
    lines = ["---", f'title: "{title}"', "---", ""]
    if page.intro:
        lines += [escape(ui[page.intro]), ""]
    if page.points:
        lines += [*(f"- {escape(ui[key])}" for key in page.points), ""]
    lines += [
        f'<div class="portal-widget" data-widget="{page.widget}">',
        f"<noscript>{html.escape(ui['noscript'])}</noscript>",
        "</div>",
        "",
    ]
    return "\n".join(lines)
