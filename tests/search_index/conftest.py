"""Real on-disk indexes for the search tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from search_index.documents import CommunityDoc
from search_index.index import create, page_docs


def question(number: int, **fields) -> CommunityDoc:
    """A visible community question; any field can be overridden."""
    values = {
        "id": f"question:{number}",
        "title": "Phone screen flickers after the update",
        "body": "My screen flickers since the update.\n\nAnswer: turn off adaptive refresh.",
        "tags": ("screen",),
        "lang": "en",
        "status": "open",
        "score": 0,
        "url": f"community/question/?id={number}",
        **fields,
    }
    return CommunityDoc(**values)


ARTICLE = """Most repairs take one day.

## Walk-in repairs

Screen and battery replacements take about two hours.

## Mail-in repairs

Door to door, mail-in repairs take 7-10 business days.
"""


@pytest.fixture
def make_index(tmp_path) -> Callable[..., Path]:
    """Write an index of one English article plus the given community questions."""

    def make(*questions: CommunityDoc, cursor=None, folder: Path | None = None) -> Path:
        from search_index.index import community_doc

        folder = folder or tmp_path / "index"
        folder.mkdir(parents=True, exist_ok=True)
        docs = page_docs(
            lang="en",
            src_uri="faq/repair-time.md",
            title="How long does a repair take?",
            kind="faq",
            tags=["repairs"],
            body=ARTICLE,
        )
        create(folder, [*docs, *(community_doc(q) for q in questions)], cursor)
        return folder

    return make
