"""What goes into the index: article sections and community questions, as one shape.

A curated page becomes one :class:`IndexDoc` per section (see :mod:`search_index.sections`);
a community question with its answers becomes one. :func:`rank_factor` says how much a
document's relevance is multiplied by, so that curated and settled answers come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["open", "answered", "accepted", "promoted"]
STATUSES: tuple[str, ...] = ("open", "answered", "accepted", "promoted")
# What a result can be: curated kinds from front matter, and live community questions.
KINDS: tuple[str, ...] = ("faq", "guide", "community", "question", "page")


@dataclass(frozen=True)
class CommunityDoc:
    """A community question as search sees it: the question and its answers' text.

    ``url`` is relative to the language's site root ("community/question/?id=42"). A hidden
    question (by a moderator, or deleted) is removed from the index.
    """

    id: str  # "question:42"
    title: str
    body: str  # Markdown: the question, then its answers
    tags: tuple[str, ...]
    lang: str
    status: Status
    score: int
    url: str
    hidden: bool = False
    kind: str = "question"


@dataclass(frozen=True)
class Deleted:
    """A change that removes a document (a deleted question)."""

    id: str


Change = CommunityDoc | Deleted


@dataclass(frozen=True)
class IndexDoc:
    """One searchable unit: a section of a page, or a whole community question."""

    id: str
    page: str  # results show one hit per page: the best of its sections
    kind: str
    lang: str
    url: str  # relative to the language's site root, with #anchor for a section
    title: str  # the page's or question's title
    section: str  # the section's heading, "" for a page's introduction or a question
    headings: tuple[str, ...]
    text: str  # plain text, searched and shown in snippets
    tags: tuple[str, ...] = ()
    status: str = ""
    score: int = 0
    rank: float = field(default=1.0)


# Settled answers first: a promoted or accepted answer is worth more than an open question
# with the same words. Curated articles are checked by staff, so they lead too.
_KIND_FACTOR = {"faq": 1.3, "guide": 1.3, "community": 1.5, "page": 0.8}
_STATUS_FACTOR = {"promoted": 1.5, "accepted": 1.4, "answered": 1.15, "open": 1.0}


def rank_factor(kind: str, status: str = "", score: int = 0) -> float:
    """How much this document's relevance is multiplied by.

    >>> rank_factor("question", "accepted") > rank_factor("question", "answered") > 1.0
    True
    >>> rank_factor("question", "open", score=-5) == rank_factor("question", "open")
    True
    """
    if kind != "question":
        return _KIND_FACTOR.get(kind, 1.0)
    # Votes nudge, up to +10 %, but never outweigh the difference an accepted answer makes.
    return _STATUS_FACTOR.get(status, 1.0) * (1 + 0.01 * min(max(score, 0), 10))
