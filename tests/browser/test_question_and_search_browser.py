"""The question and search pages as visitors of help centres and Q&A sites expect them, in
Chromium: tags by their names in the page's language, a Markdown preview, drafts kept per
language, a post's revisions, search filters, results offered from other languages, and the
questions list on a phone."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import expect
from test_community_browser import unique
from test_phone_and_language import PHONE, new_member

from site_config import ui

RU = ui.strings("ru")
EN = ui.strings("en")
BODY = "Since the last update the phone stops charging at 80 %. I tried another cable."


@pytest.fixture
def member(new_page, portal_url, portal_env):
    """A page with a member signed in (an English-speaking browser)."""
    page = new_page()
    new_member(page, portal_url, portal_env)
    return page


def ask(page, portal_url: str, title: str, tags: str, lang: str = "en", body: str = BODY) -> str:
    page.goto(f"{portal_url}/{lang}/community/ask/")
    page.locator('input[name="title"]').fill(title)
    page.locator('textarea[name="body"]').fill(body)
    page.locator('input[name="tags"]').fill(tags)
    page.locator('.cm-form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/community/question/\?id=\d+$"))
    return page.url


def test_tags_show_their_names_in_the_pages_language(member, portal_url):
    title = f"Часы разряжаются за день, это гарантийный случай? {unique('q')}"
    url = ask(
        member,
        portal_url,
        title,
        "гарантия, аккумулятор",
        lang="ru",
        body="Часам десять месяцев, раньше держали три дня, теперь едва сутки.",
    )
    # Asked by their Russian names, kept as identifiers, shown by name.
    tags = member.locator(".cm-post--question .cm-tag")
    expect(tags).to_have_text(["гарантия", "аккумулятор"])
    assert tags.first.get_attribute("data-tag") == "warranty"

    member.goto(f"{portal_url}/ru/community/questions/?tag=гарантия")
    item = member.locator(".cm-item", has_text=title)
    expect(item.locator(".cm-tag[data-tag=warranty]")).to_have_text("гарантия")
    expect(member.locator('input[name="tag"]')).to_have_value("гарантия")
    # The English page calls the same tag by its English name.
    member.goto(url.replace("/ru/", "/en/"))
    expect(member.locator(".cm-post--question .cm-tag").first).to_have_text(
        ui.strings("en")["tag.warranty"]
    )
    # The ask form's example tags are in the page's language.
    member.goto(f"{portal_url}/ru/community/ask/")
    expect(member.get_by_text(RU["askform.tags.hint"])).to_be_visible()
    assert member.errors == []


def test_preview_shows_bold_text_and_no_script(member, portal_url):
    member.goto(f"{portal_url}/en/community/ask/")
    member.locator('textarea[name="body"]').fill(
        "The **screen flickers** after the update. <script>window.hacked = 1</script> "
        "<img src=x onerror='window.hacked = 2'>"
    )
    member.get_by_role("button", name=EN["preview.show"]).click()
    preview = member.get_by_role("region", name=EN["preview.label"])
    expect(preview.locator("strong")).to_have_text("screen flickers")
    assert preview.locator("script, img").count() == 0
    assert member.evaluate("window.hacked") is None
    expect(member.locator('textarea[name="body"]')).to_be_hidden()
    member.get_by_role("button", name=EN["preview.write"]).click()
    expect(member.locator('textarea[name="body"]')).to_be_focused()
    # A new member has nothing unread: no "0" beside Notifications.
    expect(member.locator("[data-notifications]")).to_be_visible()
    expect(member.locator("[data-notifications] .cm-badge")).to_be_hidden()
    assert member.errors == []


def test_a_draft_survives_a_reload_in_its_own_language_only(member, portal_url):
    title = f"My earbuds do not pair any more {unique('d')}"
    member.goto(f"{portal_url}/en/community/ask/")
    member.locator('input[name="title"]').fill(title)
    member.locator('textarea[name="body"]').fill(BODY)
    member.reload()
    expect(member.locator('input[name="title"]')).to_have_value(title)
    expect(member.locator('textarea[name="body"]')).to_have_value(BODY)
    expect(member.get_by_text(EN["draft.restored"])).to_be_visible()

    member.goto(f"{portal_url}/ru/community/ask/")
    expect(member.locator('input[name="title"]')).to_have_value("")
    expect(member.get_by_text(RU["draft.restored"])).to_be_hidden()

    # Posting it clears the draft.
    member.goto(f"{portal_url}/en/community/ask/")
    member.locator('.cm-form button[type="submit"]').click()
    member.wait_for_url(re.compile(r"/community/question/\?id=\d+$"))
    member.goto(f"{portal_url}/en/community/ask/")
    expect(member.locator('input[name="title"]')).to_have_value("")

    # An answer's draft is kept per question, too.
    question = ask(member, portal_url, f"Where is my repair? {unique('d')}", "repairs")
    member.goto(question)
    answer = member.locator('.cm-answer-form textarea[name="body"]')
    answer.fill("Look in the app under My Repairs.")
    member.reload()
    expect(answer).to_have_value("Look in the app under My Repairs.")
    assert member.errors == []


def test_revisions_are_listed_after_an_edit(member, portal_url):
    title = f"Battery drains overnight {unique('r')}"
    ask(member, portal_url, title, "battery")
    # Times are kept to the second, and a post shows "edited" when it changed after it was
    # written: let a second pass, so a quick machine's edit is not in the same second.
    member.wait_for_timeout(1100)
    member.get_by_role("button", name=EN["edit.label.question"]).click()
    member.locator('.cm-edit textarea[name="body"]').fill(
        BODY + " It happens with every app closed."
    )
    member.locator('.cm-edit input[name="reason"]').fill("Added what I tried")
    member.locator(".cm-edit button[type=submit]").click()

    toggle = member.locator(".cm-post--question .cm-edited")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    history = member.locator(".cm-post--question .cm-revisions")
    expect(history).to_be_hidden()
    toggle.focus()
    member.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(history).to_be_visible()
    expect(history.locator(".cm-revision").first).to_contain_text("Added what I tried")
    expect(history.locator(".cm-revision").first).to_contain_text("every app closed")
    expect(history.locator(".cm-revision__body").last).to_have_text(re.compile("80 %"))
    member.keyboard.press("Enter")
    expect(history).to_be_hidden()
    assert member.errors == []


def result_kinds(page) -> list[str]:
    return page.locator(".portal-search-results__list .portal-search__meta").all_inner_texts()


def test_search_filter_by_type_narrows_results(page, portal_url):
    page.goto(f"{portal_url}/en/search/?q=repair")
    expect(page.locator(".portal-search-results__item").first).to_be_visible()
    everything = set(result_kinds(page))
    assert len(everything) > 1, everything

    page.get_by_label(EN["search.filter.kind"], exact=True).select_option("faq")
    expect(page).to_have_url(re.compile(r"kind=faq"))
    metas = page.locator(".portal-search-results__list .portal-search__meta")
    expect(metas.filter(has_not_text=EN["search.kind.faq"])).to_have_count(0)
    expect(metas.first).to_have_text(EN["search.kind.faq"])

    # The address keeps the filter: reloading shows the same narrowed results.
    page.reload()
    expect(page.get_by_label(EN["search.filter.kind"], exact=True)).to_have_value("faq")
    expect(page.locator(".portal-search-results__item").first).to_be_visible()
    assert set(result_kinds(page)) == {EN["search.kind.faq"]}

    # A tag named in the page's language: the tag filter lists it by name.
    page.get_by_label(EN["search.filter.tag"], exact=True).select_option(label=EN["tag.shipping"])
    expect(page).to_have_url(re.compile(r"tag=shipping"))
    expect(page.locator(".portal-search__tag[data-tag=shipping]").first).to_have_text(
        EN["tag.shipping"]
    )
    assert page.errors == []


def test_a_russian_word_on_the_english_page_offers_the_russian_results(page, portal_url):
    page.goto(f"{portal_url}/en/search/?q=" + urllib.parse.quote("гарантия"))
    offer = page.locator('.portal-search-elsewhere a[data-lang="ru"]')
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Русский")
    expect(page.locator('.portal-search-elsewhere ol[lang="ru"] li').first).to_be_visible()
    offer.click()
    page.wait_for_url(re.compile(r"/ru/search/\?q="))
    expect(page.locator(".portal-search-results__item").first).to_be_visible()
    assert page.errors == []


def test_phone_shows_the_first_question_on_the_first_screen(browser, portal_url, portal_env):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        new_member(page, portal_url, portal_env)
        ask(page, portal_url, f"Screen stays black after a drop {unique('p')}", "screen")
        for lang in ("en", "hi", "ru", "km"):
            page.goto(f"{portal_url}/{lang}/community/questions/?lang=all")
            first = page.locator(".cm-item__title a").first
            expect(first).to_be_visible()
            box = first.bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], (lang, box)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            # The search button in the header band looks like a button.
            button = page.locator('[data-widget="search"] button[type="submit"]')
            colour = button.evaluate("b => getComputedStyle(b).backgroundColor")
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
    finally:
        context.close()
