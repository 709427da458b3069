"""Phone-sized screens (390 px) and words a visitor reads: no page scrolls sideways in any
language, and waits are given in the units a person would use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from portal_testing import run_portal
from test_community_browser import PASSWORD, ask, unique
from test_moderation_browser import sign_in

from core.languages import CODES
from site_config import ui

PHONE = {"width": 390, "height": 844}
# Everything wider than the screen, and where it is (for the message when a page is).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(node => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  });
  return {scroll: document.documentElement.scrollWidth, width,
          wide: wide.slice(0, 5).map(node => node.tagName + "." + node.className)};
}"""


def new_member(page, portal_url: str, portal_env: dict) -> None:
    """A member made a moment ago with `portal user create` (sign-ups from one address are
    limited, and the browser tests share one), signed in in ``page``."""
    name = unique("member")
    created = run_portal(
        "user", "create", name, env={**portal_env, "PORTAL_USER_PASSWORD": PASSWORD}
    )
    assert created.returncode == 0, created.stderr
    sign_in(page, portal_url, name)


@pytest.fixture(scope="module")
def question_url(browser, portal_url, portal_env) -> str:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    new_member(page, portal_url, portal_env)
    url = ask(page, portal_url, f"Screen flickers after the update {unique('q')}")
    context.close()
    return url.removeprefix(portal_url).removeprefix("/en/")


@pytest.mark.parametrize("lang", CODES)
def test_no_page_scrolls_sideways_on_a_phone(browser, portal_url, question_url, lang):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        for path in ("", "faq/refunds/", "community/questions/", question_url):
            page.goto(f"{portal_url}/{lang}/{path}")
            expect(page.locator(".md-content")).to_be_visible()
            page.wait_for_load_state("networkidle")
            layout = page.evaluate(OVERFLOWING)
            assert layout["scroll"] <= layout["width"], f"/{lang}/{path}: {layout}"
    finally:
        context.close()


def test_a_wait_is_given_in_hours_not_seconds(new_page, portal_url, portal_env):
    """A new member's fourth question on their first day waits about a day: the page says
    so in hours, in Russian ("24 часа"), not in raw seconds."""
    page = new_page(locale="ru-RU")
    new_member(page, portal_url, portal_env)
    posted = page.evaluate(
        """async () => {
          const session = await (await fetch("/api/session")).json();
          const statuses = [];
          for (let n = 0; n < 3; n++) {
            const reply = await fetch("/api/questions", {
              method: "POST",
              headers: {"Content-Type": "application/json", "X-CSRF-Token": session.csrf_token},
              body: JSON.stringify({title: "Экран мигает после обновления " + n,
                                    body: "С прошлой недели экран мигает при любой яркости.",
                                    tags: ["screen"], lang: "ru"})});
            statuses.push(reply.status);
          }
          return statuses;
        }"""
    )
    assert posted == [201, 201, 201]
    page.goto(f"{portal_url}/ru/community/ask/")
    page.locator('input[name="title"]').fill("Экран мигает после обновления снова")
    page.locator('textarea[name="body"]').fill("С прошлой недели экран мигает при любой яркости.")
    page.locator('.cm-form button[type="submit"]').click()
    expect(page.locator(".cm-problem")).to_contain_text(
        "Попробовать снова можно, когда пройдёт 24 часа."
    )
    expect(page.locator(".cm-problem")).not_to_contain_text(" с.")


def test_khmer_dates_are_written_in_khmer(new_page, portal_url, question_url):
    """The build writes a page's date in Khmer; a post's full date (its time's tooltip) is
    in Khmer too, though Debian's Chromium has no Khmer dates of its own."""
    page = new_page(locale="km-KH")
    page.goto(f"{portal_url}/km/faq/refunds/")
    updated = page.locator(".portal-updated time")
    expect(updated).to_have_text(re.compile(r"^\d{1,2} [\u1780-\u17ff]+ \d{4}$"))
    page.goto(f"{portal_url}/km/{question_url}")
    posted = page.locator(".cm-post--question .cm-byline time")
    expect(posted).to_have_attribute("title", re.compile(r"[\u1780-\u17ff]+ \d{4}, \d{1,2}:\d{2}"))
    assert not re.search(
        r"January|February|March|April|May|June|July|August|September|"
        r"October|November|December",
        posted.get_attribute("title"),
    )


@pytest.mark.parametrize("lang", CODES)
def test_a_missing_page_says_so_in_its_language_and_offers_search(browser, portal_url, lang):
    words = ui.strings(lang)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        reply = page.goto(f"{portal_url}/{lang}/faq/no-such-page/")
        assert reply is not None and reply.status == 404
        expect(page.locator("article h1")).to_have_text(words["notfound.title"])
        expect(page.get_by_role("link", name=words["notfound.home"])).to_have_attribute(
            "href", f"/{lang}/"
        )
        layout = page.evaluate(OVERFLOWING)
        assert layout["scroll"] <= layout["width"], layout
        form = page.locator(".portal-notfound__search")
        form.get_by_label(words["search.label"]).fill("warranty")
        form.get_by_role("button", name=words["search.button"]).click()
        page.wait_for_url(re.compile(rf"/{lang}/search/\?q=warranty$"))
    finally:
        context.close()


EXPECTED_TOO_SHORT = {
    "en": "Write at least 15 characters.",
    "hi": "कम से कम 15 अक्षर लिखें।",
    "ru": "Напишите не меньше 15 символов.",
    "km": "សូមសរសេរយ៉ាងតិច 15 តួអក្សរ។",
}


def test_the_ask_form_says_what_to_fix_in_the_pages_language(new_page, portal_url, portal_env):
    page = new_page()
    new_member(page, portal_url, portal_env)
    for lang in CODES:
        page.goto(f"{portal_url}/{lang}/community/ask/")
        page.locator('input[name="title"]').fill("Short")
        page.locator('textarea[name="body"]').fill("The screen flickers since the update.")
        page.locator('.cm-form button[type="submit"]').click()
        error = page.locator('[name="title"] + .cm-field-error')
        expect(error).to_have_text(EXPECTED_TOO_SHORT[lang])
        expect(page.locator('[name="title"]')).to_have_attribute("aria-invalid", "true")
        if lang != "en":
            expect(page.locator(".cm-problem")).not_to_contain_text("Some fields")
    assert page.errors == []


def test_a_signed_out_reader_is_told_why_to_sign_in(new_page, portal_url, question_url):
    """Voting, following or commenting signed out leads to the sign-in page, which says why
    (in the page's language), and back to the question afterwards."""
    words = ui.strings("ru")
    page = new_page(locale="ru-RU")
    page.goto(f"{portal_url}/ru/{question_url}")
    question = page.locator(".cm-post--question")
    question.locator(".cm-vote button").first.click()
    page.wait_for_url(re.compile(r"/ru/community/login/\?next=.*why=vote"))
    expect(page.locator("[data-widget=login] .cm-notice")).to_have_text(words["login.why.vote"])
    page.goto(f"{portal_url}/ru/{question_url}")
    page.locator(".cm-comments .cm-link-button").first.click()
    page.wait_for_url(re.compile(r"why=comment"))
    expect(page.locator("[data-widget=login] .cm-notice")).to_have_text(words["login.why.comment"])
    page.goto(f"{portal_url}/ru/community/login/?why=nonsense")  # only the known reasons
    expect(page.locator("[data-widget=login] input[name=username]")).to_be_visible()
    expect(page.locator("[data-widget=login] .cm-notice")).to_have_count(0)
    assert page.errors == []
