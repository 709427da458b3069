"""Phone-sized screens (390 px): no page scrolls sideways, in any language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_community_browser import ask, sign_up, unique

from core.languages import CODES

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


@pytest.fixture(scope="module")
def question_url(browser, portal_url) -> str:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_up(page, portal_url, unique("phone"))
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
