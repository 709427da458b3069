"""Hostile Markdown comes out as harmless HTML; comments stay plain text."""

from __future__ import annotations

import pytest
from conftest import QUESTION

from core import tags
from functions import content

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<svg onload="alert(1)"><circle/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=p></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_runs(source):
    html = content.render(source).lower()
    for danger in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "<style",
        "<form",
        "<input",
        "<img",
        "data:text",
        "style=",
    ):
        assert danger not in html, (source, html)


def test_links_are_kept_and_marked():
    html = content.render(
        "See [the guide](https://nimbus.example.com/guide) or <https://x.example>."
    )
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://nimbus.example.com/guide"' in html
    assert content.link_count(html) == 2


def test_markdown_structure_survives():
    html = content.render(
        "## Steps\n\n1. **Back up**\n2. `reset`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    for tag in ("<h2>", "<ol>", "<strong>", "<code>", "<table>"):
        assert tag in html


def test_excerpt_is_plain_and_short():
    html = content.render("**Bold** & <b>tags</b> " + "word " * 100)
    text = content.excerpt(html)
    assert "<" not in text and "&amp;" not in text and text.startswith("Bold & tags")
    assert len(text) <= 200 and text.endswith("…")


def test_hostile_post_through_the_api(member, anonymous):
    asha = member("asha")
    hostile = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>steal()</script>"
    # What counts toward the minimum length is what readers will see.
    refused = asha.call("POST", "/api/questions", {**QUESTION, "body": f"{hostile} **ok**"})
    assert refused.status == 422 and refused.json["errors"][0]["code"] == "too_short"
    body = f"{hostile} **ok**, the charger still does nothing"
    question = asha.ask(body=body)
    page = anonymous.get(f"/api/questions/{question['id']}").json
    assert page["body"] == body  # the source is kept as written
    assert "onerror" not in page["body_html"] and "<script" not in page["body_html"]
    assert "<strong>ok</strong>" in page["body_html"]
    assert "<" not in page["excerpt"]


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("asha", True),
        ("सुनीता", True),
        ("សុខា", True),
        ("Дмитрий_1", True),
        ("a b", False),
        ("a<b>", False),
        ("dot.name", False),
    ],
)
def test_usernames(name, ok):
    assert content.valid_username(name) is ok


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        ("battery", True),
        ("battery-life", True),
        ("वारंटी", True),
        ("ការធានា", True),
        ("Battery", False),
        ("a--b", False),
        ("-a", False),
        ("a_b", False),
        ("a b", False),
    ],
)
def test_tags(tag, ok):
    assert tags.valid_tag(tag) is ok


def test_the_preview_shows_a_post_as_it_will_be_shown(member, anonymous):
    asha = member("asha")
    shown = asha.call("POST", "/api/preview", {"body": "**Bold** <script>x()</script>"})
    assert shown.json == {"html": "<p><strong>Bold</strong> </p>"}
    assert anonymous.call("POST", "/api/preview", {"body": "text"}).status == 401
    # Previews are not changes: typing does not use up the member's writes.
    for _ in range(40):
        assert asha.call("POST", "/api/preview", {"body": "again"}).status == 200
