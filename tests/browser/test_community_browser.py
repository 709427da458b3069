"""The community pages as people use them, in Chromium against the real API and store.

Sign up, ask, answer from a second account, vote, accept, read the notification; the same
with the keyboard only; and the pages in Khmer, with the API's field errors beside the fields.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from site_config import ui

PASSWORD = "correct horse battery"


def unique(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:6]}"


def sign_up(page: Page, portal_url: str, username: str, lang: str = "en") -> None:
    questions = f"/{lang}/community/questions/"
    page.goto(f"{portal_url}/{lang}/community/signup/?next={questions}")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="email"]').fill(f"{uuid.uuid4().hex[:8]}@example.com")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('.cm-form button[type="submit"]').click()
    page.wait_for_url(f"{portal_url}{questions}")
    expect(page.locator(".cm-account__user")).to_contain_text(username)


def ask(page: Page, portal_url: str, title: str, lang: str = "en") -> str:
    page.goto(f"{portal_url}/{lang}/community/ask/")
    page.locator('input[name="title"]').fill(title)
    page.locator('textarea[name="body"]').fill(
        "Since the last update the phone stops charging at 80 %. I tried another cable."
    )
    page.locator('input[name="tags"]').fill("battery, charging")
    page.locator('.cm-form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/community/question/\?id=\d+$"))
    expect(page.locator("article h1")).to_have_text(title)
    return page.url


def test_ask_answer_vote_accept_and_notify(new_page, portal_url):
    asker, helper = new_page(), new_page()
    asker_name, helper_name = unique("asha"), unique("ravi")
    title = f"Phone stops charging at 80 percent {uuid.uuid4().hex[:4]}"

    sign_up(asker, portal_url, asker_name)
    url = ask(asker, portal_url, title)
    # Tags show by their names in the page's language (site_config/tag_names.yml).
    expect(asker.locator(".cm-post--question .cm-tag")).to_have_text(["Battery", "Charging"])

    # The question is on the list, newest first, with its tags.
    sign_up(helper, portal_url, helper_name)
    expect(helper.locator(".cm-item__title a").first).to_have_text(title)
    helper.locator(".cm-item__title a", has_text=title).click()
    helper.wait_for_url(url)

    # A second customer answers and upvotes the question; the vote survives a reload.
    helper.locator(".cm-answer-form textarea").fill(
        "Turn off Optimised charging in Settings > Battery; it holds the charge at 80 %."
    )
    helper.locator(".cm-answer-form button[type=submit]").click()
    expect(helper.locator(".cm-post--answer")).to_have_count(1)
    expect(helper.locator(".cm-answers__title")).to_have_text("1 answer")
    upvote = helper.get_by_role("button", name="Upvote this question")
    upvote.click()
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(helper.locator(".cm-post--question .cm-vote__score")).to_have_text("1")
    helper.get_by_role("button", name="Upvote this answer").click()
    expect(helper.locator(".cm-post--answer .cm-inline-problem")).to_have_text(
        "You can't vote on your own post."
    )
    helper.reload()
    expect(helper.get_by_role("button", name="Upvote this question")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(helper.locator(".cm-post--question .cm-vote__score")).to_have_text("1")

    # The asker is told about the answer (and of her badge for a first question), upvotes
    # it and accepts it.
    asker.reload()
    expect(asker.locator("[data-notifications] .cm-badge")).to_have_text("2")
    asker.get_by_role("button", name="Upvote this answer").click()
    expect(asker.locator(".cm-post--answer .cm-vote__score")).to_have_text("1")
    accept = asker.get_by_role("button", name="Accept this answer")
    accept.click()
    # The accepted answer says so; the asker's button now takes it back.
    expect(asker.locator(".cm-post--accepted .cm-accepted-badge")).to_be_visible()
    expect(
        asker.locator(".cm-post--accepted").get_by_role("button", name="Unaccept")
    ).to_be_visible()
    asker.reload()
    expect(asker.locator(".cm-post--accepted")).to_contain_text("Optimised charging")
    expect(asker.locator(".cm-post--answer .cm-vote__score")).to_have_text("1")

    # Authors edit their own posts; the new title replaces the page heading.
    asker.get_by_role("button", name="Edit this question").click()
    asker.locator('.cm-edit input[name="title"]').fill(f"{title} (solved)")
    asker.locator(".cm-edit button[type=submit]").click()
    expect(asker.locator("article h1")).to_have_text(f"{title} (solved)")
    expect(asker.locator(".cm-post--question .cm-edited")).to_be_visible()
    title = f"{title} (solved)"

    asker.locator("[data-notifications]").click()
    note = asker.locator(".cm-note", has_text=title)
    expect(note).to_contain_text(f"{helper_name} answered “{title}”")
    expect(note).to_have_class(re.compile("cm-note--unread"))

    # The helper hears that the answer was accepted, and the link leads to the question.
    helper.goto(f"{portal_url}/en/community/notifications/")
    note = helper.locator(".cm-note", has_text="accepted your answer")
    expect(note).to_contain_text(f"{asker_name} accepted your answer to “{title}”")
    note.locator("a").click()
    helper.wait_for_url(url)
    expect(helper.locator(".cm-post--accepted .cm-accepted-badge")).to_have_text(
        "✓ Accepted answer"
    )
    helper.goto(f"{portal_url}/en/community/notifications/")
    expect(helper.locator(".cm-note", has_text="accepted your answer")).not_to_have_class(
        re.compile("cm-note--unread")
    )

    # The list shows the accepted answer and the score.
    asker.goto(f"{portal_url}/en/community/questions/?sort=votes")
    item = asker.locator(".cm-item", has_text=title)
    expect(item.locator(".cm-stat--accepted")).to_have_text("1 answer")
    expect(item.locator(".cm-stat").first).to_have_text("1 vote")
    assert asker.errors == [] and helper.errors == []


def press_tab_until(page: Page, selector: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            # Focus is visible: the widgets draw a ring (box-shadow) or an outline.
            ring = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return s.boxShadow !== 'none' || s.outlineStyle !== 'none'; }"
            )
            assert ring, f"no visible focus on {selector}"
            return
    pytest.fail(f"Tab never reached {selector}")


def test_keyboard_only(new_page, portal_url):
    page = new_page()
    name = unique("kbd")
    page.goto(f"{portal_url}/en/community/signup/")
    # The sign-up form takes the focus; everything else is Tab, typing, Space and Enter.
    expect(page.locator('input[name="username"]')).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(f"{name}@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    press_tab_until(page, ".cm-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{portal_url}/en/community/questions/")

    press_tab_until(page, ".cm-toolbar a.md-button--primary")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{portal_url}/en/community/ask/")
    press_tab_until(page, 'input[name="title"]')
    page.keyboard.type("Keyboard only: how do I pair my earbuds?")
    press_tab_until(page, 'textarea[name="body"]')
    page.keyboard.type("The earbuds do not show up in Bluetooth settings on my Nimbus X2.")
    press_tab_until(page, ".cm-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/community/question/\?id=\d+$"))

    # Following is a toggle button: Space turns it off (askers follow automatically).
    press_tab_until(page, ".cm-follow")
    expect(page.locator(".cm-follow")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    expect(page.locator(".cm-follow")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[role=status]").last).to_have_text("You no longer follow this question.")

    press_tab_until(page, ".cm-post--question .cm-comments button")
    page.keyboard.press("Enter")
    page.keyboard.type("Which firmware version are the earbuds on?")
    press_tab_until(page, ".cm-post--question .cm-comments button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".cm-post--question .cm-comment")).to_contain_text(
        "Which firmware version are the earbuds on?"
    )
    assert page.errors == []


def test_khmer_pages_words_and_field_errors(new_page, portal_url):
    km = ui.strings("km")
    page = new_page(locale="km-KH")
    page.goto(f"{portal_url}/km/community/questions/")
    expect(page.locator("article h1")).to_have_text(km["questions.title"])
    expect(page.locator(".cm-tab")).to_have_text(
        [km[f"questions.sort.{s}"] for s in ("newest", "active", "votes", "unanswered")]
    )
    expect(page.locator(".portal-account")).to_contain_text(km["account.signin"])

    # Bad input: the API's problem detail in the form, each field's message beside it.
    page.goto(f"{portal_url}/km/community/signup/")
    expect(page.locator(".cm-form label").first).to_have_text(km["signup.username"])
    page.locator('input[name="username"]').fill("ab")
    page.locator('input[name="email"]').fill("not an email")
    page.locator('input[name="password"]').fill("short")
    page.locator('.cm-form button[type="submit"]').click()
    expect(page.locator(".cm-problem")).to_be_visible()
    for field in ("username", "email", "password"):
        control = page.locator(f'[name="{field}"]')
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f'[name="{field}"] + .cm-field-error')).not_to_be_empty()

    # A Khmer username, a question in Khmer (the page's language by default).
    name = unique("សុខា")
    sign_up(page, portal_url, name, lang="km")
    title = "ទូរស័ព្ទរបស់ខ្ញុំសាកថ្មមិនចូលទេ ក្រោយពេលធ្វើបច្ចុប្បន្នភាព"
    page.goto(f"{portal_url}/km/community/ask/")
    expect(page.locator('select[name="lang"]')).to_have_value("km")
    ask(page, portal_url, title, lang="km")
    byline = page.locator(".cm-post--question .cm-byline")
    expect(byline).to_contain_text("សួរដោយ")
    expect(byline.locator("time")).to_have_text(re.compile(r"[\u1780-\u17ff]"))
    expect(page.locator(".cm-answer-form h2")).to_have_text(km["answer.yours"])
    # Switching language keeps the question (its id is in the address).
    question_url = page.url
    page.locator(".md-header .md-select button").click()
    page.locator('.md-select__link[hreflang="ru"]').click()
    page.wait_for_url(question_url.replace("/km/", "/ru/"))
    expect(page.locator("article h1")).to_have_text(title)
    page.goto(f"{portal_url}/km/community/questions/")
    expect(page.locator(".cm-item__title a").first).to_have_text(title)
    assert page.errors == []


def test_signed_out_reader_goes_to_sign_in_and_back(new_page, portal_url):
    page = new_page()
    name = unique("mira")
    sign_up(page, portal_url, name)
    page.locator(".cm-account__button").click()
    expect(page.locator(".portal-account")).to_contain_text("Sign in")
    page.goto(f"{portal_url}/en/community/notifications/")
    page.wait_for_url(re.compile(r"/en/community/login/\?next="))
    page.locator('input[name="username"]').fill(name)
    page.locator('input[name="password"]').fill("wrong password here")
    page.locator('.cm-form button[type="submit"]').click()
    expect(page.locator(".cm-problem")).to_be_visible()
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('.cm-form button[type="submit"]').click()
    page.wait_for_url(f"{portal_url}/en/community/notifications/")
    expect(page.locator(".cm-summary-line")).to_have_text(ui.strings("en")["notifications.empty"])
    assert page.errors == []
