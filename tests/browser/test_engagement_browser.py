"""Points, badges and rewards as members meet them in Chromium, against the served portal
(whose worker runs the awards consumer): an accepted answer earns its author a badge, told
in a toast; the leaderboard and the profile show the points; the badge catalogue is written
in every language; a member redeems a reward and a moderator hands it over."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect
from portal_testing import BROWSER_WAIT_MS, run_portal
from test_community_browser import PASSWORD, unique
from test_moderation_browser import sign_in, signed_in_moderator
from test_phone_and_language import OVERFLOWING, PHONE

from core.gamification import programme
from core.languages import CODES
from site_config import ui

EN = ui.strings("en")


def member(new_page, portal_url: str, portal_env: dict) -> tuple[Page, str]:
    """A new member (made with `portal user create`), signed in in their own page."""
    name = unique("member")
    created = run_portal(
        "user", "create", name, env={**portal_env, "PORTAL_USER_PASSWORD": PASSWORD}
    )
    assert created.returncode == 0, created.stderr
    page = new_page()
    sign_in(page, portal_url, name)
    return page, name


def ask_tagged(page: Page, portal_url: str, tag: str) -> str:
    """Ask a question with one tag of its own (its leaderboard has only this test's members)."""
    page.goto(f"{portal_url}/en/community/ask/")
    page.locator('input[name="title"]').fill(f"Earbuds stop pairing after the update {tag}")
    page.locator('textarea[name="body"]').fill(
        "Since this week's update the earbuds pair once and then never again. I reset them."
    )
    page.locator('input[name="tags"]').fill(tag)
    page.locator('.cm-form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/community/question/\?id=\d+$"))
    return page.url


def toast_with(page: Page, text: str) -> None:
    """Reload until the toast says ``text``: the awards consumer runs in the portal's worker,
    a moment after the change."""
    deadline = time.monotonic() + BROWSER_WAIT_MS / 1000 * 2
    toast = page.locator(".cm-toast")
    while True:
        page.reload()
        page.wait_for_load_state("networkidle")
        if toast.filter(has_text=text).count():
            return
        assert time.monotonic() < deadline, f"no toast saying {text!r}"
        page.wait_for_timeout(500)


def test_an_accepted_answer_earns_a_badge_points_and_a_place(new_page, portal_url, portal_env):
    asker, asker_name = member(new_page, portal_url, portal_env)
    helper, helper_name = member(new_page, portal_url, portal_env)
    tag = f"pair{uuid.uuid4().hex[:6]}"
    url = ask_tagged(asker, portal_url, tag)

    helper.goto(url)
    helper.locator(".cm-answer-form textarea").fill(
        "Remove them from Bluetooth settings, put both buds in the case for ten seconds, "
        "then pair again; the update changed the pairing key."
    )
    helper.locator(".cm-answer-form button[type=submit]").click()
    expect(helper.locator(".cm-post--answer")).to_have_count(1)

    # The asker's name beside the question links to their profile, with their level.
    byline = helper.locator(".cm-post--question .cm-byline")
    expect(byline.get_by_role("link", name=asker_name)).to_have_attribute(
        "href", re.compile(r"/en/community/profile/\?id=\d+$")
    )
    expect(byline.get_by_role("img", name="Level 1")).to_have_text("L1")

    asker.reload()
    asker.get_by_role("button", name="Accept this answer").click()
    expect(asker.locator(".cm-post--accepted")).to_have_count(1)

    # The helper hears of the badge in a polite toast that Escape closes.
    solver = programme().badges["solver"].name["en"]
    toast_with(helper, f"You earned the bronze badge “{solver}”.")
    toast = helper.locator(".cm-toast")
    expect(toast).to_have_attribute("role", "status")
    expect(toast).to_have_attribute("aria-live", "polite")
    expect(toast.get_by_role("button", name=EN["toast.close"])).to_be_visible()
    helper.keyboard.press("Escape")
    expect(toast).to_have_count(0)
    # Told once: the next page does not show it again.
    helper.reload()
    helper.wait_for_load_state("networkidle")
    expect(helper.locator(".cm-toast").filter(has_text=solver)).to_have_count(0)

    # This tag's leaderboard: the helper first with 20 points (an answer, 5; accepted, 15),
    # marked as "you"; the asker below with 4 (a question, 2; accepting, 2).
    helper.goto(f"{portal_url}/en/community/leaderboard/?tag={tag}")
    week = helper.get_by_role("tab", name=EN["board.period.week"])
    expect(week).to_have_attribute("aria-selected", "true")
    rows = helper.locator(".cm-board tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(helper_name)
    expect(rows.nth(0).locator(".cm-board__points")).to_have_text("20")
    expect(rows.nth(0)).to_have_class(re.compile("cm-board__you"))
    expect(rows.nth(1)).to_contain_text(asker_name)
    expect(rows.nth(1).locator(".cm-board__points")).to_have_text("4")
    expect(helper.locator(".cm-you")).to_have_text("You have 20 points this week.")
    # The tabs work from the keyboard: the arrow key moves to "This month".
    week.focus()
    helper.keyboard.press("ArrowRight")
    month = helper.get_by_role("tab", name=EN["board.period.month"])
    expect(month).to_be_focused()
    expect(month).to_have_attribute("aria-selected", "true")
    expect(helper).to_have_url(re.compile(r"period=month"))
    expect(rows.nth(0).locator(".cm-board__points")).to_have_text("20")

    # The helper's own profile: level, badges by tier, points entry by entry.
    helper.goto(f"{portal_url}/en/community/profile/")
    expect(helper.locator("article h1")).to_have_text(helper_name)
    expect(helper.locator(".cm-profile__level")).to_contain_text("Level 2: Member")
    badges = helper.locator("#cm-profile-badges").locator("..")
    expect(badges.locator(".cm-tier--bronze")).to_contain_text(solver)
    history = helper.locator(".cm-paged").first
    expect(history.locator(".cm-row").filter(has_text="Your answer accepted")).to_contain_text(
        "+15 points"
    )
    expect(helper.locator(".cm-balance")).to_contain_text("You have 20 points to spend.")

    # The asker sees the helper's profile without their points entries or balance.
    asker.goto(url)
    asker.locator(".cm-post--answer .cm-byline").get_by_role("link", name=helper_name).click()
    expect(asker.locator("article h1")).to_have_text(helper_name)
    expect(asker.locator(".cm-tier--bronze")).to_contain_text(solver)
    expect(asker.locator("#cm-profile-history")).to_have_count(0)
    expect(asker.locator(".cm-balance")).to_have_count(0)

    # The notifications page names the badge too.
    helper.goto(f"{portal_url}/en/community/notifications/")
    expect(helper.locator(".cm-note").filter(has_text=solver).locator("a")).to_have_text(
        f"You earned the bronze badge “{solver}”."
    )


def test_a_reward_redeemed_and_handed_over(new_page, portal_url, portal_env):
    buyer, buyer_name = member(new_page, portal_url, portal_env)
    moderator, _ = signed_in_moderator(new_page, portal_url, portal_env)
    reward = programme().rewards["priority_service"]
    name = reward.name["en"]

    # Without points the button is off, and the card says why.
    buyer.goto(f"{portal_url}/en/community/rewards/")
    card = buyer.locator(".cm-card").filter(has_text=name)
    expect(card.get_by_role("button", name=EN["rewards.redeem"])).to_be_disabled()
    expect(card.locator(".cm-card__why")).to_have_text(f"You need {reward.cost} more points.")

    # A moderator gives the points (the awards consumer books them a moment later).
    buyer_id = buyer.evaluate("async () => (await (await fetch('/api/session')).json()).user.id")
    status = moderator.evaluate(
        """async ([id, points]) => {
          const session = await (await fetch("/api/session")).json();
          const reply = await fetch(`/api/users/${id}/points`, {method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRF-Token": session.csrf_token},
            body: JSON.stringify({points, reason: "Thanks for the repair guides"})});
          return reply.status;
        }""",
        [buyer_id, reward.cost],
    )
    assert status == 204
    expect(buyer.locator(".cm-balance")).to_be_visible()
    deadline = time.monotonic() + BROWSER_WAIT_MS / 1000
    while not card.get_by_role("button", name=EN["rewards.redeem"]).is_enabled():
        assert time.monotonic() < deadline, "the granted points never arrived"
        buyer.wait_for_timeout(500)
        buyer.reload()

    card.get_by_role("button", name=EN["rewards.redeem"]).click()
    expect(card).to_contain_text(f"Spend {reward.cost} points on “{name}”?")
    card.get_by_role("button", name=EN["rewards.confirm"]).click()
    expect(card.locator(".cm-card__done")).to_contain_text(f"“{name}” is yours")
    expect(buyer.locator(".cm-balance")).to_have_text("You have 0 points to spend.")
    mine = buyer.locator("#cm-rewards-history").locator("..")
    expect(mine.locator(".cm-row").filter(has_text=name)).to_contain_text("Waiting")

    # The moderator hands it over; the member's list says so.
    moderator.goto(f"{portal_url}/en/community/rewards/")
    waiting = moderator.locator("#cm-rewards-pending").locator("..").locator(".cm-row")
    row = waiting.filter(has_text=buyer_name)
    row.get_by_role("button", name=f"Mark “{name}” for {buyer_name} fulfilled").click()
    expect(row).to_contain_text("Handed over")
    buyer.reload()
    expect(mine.locator(".cm-row").filter(has_text=name)).to_contain_text("Handed over")


def test_the_badge_catalogue_in_russian(new_page, portal_url):
    rules = programme()
    words = ui.strings("ru")
    page = new_page(locale="ru-RU")
    page.goto(f"{portal_url}/ru/community/badges/")
    expect(page.locator("article h1")).to_have_text(words["badges.title"])
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    nav = page.get_by_role("navigation", name=words["engage.nav"])
    expect(nav.get_by_role("link", name=words["engage.nav.badges"])).to_have_attribute(
        "aria-current", "page"
    )
    # Points: what each act earns, and whether the daily cap covers it.
    points = page.locator("table").first
    expect(points.locator("tr").filter(has_text=words["points.reason.accepted"])).to_contain_text(
        re.compile(rf"\+{rules.points['accepted']}\s*{words['badges.capped.no']}")
    )
    expect(points.locator("tr").filter(has_text=words["points.reason.answered"])).to_contain_text(
        words["badges.capped.yes"]
    )
    expect(page.locator("article")).to_contain_text(f"не больше {rules.daily_cap} очков в день")
    # Levels with their thresholds and what they unlock.
    regular = rules.levels[2]
    level_row = page.locator("tr").filter(has_text=regular.name["ru"])
    expect(level_row).to_contain_text(f"{regular.points}")
    expect(level_row).to_contain_text(rules.privileges["vote_down"]["ru"])
    # Every badge, each tier with its description.
    for badge in rules.badges.values():
        named = re.compile(rf"^{re.escape(badge.name['ru'])}¶?$")  # ¶: the heading's link
        expect(page.locator("h3").filter(has_text=named)).to_have_count(1)
    solver = rules.badges["solver"]
    expect(page.locator("article")).to_contain_text(
        solver.description["ru"].replace("{n}", str(solver.tiers["gold"]))
    )
    assert not page.errors


@pytest.mark.parametrize("lang", CODES)
def test_engagement_pages_fit_a_phone(browser, portal_url, lang):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        for path in ("leaderboard/", "quests/", "rewards/", "badges/", "profile/?id=1"):
            page.goto(f"{portal_url}/{lang}/community/{path}")
            expect(page.locator(".md-content")).to_be_visible()
            page.wait_for_load_state("networkidle")
            layout = page.evaluate(OVERFLOWING)
            assert layout["scroll"] <= layout["width"], f"/{lang}/community/{path}: {layout}"
    finally:
        context.close()
