"""The help centre as a reader uses it, in Chromium: languages, switching, keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.languages import CODES
from site_config import ui


@pytest.mark.parametrize(
    ("locale", "lang"), [("ru-RU", "ru"), ("km-KH", "km"), ("hi-IN", "hi"), ("de-DE", "en")]
)
def test_front_door_opens_the_readers_language(browser, portal_url, locale, lang):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{portal_url}/")
    page.wait_for_url(f"{portal_url}/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    context.close()


@pytest.mark.parametrize("lang", CODES)
def test_every_language_has_its_articles_and_words(page, portal_url, lang):
    page.goto(f"{portal_url}/{lang}/faq/repair-time/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    words = ui.strings(lang)
    expect(page.locator(".portal-ask a.md-button")).to_have_text(words["ask.cta.button"])
    expect(page.locator(".md-tabs")).to_contain_text(words["nav.guides"])
    heading = page.locator("article h1").inner_text()
    script = {
        "en": r"[A-Za-z]",
        "hi": r"[\u0900-\u097f]",
        "ru": r"[\u0400-\u04ff]",
        "km": r"[\u1780-\u17ff]",
    }[lang]
    assert re.search(script, heading), heading
    assert page.errors == []


def test_switching_language_keeps_the_page_and_is_remembered(page, portal_url):
    page.goto(f"{portal_url}/en/guides/pack-and-ship/")
    page.locator(".md-header .md-select button").click()
    page.locator('.md-select__link[hreflang="km"]').click()
    page.wait_for_url(f"{portal_url}/km/guides/pack-and-ship/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.goto(f"{portal_url}/")
    page.wait_for_url(f"{portal_url}/km/")
    assert page.errors == []


def test_ask_the_community_is_reachable_by_keyboard(page, portal_url):
    page.goto(f"{portal_url}/hi/faq/refunds/")
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.portal-ask a')"):
            break
    else:
        pytest.fail("Tab never reached the 'Ask the community' link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{portal_url}/hi/community/ask/")
    expect(page.locator("article h1")).to_have_text(ui.strings("hi")["ask.title"])


def test_dates_are_shown_in_the_readers_language(page, portal_url):
    page.goto(f"{portal_url}/ru/faq/refunds/")
    updated = page.locator(".portal-updated time").inner_text()
    assert re.search(r"\d{1,2} [а-я]+ 2026", updated), updated


def test_switching_language_keeps_the_search(page, portal_url):
    page.goto(f"{portal_url}/en/search/?q=warranty")
    page.locator(".md-header .md-select button").click()
    page.locator('.md-select__link[hreflang="ru"]').click()
    page.wait_for_url(f"{portal_url}/ru/search/?q=warranty")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
