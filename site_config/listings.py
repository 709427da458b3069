"""Generated listing pages: section indexes, and paginated community and tag pages.

Promoted community answers grow into thousands of pages, so they stay out of the global
navigation (which every page repeats) and are reached through these listings instead,
each holding at most ``PER_PAGE`` entries. Everything here is pure: entries in, Markdown out.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

PER_PAGE = 20
COMMUNITY = "community"
SECTIONS = {"faq": "listing.faq", "guides": "listing.guides"}
# Pages every language has, whether or not it has community answers yet.
COMMUNITY_INDEX = "community/index.md"
TAGS_INDEX = "community/tags/index.md"


@dataclass(frozen=True)
class Entry:
    """One page as a listing shows it."""

    src_uri: str
    title: str
    summary: str
    tags: tuple[str, ...]
    updated: dt.date
    updated_text: str = ""  # the date in the page's language ("23 ноября 2026 г.")


def section_of(src_uri: str) -> str:
    return src_uri.split("/", 1)[0] if "/" in src_uri else ""


def generated_pages(entries: Iterable[Entry], ui: Mapping[str, str]) -> dict[str, str]:
    """Every listing page for one language: ``{src_uri: markdown}``."""
    by_section: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_section[section_of(entry.src_uri)].append(entry)
    pages: dict[str, str] = {}
    for section, key in SECTIONS.items():
        uri = f"{section}/index.md"
        ordered = sorted(by_section[section], key=lambda e: e.title.casefold())
        pages[uri] = _page(ui[f"{key}.title"], ui[f"{key}.intro"], ordered, uri)
    pages.update(community_pages(by_section[COMMUNITY], ui))
    return pages


def community_pages(entries: Sequence[Entry], ui: Mapping[str, str]) -> dict[str, str]:
    """Paginated community index, a paginated page per tag, and the index of tags."""
    newest = sorted(entries, key=lambda e: (-e.updated.toordinal(), e.title.casefold()))
    pages = _paginated("community", ui["community.title"], ui["community.intro"], newest, ui)
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for entry in newest:
        for tag in entry.tags:
            by_tag[tag].append(entry)
    for tag, tagged in by_tag.items():
        title = ui["community.tag.title"].format(tag=tag)
        pages.update(_paginated(f"community/tags/{tag}", title, "", tagged, ui))
    pages[TAGS_INDEX] = _tags_index(by_tag, ui)
    return pages


def page_uri(base: str, number: int) -> str:
    """Where page ``number`` of a listing lives: the first at ``base/index.md``."""
    return f"{base}/index.md" if number == 1 else f"{base}/page/{number}.md"


def relative(from_uri: str, to_uri: str) -> str:
    """A Markdown link from one source file to another, as MkDocs resolves them."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def _paginated(
    base: str, title: str, intro: str, entries: Sequence[Entry], ui: Mapping[str, str]
) -> dict[str, str]:
    chunks = [entries[i : i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)] or [[]]
    total = len(chunks)
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        uri = page_uri(base, number)
        pager = _pager(base, uri, number, total, ui) if total > 1 else ""
        heading = title if number == 1 else f"{title} ({number}/{total})"
        pages[uri] = _page(heading, intro, chunk, uri, pager, empty=ui["community.empty"])
    return pages


def _pager(base: str, here: str, number: int, total: int, ui: Mapping[str, str]) -> str:
    parts = []
    if number > 1:
        parts.append(f"[← {ui['community.newer']}]({relative(here, page_uri(base, number - 1))})")
    parts.append(ui["community.page"].format(n=number, total=total))
    if number < total:
        parts.append(f"[{ui['community.older']} →]({relative(here, page_uri(base, number + 1))})")
    return '<nav class="portal-pager" markdown>\n\n' + " · ".join(parts) + "\n\n</nav>\n"


def _page(
    title: str,
    intro: str,
    entries: Sequence[Entry],
    here: str,
    pager: str = "",
    empty: str = "",
) -> str:
    lines = ["---", f"title: {_yaml_text(title)}", "---", ""]
    if intro:
        lines += [escape(intro), ""]
    if entries:
        lines += ['<div class="portal-listing" markdown>', ""]
        lines += [_item(entry, here) for entry in entries]
        lines += ["", "</div>", ""]
    elif empty:
        lines += [escape(empty), ""]
    if pager:
        lines += [pager]
    return "\n".join(lines)


def _item(entry: Entry, here: str) -> str:
    link = relative(here, entry.src_uri)
    tags = " ".join(
        f"[#{escape(tag)}]({relative(here, page_uri(f'community/tags/{tag}', 1))})"
        if section_of(entry.src_uri) == COMMUNITY
        else f"#{escape(tag)}"
        for tag in entry.tags
    )
    date = entry.updated.isoformat()
    shown = escape(entry.updated_text or date)
    meta = f'<time datetime="{date}">{shown}</time>' + (f" · {tags}" if tags else "")
    return (
        f"- [**{escape(entry.title)}**]({link})  \n"
        f"  {escape(entry.summary)}  \n"
        f'  <span class="portal-listing__meta">{meta}</span>'
    )


def _tags_index(by_tag: Mapping[str, Sequence[Entry]], ui: Mapping[str, str]) -> str:
    lines = ["---", f"title: {_yaml_text(ui['community.tags.title'])}", "---", ""]
    lines += [escape(ui["community.tags.intro"]), ""]
    if not by_tag:
        return "\n".join([*lines, escape(ui["community.empty"]), ""])
    lines += ['<div class="portal-tags" markdown>', ""]
    for tag in sorted(by_tag, key=lambda t: (-len(by_tag[t]), t)):
        target = relative(TAGS_INDEX, page_uri(f"community/tags/{tag}", 1))
        lines.append(f"- [#{escape(tag)}]({target}) ({len(by_tag[tag])})")
    return "\n".join([*lines, "", "</div>", ""])


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links or HTML from it."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
