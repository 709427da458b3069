"""?next= on the sign-in and sign-up pages sends the reader only within this site."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "given",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/.//evil.example/",  # its path is "//evil.example/": a browser reads another host
        "/%2e//evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(page, portal_url, given):
    page.goto(f"{portal_url}/en/community/login/")
    page.wait_for_function("window.portalCommunity")
    target = page.evaluate(
        "given => { var next = portalCommunity.safeNext(given, '/fallback');"
        " return { next: next, host: new URL(next, location.href).host }; }",
        given,
    )
    assert target["host"] == portal_url.split("//", 1)[1].rstrip("/"), target
    assert not target["next"].startswith("//"), target
    assert page.errors == []


def test_next_keeps_addresses_on_this_site(page, portal_url):
    page.goto(f"{portal_url}/en/community/login/")
    page.wait_for_function("window.portalCommunity")
    kept = page.evaluate("portalCommunity.safeNext('/en/community/questions/?tag=battery#x', '/f')")
    assert kept == "/en/community/questions/?tag=battery#x"
