"""A page's Markdown as the sections a reader lands on: anchor, heading, sub-headings, text.

The page is rendered with the same Markdown extensions MkDocs uses (the build passes them
in), so heading ids are the ids in the published HTML. Each ``<h2>`` starts a section; the
text before the first one is the page's introduction (anchor ``""``).

>>> [(s.anchor, s.heading, s.text) for s in split_sections("Intro.\\n\\n## Cost\\n\\nUSD 9.90.")]
[('', '', 'Intro.'), ('cost', 'Cost', 'USD 9.90.')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import markdown

from search_index.anchors import slugify

# What the indexer uses when no MkDocs configuration is passed (tests, community posts).
DEFAULT_EXTENSIONS: tuple[str, ...] = ("toc", "tables", "admonition", "attr_list", "md_in_html")
DEFAULT_CONFIGS: Mapping[str, Mapping[str, Any]] = {"toc": {"slugify": slugify}}

# Elements whose edges separate words (table cells and list items have no spaces between).
_BLOCKS = frozenset(
    {"p", "div", "li", "td", "th", "tr", "br", "pre", "blockquote", "dt", "dd", "table"}
    | {"ul", "ol", "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_SKIPPED = frozenset({"script", "style"})
_WHITESPACE = re.compile(r"\s+")


@dataclass
class Section:
    anchor: str  # the heading's id, "" for the introduction
    heading: str  # the heading's text, "" for the introduction
    subheadings: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _WHITESPACE.sub(" ", "".join(self.parts)).strip()


def render(
    source: str,
    extensions: Sequence[Any] = DEFAULT_EXTENSIONS,
    configs: Mapping[str, Mapping[str, Any]] = DEFAULT_CONFIGS,
) -> str:
    """Markdown to HTML with the site's extensions."""
    return markdown.Markdown(extensions=list(extensions), extension_configs=dict(configs)).convert(
        source
    )


def plain_text(source: str) -> str:
    """The visible text of a Markdown document, for community posts (one section each)."""
    return " ".join(
        part for s in split_sections(source) for part in (s.heading, *s.subheadings, s.text) if part
    )


def split_sections(
    source: str,
    extensions: Sequence[Any] = DEFAULT_EXTENSIONS,
    configs: Mapping[str, Mapping[str, Any]] = DEFAULT_CONFIGS,
) -> list[Section]:
    """The page's sections in order; empty ones (no heading and no text) are dropped."""
    parser = _SectionParser()
    parser.feed(render(source, extensions, configs))
    parser.close()
    return [s for s in parser.sections if s.heading or s.text]


class _SectionParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = [Section("", "")]
        self._heading: list[str] | None = None  # text of the heading being read
        self._heading_tag = ""
        self._skip = 0  # depth inside permalinks and scripts, whose text is not content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._skip or tag in _SKIPPED or "headerlink" in (attributes.get("class") or ""):
            self._skip += 1
            return
        if tag == "h2":
            self.sections.append(Section(attributes.get("id") or "", ""))
        if tag in ("h2", "h3", "h4", "h5", "h6"):
            self._heading, self._heading_tag = [], tag
        elif tag in _BLOCKS:
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            self._skip -= 1
            return
        if self._heading is not None and tag == self._heading_tag:
            text = _WHITESPACE.sub(" ", "".join(self._heading)).strip()
            section = self.sections[-1]
            if tag == "h2":
                section.heading = text
            elif text:
                section.subheadings.append(text)
            self._heading = None
        elif tag in _BLOCKS:
            self._text(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        else:
            self._text(data)

    def _text(self, data: str) -> None:
        self.sections[-1].parts.append(data)
