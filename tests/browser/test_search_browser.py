"""Search as a reader uses it, in Chromium: typing in four languages, and only the keyboard."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from site_config import ui

# What a customer types, and the page that must come up among the instant results.
TYPED = {
    "en": ("warranty cover", "/en/faq/warranty-coverage/"),
    "hi": ("बैटरी की देखभाल", "/hi/guides/battery-care/"),
    "ru": ("вернуть деньги", "/ru/faq/refunds/"),
    "km": ("ពាក្យសម្ងាត់", "/km/faq/password-reset/"),
}

BOX = '[data-widget="search"] input[role="combobox"]'


@pytest.mark.parametrize("lang", list(TYPED))
def test_instant_results_while_typing(page, portal_url, lang):
    query, expected = TYPED[lang]
    page.goto(f"{portal_url}/{lang}/")
    box = page.locator(BOX)
    expect(box).to_have_attribute("placeholder", ui.strings(lang)["search.placeholder"])
    box.press_sequentially(query, delay=20)

    listbox = page.locator('[role="listbox"]')
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    links = listbox.locator('[role="option"] a')
    expect(links.first).to_be_visible()
    hrefs = [urllib.parse.unquote(h) for h in links.evaluate_all("l => l.map(a => a.href)")]
    assert any(expected in href for href in hrefs), hrefs
    expect(listbox.locator("mark").first).to_be_visible()
    assert page.errors == []


def test_keyboard_arrows_enter_and_escape(page, portal_url):
    page.goto(f"{portal_url}/en/")
    box = page.locator(BOX)
    box.focus()
    page.keyboard.type("how long does a repair take")
    options = page.locator('[role="option"]')
    expect(options.first).to_be_visible()

    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")

    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator('[role="listbox"]')).to_be_hidden()
    page.keyboard.press("ArrowDown")  # opens again on the first result
    expect(first).to_have_attribute("aria-selected", "true")

    target = first.locator("a").get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(target)
    assert "/en/faq/repair-time/" in page.url
    assert page.errors == []


def test_enter_without_a_choice_opens_the_results_page(page, portal_url):
    page.goto(f"{portal_url}/ru/faq/refunds/")
    box = page.locator(BOX)
    box.focus()
    page.keyboard.type("ремонт экрана")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ru/search/?q=*")

    words = ui.strings("ru")
    expect(page.locator("article h1")).to_have_text(words["search.title"])
    results = page.locator(".portal-search-results__item")
    expect(results.first).to_be_visible()
    expect(page.locator(".portal-search-results__status")).to_contain_text("Найдено")
    assert page.locator(".portal-search-results__item mark").count() > 0
    assert page.errors == []


def test_results_page_corrects_a_typo_and_pages_through(page, portal_url):
    page.goto(f"{portal_url}/en/search/?q=warrenty")
    status = page.locator(".portal-search-results__status")
    expect(status).to_contain_text("Showing results for “warranty”")
    expect(page.locator(".portal-search-results__item").first).to_be_visible()

    page.goto(f"{portal_url}/en/search/?q=repair")
    next_link = page.locator('.portal-search-results__pager a[rel="next"]')
    expect(next_link).to_be_visible()
    next_link.click()
    page.wait_for_url("**page=2")
    expect(page.locator(".portal-search-results__item").first).to_be_visible()
    assert page.errors == []


def test_suggest_is_available_to_other_widgets(page, portal_url):
    page.goto(f"{portal_url}/km/")
    page.evaluate(
        """() => {
          const input = document.createElement('input');
          input.id = 'title';
          const list = document.createElement('ul');
          list.id = 'similar';
          document.querySelector('article').append(input, list);
          window.portalSearch.suggest(input, list, {lang: 'km'});
        }"""
    )
    page.locator("#title").press_sequentially("ថ្ម", delay=20)  # "battery"
    expect(page.locator('#similar [role="option"]').first).to_be_visible()
    assert page.locator("#similar .portal-search__all").count() == 0
    assert page.errors == []
