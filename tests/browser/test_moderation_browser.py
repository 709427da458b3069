"""Moderation as moderators and members meet it in Chromium: a flag hides a question, the
review queue brings it back, a lock shows on the page, and the moderators' log says so."""

from __future__ import annotations

import re
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


def signed_in_moderator(new_page, portal_url: str, portal_env: dict):
    """A new moderator account (made with `portal user create`), signed in in its own page."""
    name = unique("mod")
    created = run_portal(
        "user",
        "create",
        name,
        "--role",
        "moderator",
        env={**portal_env, "PORTAL_USER_PASSWORD": PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    page = new_page()
    sign_in(page, portal_url, name)
    return page, name


def test_flag_hide_review_restore_lock_and_log(new_page, portal_url, portal_env):
    asker, reader = new_page(), new_page()
    moderator, moderator_name = signed_in_moderator(new_page, portal_url, portal_env)
    sign_up(asker, portal_url, unique("asha"))
    title = f"Cheap chargers for sale here {uuid.uuid4().hex[:4]}"
    url = ask(asker, portal_url, title)

    # A moderator's flag weighs enough to hide the question at once.
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

    # Deleted, it is gone from its page; the log brings it back.
    moderator.goto(url)
    question = moderator.locator(".cm-post--question")
    question.get_by_role("button", name="Moderate this question").click()
    question.locator('select[name="action"]').select_option("delete")
    question.locator('input[name="reason"]').fill("Posted twice")
    question.get_by_role("button", name="Apply").click()
    reader.goto(url)
    expect(reader.locator(".cm-post--question")).to_have_count(0)
    moderator.goto(f"{portal_url}/en/community/moderation-log/")
    row = moderator.locator(".cm-log tbody tr", has_text="Posted twice")
    row.get_by_role("button", name="Undelete this question").click()
    row.locator('input[name="reason"]').fill("Not a double after all")
    row.get_by_role("button", name="Undelete", exact=True).last.click()
    expect(moderator.locator(".cm-sr-only[role=status]")).to_have_text("It is back where it was.")
    reader.goto(url)
    expect(reader.locator("article h1")).to_have_text(title)
    assert not asker.errors and not moderator.errors and not reader.errors


def test_promote_an_answer_then_find_the_article_in_search(new_page, portal_url, portal_env):
    asker, helper = new_page(), new_page()
    word = f"kvasir{uuid.uuid4().hex[:6]}"
    sign_up(asker, portal_url, unique("asha"))
    url = ask(asker, portal_url, f"Charger hums at night {uuid.uuid4().hex[:4]}")
    sign_up(helper, portal_url, unique("ravi"))
    helper.goto(url)
    helper.locator('.cm-answer-form textarea[name="body"]').fill(
        f"The {word} coil hums when the charger idles; it is harmless and stops once charging."
    )
    helper.locator(".cm-answer-form button[type=submit]").click()
    expect(helper.locator(".cm-post--answer")).to_have_count(1)
    asker.reload()
    asker.get_by_role("button", name="Accept this answer").click()
    expect(asker.locator(".cm-post--accepted")).to_have_count(1)

    moderator, _ = signed_in_moderator(new_page, portal_url, portal_env)
    moderator.goto(url)
    answer = moderator.locator(".cm-post--answer")
    answer.get_by_role("button", name="Make this answer a knowledge-base page").click()
    answer.locator('input[name="title"]').fill("Why a charger hums at night")
    answer.locator('textarea[name="summary"]').fill("A quiet hum from an idle charger is harmless.")
    answer.get_by_role("button", name="Publish the page").click()
    link = moderator.get_by_role("link", name="read the article")
    expect(link).to_be_visible()

    # Published in seconds; search leads to the article, not to the question.
    reader = new_page()
    result = reader.locator(".portal-search-results__item a").first
    for _ in range(30):
        reader.goto(f"{portal_url}/en/search/?q={word}")
        reader.wait_for_load_state("networkidle")
        if "community/answer-" in (result.get_attribute("href") or ""):
            break
        reader.wait_for_timeout(500)
    expect(result).to_have_attribute("href", re.compile(r"/en/community/answer-\d+/"))
    result.click()
    expect(reader.locator("article h1")).to_have_text("Why a charger hums at night")
    expect(reader.locator(".portal-source a")).to_have_attribute("href", re.compile(r"\?id="))
    assert not asker.errors and not helper.errors and not moderator.errors and not reader.errors
