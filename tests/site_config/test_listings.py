"""Listing pages: pagination, tag pages and escaping of user-written titles."""

from __future__ import annotations

import datetime as dt

from site_config import listings, ui

UI = ui.strings("en")


def entry(number: int, tags=("battery",), section="community") -> listings.Entry:
    return listings.Entry(
        src_uri=f"{section}/answer-{number}.md",
        title=f"Answer {number}",
        summary="A summary.",
        tags=tuple(tags),
        updated=dt.date(2026, 1, 1) + dt.timedelta(days=number),
    )


def test_community_is_paginated_newest_first():
    pages = listings.community_pages([entry(n) for n in range(1, 46)], UI)
    assert {"community/index.md", "community/page/2.md", "community/page/3.md"} <= set(pages)
    assert "community/page/4.md" not in pages
    first, last = pages["community/index.md"], pages["community/page/3.md"]
    assert first.count("- [**Answer") == listings.PER_PAGE
    assert last.count("- [**Answer") == 5
    assert first.index("Answer 45") < first.index("Answer 44")  # newest first
    assert "Answer 1]" in last or "Answer 1\\" in last or "**Answer 1**" in last


def test_pager_links_resolve_between_pages():
    pages = listings.community_pages([entry(n) for n in range(1, 46)], UI)
    second = pages["community/page/2.md"]
    assert "(../index.md)" in second  # newer: page 1
    assert "(3.md)" in second  # older: page 3
    assert "Page 2 of 3" in second


def test_tag_pages_and_tag_index():
    entries = [entry(n, tags=("battery",) if n % 2 else ("screen", "battery")) for n in range(1, 6)]
    pages = listings.community_pages(entries, UI)
    assert pages["community/tags/battery/index.md"].count("- [**Answer") == 5
    assert pages["community/tags/screen/index.md"].count("- [**Answer") == 2
    index = pages[listings.TAGS_INDEX]
    assert index.index("#battery") < index.index("#screen")  # most used first
    assert "(battery/index.md) (5)" in index


def test_no_community_answers_yet():
    pages = listings.community_pages([], UI)
    assert UI["community.empty"] in pages["community/index.md"]


def test_user_titles_cannot_inject_markup():
    hostile = listings.Entry(
        src_uri="community/x.md",
        title="<script>alert(1)</script> [click](javascript:alert(1)) **bold**",
        summary="<img src=x onerror=alert(1)>",
        tags=(),
        updated=dt.date(2026, 1, 1),
    )
    page = listings.community_pages([hostile], UI)["community/index.md"]
    assert "<script>" not in page and "<img" not in page
    assert "](javascript:" not in page
    assert "\\*\\*bold\\*\\*" in page


def test_section_index_lists_its_pages_by_title():
    pages = listings.generated_pages([entry(2, section="faq"), entry(1, section="faq")], UI)
    faq = pages["faq/index.md"]
    assert faq.index("Answer 1") < faq.index("Answer 2")
    assert UI["listing.faq.title"] in faq
