"""A reader says a page did not help, and why; the page's owner hears of it, and the
moderators' dashboard shows it, with charts that have text alternatives and tables that
download as CSV."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from portal_testing import BROWSER_WAIT_MS, run_portal, wait_for
from test_community_browser import PASSWORD
from test_moderation_browser import sign_in
from test_phone_and_language import new_member

OWNER = "sam_nimbus"  # billing-team in content/owners.yml, which keeps the refunds page


def open_when_shown(page: Page, url: str, selector: str, text: str) -> None:
    """Open ``url`` again until it shows ``text`` in ``selector``: consumers of the event log
    write notifications and figures a moment after the change."""

    def shown() -> bool:
        page.goto(url)
        try:
            page.locator(selector, has_text=text).first.wait_for(timeout=2000)
        except PlaywrightTimeout:
            return False
        return True

    assert wait_for(shown, BROWSER_WAIT_MS / 1000), f"{url} never showed {text!r}"


def test_feedback_with_a_reason_reaches_the_owner_and_the_dashboard(
    new_page, portal_url, portal_env, tmp_path
):
    created = run_portal(
        "user", "create", OWNER, "--role", "moderator",
        env={**portal_env, "PORTAL_USER_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    comment = f"Цены устарели {uuid.uuid4().hex[:6]}"

    # A reader of the Russian page, not signed in, says no, and why; every word is Russian.
    reader = new_page()
    reader.goto(f"{portal_url}/ru/faq/refunds/")
    form = reader.locator("form.portal-feedback")
    expect(form.locator("legend").first).to_have_text("Эта страница была полезной?")
    form.get_by_role("button", name="Нет, страница не помогла").click()
    expect(form.locator(".portal-feedback__note")).to_have_text(
        "Спасибо. Расскажите, что не так, и мы исправим страницу."
    )
    form.get_by_label("Информация устарела").check()
    form.locator("textarea[name=comment]").fill(comment)
    form.get_by_role("button", name="Отправить").click()
    expect(form.locator(".portal-feedback__note")).to_have_text(
        "Спасибо: команда, которая ведёт эту страницу, это прочитает."
    )
    expect(form.locator(".portal-feedback__note")).to_have_css(
        "opacity", "1"
    )  # seen, not just there
    # Back on the page later, the reader sees what they said.
    reader.reload()
    expect(form.get_by_role("button", name="Нет, страница не помогла")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert not reader.errors

    # The page's owner hears of it, with the reason and the comment.
    owner = new_page()
    sign_in(owner, portal_url, OWNER)
    open_when_shown(owner, f"{portal_url}/en/community/notifications/", ".cm-note", comment)
    note = owner.locator(".cm-note", has_text=comment)
    expect(note).to_contain_text("A reader found “Как происходит возврат денег?” unhelpful")
    expect(note).to_contain_text("It is out of date")

    # The dashboard lists the page with its reason and comment (once the consumer counted it).
    open_when_shown(owner, f"{portal_url}/en/community/dashboard/", ".cm-dash-table", comment)
    pages = owner.locator(".cm-dash-table", has_text="Pages readers found unhelpful")
    expect(pages).to_contain_text(comment)
    row = pages.locator("tbody tr", has_text="Как происходит возврат денег?")
    expect(row.locator("td").nth(2)).to_have_text("1")  # "It is out of date"

    # Every chart is drawn, and has a sentence and a table for those who cannot see it.
    charts = owner.locator(".cm-dash-chart")
    expect(charts).to_have_count(4)
    for index in range(4):
        chart = charts.nth(index)
        expect(chart.locator("canvas")).to_have_count(1)
        expect(chart.locator("[role=img]")).to_have_attribute("aria-label", re.compile(r"\w+"))
        chart.locator("summary").click()
        expect(chart.locator("table tbody tr").first).to_be_visible()
    expect(owner.locator(".cm-dash-chart", has_text="Monthly active members")).to_contain_text(
        "70%"  # the goal line's value, in the chart's table
    )

    # The table downloads as CSV, Cyrillic intact.
    with owner.expect_download() as download:
        pages.get_by_role("button", name="Download as CSV").click()
    saved = tmp_path / "pages.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.startswith("Page,Not helpful,Helpful,") and comment in text
    assert not owner.errors

    # A member who is not a moderator sees no figures.
    member = new_page()
    new_member(member, portal_url, portal_env)
    member.goto(f"{portal_url}/en/community/dashboard/")
    expect(member.locator("[data-widget=dashboard]")).to_contain_text(
        "Only moderators can see this page."
    )
    expect(member.locator(".cm-dash-tiles")).to_have_count(0)
