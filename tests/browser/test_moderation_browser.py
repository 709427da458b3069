"""Moderation as moderators and members meet it in Chromium: a flag hides a question, the
review queue brings it back, a lock shows on the page, and the moderators' log says so."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from portal_testing import run_portal
from test_community_browser import PASSWORD, ask, sign_up, unique


def sign_in(page, portal_url: str, username: str) -> None:
    page.goto(f"{portal_url}/en/community/login/?next=/en/community/questions/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('.cm-form button[type="submit"]').click()
    page.wait_for_url(f"{portal_url}/en/community/questions/")


def test_flag_hide_review_restore_lock_and_log(new_page, portal_url, portal_env):
    asker, moderator, reader = new_page(), new_page(), new_page()
    asker_name, moderator_name = unique("asha"), unique("mod")
    created = run_portal(
        "user",
        "create",
        moderator_name,
        "--role",
        "moderator",
        env={**portal_env, "PORTAL_USER_PASSWORD": PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    sign_up(asker, portal_url, asker_name)
    title = f"Cheap chargers for sale here {uuid.uuid4().hex[:4]}"
    url = ask(asker, portal_url, title)

    # A moderator's flag weighs enough to hide the question at once.
    sign_in(moderator, portal_url, moderator_name)
    moderator.goto(url)
    question = moderator.locator(".cm-post--question")
    question.get_by_role("button", name="Flag this question for moderators").click()
    question.locator('select[name="reason"]').select_option("spam")
    question.get_by_role("button", name="Send to moderators").click()
    expect(moderator.locator(".cm-sr-only[role=status]")).to_have_text(
        "Thank you: it is hidden until a moderator looks at it."
    )
    reader.goto(url)
    expect(reader.locator(".cm-notice")).to_be_visible()  # no such question for readers
    expect(reader.locator(".cm-post--question")).to_have_count(0)

    # The review queue has it, with its flag; approving brings it back.
    moderator.goto(f"{portal_url}/en/community/review/")
    item = moderator.locator(".cm-review", has_text=title)
    expect(item).to_contain_text("Spam or advertising")
    item.get_by_role("button", name="Approve").click()
    expect(moderator.locator(".cm-review", has_text=title)).to_have_count(0)
    reader.goto(url)
    expect(reader.locator("article h1")).to_have_text(title)

    # A lock, with its reason, shows on the page and in the log.
    moderator.goto(url)
    question = moderator.locator(".cm-post--question")
    question.get_by_role("button", name="Moderate this question").click()
    question.locator('select[name="action"]').select_option("lock")
    question.locator('input[name="reason"]').fill("Sales, not support")
    question.get_by_role("button", name="Apply").click()
    expect(moderator.locator(".cm-locked")).to_be_visible()
    reader.goto(url)
    expect(reader.locator(".cm-locked")).to_be_visible()
    moderator.goto(f"{portal_url}/en/community/moderation-log/")
    expect(moderator.locator(".cm-log tbody tr").first).to_contain_text("Sales, not support")
    expect(moderator.locator(".cm-log tbody")).to_contain_text(moderator_name)
    assert not asker.errors and not moderator.errors and not reader.errors
