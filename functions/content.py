"""Post text: Markdown rendered to HTML that is safe to show, plain excerpts, and the
character rule for usernames (tags follow core/tags.py).

Rendering happens once, when a post is written, so reads serve stored HTML.

>>> render("Hi <script>alert(1)</script>[x](javascript:alert(1))")
'<p>Hi <a rel="nofollow ugc noopener">x</a></p>'
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

from core.tags import is_word_character

EXCERPT_CHARS = 200
# What a post may contain: text structure, code, tables and links; no images (tracking
# pixels), no styles, no scripts or event handlers.
ALLOWED_TAGS = {
    *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"),
    *("strong", "em", "b", "i", "del", "code", "pre", "kbd", "sub", "sup"),
    *("ul", "ol", "li", "dl", "dt", "dd"),
    *("table", "thead", "tbody", "tr", "th", "td"),
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_LINK = re.compile(r"<a\s[^>]*href=")
_SPACE = re.compile(r"\s+")


def render(source: str) -> str:
    """Markdown to sanitised HTML: only allowed tags, safe links marked nofollow."""
    unsafe = markdown.markdown(source, extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(
        unsafe,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def plain_text(body_html: str) -> str:
    """The words a reader sees, without markup, runs of spaces made one."""
    text = html.unescape(nh3.clean(body_html.replace("<", " <"), tags=set()))
    return _SPACE.sub(" ", text).strip()


def excerpt(body_html: str, limit: int = EXCERPT_CHARS) -> str:
    """Plain text of at most ``limit`` characters, cut at a word boundary."""
    text = plain_text(body_html)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def link_count(body_html: str) -> int:
    return len(_LINK.findall(body_html))


def valid_username(name: str) -> bool:
    return all(is_word_character(char) or char in "_-" for char in name)
