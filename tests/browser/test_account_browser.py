"""The account pages as members meet them in Chromium: "sign out everywhere" ends the
session in another browser too; a new password on the settings page (a wrong current one
is refused in Russian, beside the field); a used or expired reset link says so in Hindi and
offers a new one; the pages fit a phone in every language, every field labelled.

The whole reset by email runs in tests/functions/test_passwords.py; no mail is sent here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from portal_testing import run_portal
from test_community_browser import PASSWORD, unique
from test_moderation_browser import sign_in
from test_phone_and_language import OVERFLOWING, PHONE

from core.languages import CODES
from functions import wording
from site_config import ui

EN, HI, RU = ui.strings("en"), ui.strings("hi"), ui.strings("ru")
NEW_PASSWORD = "violet harbour lantern seven"


def member(portal_env: dict) -> str:
    """A member made with `portal user create` (sign-ups from one address are limited)."""
    name = unique("acct")
    created = run_portal(
        "user", "create", name, env={**portal_env, "PORTAL_USER_PASSWORD": PASSWORD}
    )
    assert created.returncode == 0, created.stderr
    return name


def signed_out(page: Page) -> None:
    account = page.locator('[data-widget="account"]')
    expect(account.get_by_role("link", name=EN["account.signin"], exact=True)).to_be_visible()
    expect(page.locator(".cm-account__user")).to_have_count(0)


def test_sign_out_everywhere_ends_the_other_browsers_session(new_page, portal_url, portal_env):
    name = member(portal_env)
    here, elsewhere = new_page(), new_page()
    sign_in(here, portal_url, name)
    sign_in(elsewhere, portal_url, name)

    # The header's signed-in area leads to the settings.
    here.locator('[data-widget="account"]').get_by_role("link", name=EN["settings.link"]).click()
    here.wait_for_url(f"{portal_url}/en/community/account/")
    expect(here.locator("h1")).to_have_text(EN["settings.title"])

    # With the keyboard: the button asks first, with Cancel focused; Cancel puts it back.
    start = here.get_by_role("button", name=EN["settings.everywhere"], exact=True)
    start.focus()
    here.keyboard.press("Enter")
    cancel = here.get_by_role("button", name=EN["cm.cancel"])
    expect(cancel).to_be_focused()
    here.keyboard.press("Enter")
    expect(start).to_be_focused()
    here.keyboard.press("Enter")
    expect(here.get_by_text(EN["settings.everywhere.confirm"])).to_be_visible()
    here.keyboard.press("Shift+Tab")
    expect(here.get_by_role("button", name=EN["settings.everywhere.yes"])).to_be_focused()
    here.keyboard.press("Enter")

    here.wait_for_url(re.compile(r"/en/community/login/\?signed_out=everywhere$"))
    expect(here.get_by_text(EN["settings.everywhere.done"])).to_be_visible()
    signed_out(here)

    # The other browser's cookie is still there, but its session is over.
    elsewhere.reload()
    signed_out(elsewhere)
    assert here.errors == [] and elsewhere.errors == []


def test_a_new_password_on_the_settings_page(new_page, portal_url, portal_env):
    name = member(portal_env)
    page = new_page(locale="ru-RU")
    sign_in(page, portal_url, name)
    page.goto(f"{portal_url}/ru/community/account/")
    change = page.get_by_role("form", name=RU["settings.password.form"])
    current = change.get_by_label(RU["settings.current_password"], exact=True)
    new = change.get_by_label(RU["password.new"], exact=True)
    again = change.get_by_label(RU["password.repeat"], exact=True)

    # Typed differently twice: said before anything is sent.
    current.fill(PASSWORD)
    new.fill(NEW_PASSWORD)
    again.fill(NEW_PASSWORD + "!")
    change.get_by_role("button", name=RU["settings.password.submit"]).click()
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(change.locator(".cm-field-error")).to_have_text(RU["password.mismatch"])

    # A wrong current password: the API's sentence in Russian, under that field.
    current.fill("not my password at all")
    again.fill(NEW_PASSWORD)
    change.get_by_role("button", name=RU["settings.password.submit"]).click()
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(change.locator(".cm-field-error")).to_have_text(
        wording.say("password_needed", lang="ru")
    )

    current.fill(PASSWORD)
    change.get_by_role("button", name=RU["settings.password.submit"]).click()
    expect(page.get_by_text(RU["settings.password.done"])).to_be_visible()
    expect(current).to_have_value("")

    # This session goes on; the new password signs in elsewhere, the old one no more.
    page.reload()
    expect(page.locator(".cm-account__user")).to_contain_text(name)
    other = new_page()
    other.goto(f"{portal_url}/en/community/login/")
    other.locator('input[name="username"]').fill(name)
    other.locator('input[name="password"]').fill(PASSWORD)
    other.locator('.cm-form button[type="submit"]').click()
    expect(other.locator(".cm-problem")).to_be_visible()
    other.locator('input[name="password"]').fill(NEW_PASSWORD)
    other.locator('.cm-form button[type="submit"]').click()
    expect(other.locator(".cm-account__user")).to_contain_text(name)
    assert page.errors == []


def test_a_used_or_expired_reset_link_offers_a_new_one(new_page, portal_url):
    page = new_page(locale="hi-IN")
    # The sign-in page leads to the page that asks for a link.
    page.goto(f"{portal_url}/hi/community/login/")
    page.get_by_role("link", name=HI["forgot.title"]).click()
    page.wait_for_url(f"{portal_url}/hi/community/forgot-password/")
    expect(page.get_by_label(HI["settings.email.label"])).to_be_visible()

    page.goto(f"{portal_url}/hi/community/reset-password/?token={'x' * 43}")
    page.get_by_label(HI["password.new"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(HI["password.repeat"], exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=HI["reset.submit"]).click()
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text(wording.say("reset_link_invalid", lang="hi"))
    expect(problem).to_be_focused()
    problem.get_by_role("link", name=HI["reset.ask_new"]).click()
    page.wait_for_url(f"{portal_url}/hi/community/forgot-password/")

    # Without a token the page says where its link comes from.
    page.goto(f"{portal_url}/hi/community/reset-password/")
    expect(page.get_by_text(HI["reset.no_token"])).to_be_visible()
    assert page.errors == []


@pytest.fixture
def phone_member(browser, portal_url, portal_env):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, portal_url, member(portal_env))
    yield page
    context.close()


@pytest.mark.parametrize("lang", CODES)
def test_account_pages_fit_a_phone_with_every_field_labelled(phone_member, portal_url, lang):
    pages = ("account/", "forgot-password/", f"reset-password/?token={'x' * 43}")
    for path in pages:
        phone_member.goto(f"{portal_url}/{lang}/community/{path}")
        expect(phone_member.locator(".portal-widget form").first).to_be_visible()
        phone_member.wait_for_load_state("networkidle")
        layout = phone_member.evaluate(OVERFLOWING)
        assert layout["scroll"] <= layout["width"], f"/{lang}/community/{path}: {layout}"
        unlabelled = phone_member.evaluate(
            """() => [...document.querySelectorAll(".md-content .portal-widget input")]
                 .filter(input => !input.labels.length).map(input => input.name)"""
        )
        assert unlabelled == [], f"/{lang}/community/{path}"
