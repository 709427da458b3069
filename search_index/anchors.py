"""Heading anchors: the ids MkDocs gives headings, so search results can link to a section.

``mkdocs.yml`` configures Python-Markdown's ``toc`` extension with :func:`slugify`, and the
indexer renders pages with the same extensions, so an indexed anchor is the id in the HTML.
Python-Markdown's default slugify keeps ASCII only, which gives every Hindi and Khmer heading
the same empty id; ``pymdownx.slugs.slugify`` keeps letters but drops combining marks, which
turns "बैटरी" into "बटर". Here letters, marks and digits of every script are kept.

>>> slugify("Still need help?", "-")
'still-need-help'
>>> slugify("बैटरी की देखभाल", "-")
'बैटरी-की-देखभाल'
>>> slugify("1. Сделайте резервную копию", "-")
'1-сделайте-резервную-копию'
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\-_]+")


def slugify(value: str, separator: str = "-") -> str:
    """An id for a heading: lowercase words of any script joined by ``separator``."""
    text = unicodedata.normalize("NFC", value).lower()
    # Letters, combining marks (Devanagari vowel signs, Khmer coeng) and digits make words;
    # other punctuation and symbols go; spaces and hyphens separate words.
    kept = "".join(
        char if unicodedata.category(char)[0] in "LMN" or char in " -_" or char.isspace() else ""
        for char in text
    )
    return _SPACES.sub(separator, kept).strip(separator)
