"""Snippets: a short excerpt of a result's text with the matching words marked.

The excerpt starts shortly before the first matching word and runs for about
``SNIPPET_CHARS`` characters; text is analysed only up to the excerpt's end, so a long
section costs no more than a short one.

>>> from search_index.analyzers import analyzer_for
>>> snippet("Charge the battery <fully> overnight.", frozenset({"batteri"}), analyzer_for("en"))
'Charge the <mark class="match term0">battery</mark> &lt;fully&gt; overnight.'
"""

from __future__ import annotations

import html
import re
import unicodedata

from whoosh.analysis import Analyzer

SNIPPET_CHARS = 200
LEAD_CHARS = 40  # context kept before the first match
_ELLIPSIS = " …"


def snippet(text: str, words: frozenset[str], analyzer: Analyzer) -> str:
    """An HTML excerpt of ``text``: escaped, with <mark> around the words in ``words``
    (terms as ``analyzer`` produces them)."""
    marks: list[tuple[int, int, str]] = []
    start = end = 0
    if words:
        for token in analyzer(text, chars=True):
            if token.text not in words:
                continue
            if not marks:
                start = _word_start(text, token.startchar - LEAD_CHARS, token.startchar)
                end = start + SNIPPET_CHARS
            if token.endchar > end:
                break
            marks.append((token.startchar, token.endchar, token.text))
    if not marks:
        start, end = 0, SNIPPET_CHARS
    end = _word_end(text, end, marks[-1][1] if marks else 0)
    pieces = ["… "] if start else []
    numbers: dict[str, int] = {}
    at = start
    for first, last, term in marks:
        number = numbers.setdefault(term, len(numbers))
        pieces += [
            html.escape(text[at:first], quote=False),
            f'<mark class="match term{number}">{html.escape(text[first:last], quote=False)}</mark>',
        ]
        at = last
    pieces.append(html.escape(text[at:end], quote=False))
    if end < len(text):
        pieces.append(_ELLIPSIS)
    return "".join(pieces)


_SPACE = re.compile(r"\s")


def _word_start(text: str, at: int, limit: int) -> int:
    """The start of the first word after ``at``, but not after ``limit`` (the first match;
    Khmer has few spaces)."""
    if at <= 0:
        return 0
    space = _SPACE.search(text, at, limit)
    return space.end() if space else limit


def _word_end(text: str, at: int, limit: int) -> int:
    """The end of the last word before ``at``, but not before ``limit`` (the last match)."""
    if at >= len(text):
        return len(text)
    cut = text.rfind(" ", limit, at)
    if cut > 0:
        return cut
    # No space to cut at: at least keep a letter with its vowel signs and subscripts.
    while at > limit and (unicodedata.category(text[at]).startswith("M") or _joins(text, at)):
        at -= 1
    return at


def _joins(text: str, at: int) -> bool:
    return text[at - 1] in "\u17d2\u094d"  # Khmer coeng, Devanagari virama
