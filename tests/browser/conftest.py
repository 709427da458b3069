"""A real site (the real content), a real server and Debian's Chromium, shared by browser tests."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from portal_testing import BROWSER_WAIT_MS, PortalPaths, free_port, run_portal, serving

from core.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
# Flags for a closed network: no background requests to services that cannot be reached.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


expect.set_options(timeout=BROWSER_WAIT_MS)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def portal_env(tmp_path_factory) -> dict[str, str]:
    """The environment of the portal the browser tests use (for `portal user create`)."""
    paths = PortalPaths.under(tmp_path_factory.mktemp("browser"))
    # A copy of the real pages: promoting an answer writes a page into the content folder.
    shutil.copytree(PROJECT_ROOT / "content", paths.content)
    port = free_port()  # the site is built for the address it is served at
    return paths.environ(
        PORTAL_CONTENT_DIR=str(paths.content),
        PORTAL_SITE_URL=f"http://127.0.0.1:{port}/",
    )


@pytest.fixture(scope="session")
def portal_url(portal_env):
    result = run_portal("build", env=portal_env)
    assert result.returncode == 0, result.stderr
    port = int(portal_env["PORTAL_SITE_URL"].rsplit(":", 1)[1].strip("/"))
    with serving(portal_env, workers=2, port=port) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(BROWSER_WAIT_MS)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    yield page
    context.close()


@pytest.fixture
def new_page(browser):
    """Pages in their own browser contexts (separate cookies: separate people)."""
    contexts = []

    def open_page(locale: str = "en-US") -> Page:
        context = browser.new_context(locale=locale)
        context.set_default_timeout(BROWSER_WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
