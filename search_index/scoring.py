"""What ranking reads: BM25F straight from the postings, per query term and segment.

Whoosh scores a multi-field query through a tree of Python matcher objects, several method
calls per field per matching document. Here each term's postings are read a block at a time
(:mod:`search_index.postings`) and scored with the document's field length, read once per
segment into a list. The scores are Whoosh's BM25F (same idf, average lengths, K1, B and
field boosts) times the document's rank factor (see
:func:`search_index.documents.rank_factor`). Each term also carries the most it can add to
any document's score, which is what lets :mod:`search_index.pruning` skip postings.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search_index.postings import Impacts, TermPostings

K1, B = BM25F().K1, BM25F().B  # Whoosh's own defaults, so scores stay comparable
_LENGTHS = [byte_to_length(n) for n in range(256)]  # Whoosh stores lengths as one byte


class ScoredTerm(NamedTuple):
    field: str
    text: str
    boost: float


@dataclass(frozen=True)
class Ranked:
    total: int  # pages (or community questions) that match
    hits: list[tuple[float, int]]  # (score, document number), best first, one per page
    exact: bool = True  # False when ``total`` is an estimate (pruning left postings unread)


class TermList(NamedTuple):
    """One query term's postings in one segment, with what scoring them needs."""

    postings: TermPostings
    offset: int  # the segment's first document number in the searcher
    numerator: float  # boost * idf * (K1 + 1)
    norms: list[float]  # per document of the segment: K1 * (1 - B + B * length / average)
    base: float  # norms = base + per_length * length
    per_length: float
    deleted: Collection[int]

    def bound(self, impacts: Impacts) -> float:
        """The most a posting with one of these (frequency, length) trade-offs, or a worse
        one, adds to a score (BM25 grows with the frequency, falls with the length)."""
        numerator, base, per_length = self.numerator, self.base, self.per_length
        return max(
            numerator * frequency / (frequency + (base + per_length * length))  # as norms
            for frequency, length in impacts
        )


class QueryTerm(NamedTuple):
    term: ScoredTerm
    lists: list[TermList]  # one per segment that has the term
    bound: float  # the most this term adds to any document's score


def query_terms(searcher: Searcher, scored: Iterable[ScoredTerm]) -> list[QueryTerm]:
    """The terms the index has, highest bound first (ties in a fixed order): both rankings
    add a document's scores in this order, so they agree to the last bit."""
    reader = searcher.reader()
    terms = []
    for term in set(scored):
        field, text, boost = term
        if (field, text) not in reader:
            continue
        numerator = boost * searcher.idf(field, text) * (K1 + 1)
        per_length = K1 * B / (searcher.avg_field_length(field) or 1)
        lists = [
            TermList(
                TermPostings(leaf, field, text),
                offset,
                numerator,
                norms(searcher, leaf, field),
                K1 * (1 - B),
                per_length,
                leaf.deleted_docs_set or (),
            )
            for leaf, offset in reader.leaf_readers()
            if (field, text) in leaf
        ]
        if lists:
            bound = max(tl.bound(tl.postings.impacts) for tl in lists)
            terms.append(QueryTerm(term, lists, bound))
    terms.sort(key=lambda qt: (-qt.bound, qt.term))
    return terms


def norms(searcher: Searcher, leaf: Any, field: str) -> list[float]:
    """BM25's length normalisation of every document in a segment for ``field``. It depends
    on the average length over the whole index, so it is kept per segment and average:
    every thread's searcher over the same index shares it, and a live commit that leaves
    the average as it was keeps it."""
    per_length = K1 * B / (searcher.avg_field_length(field) or 1)
    key = (leaf.segment().segment_id(), field, per_length)
    with _NORMS_LOCK:
        found = _NORMS.get(key)
        if found is not None:
            _NORMS.move_to_end(key)
            return found
    base = K1 * (1 - B)
    found = [base + per_length * length for length in _segment(leaf).lengths(leaf, field)]
    with _NORMS_LOCK:
        _NORMS[key] = found
        while len(_NORMS) > _MAX_NORMS:
            _NORMS.popitem(last=False)
    return found


_NORMS: OrderedDict[tuple[str, str, float], list[float]] = OrderedDict()
_MAX_NORMS = 64  # two or three indexes' text fields (a build, its live segments, the next)
_NORMS_LOCK = threading.Lock()


def best_per_page(searcher: Searcher, found: dict[int, float], limit: int) -> Ranked:
    """The best document of each page, the top ``limit`` pages, and how many pages."""
    columns = doc_columns(searcher)
    pages, ranks = columns.pages, columns.ranks
    best: dict[str, tuple[float, int]] = {}
    for doc, score in found.items():
        entry = (score * ranks[doc], -doc)  # ties: the earlier document, as Whoosh does
        page = pages[doc]
        if page not in best or entry > best[page]:
            best[page] = entry
    top = heapq.nlargest(limit, best.values())
    return Ranked(total=len(best), hits=[(score, -negated) for score, negated in top])


class Columns(NamedTuple):
    pages: list[str]  # each document's page
    ranks: list[float]  # each document's rank factor
    top_rank: float  # the highest rank factor
    page_share: float  # pages per document (below 1 where pages have several sections)


def doc_columns(searcher: Searcher) -> Columns:
    """Every document's page and rank factor, by document number, kept with the searcher."""
    columns = getattr(searcher, "_portal_columns", None)
    if columns is None:
        pages: list[str] = []
        ranks: list[float] = []
        for leaf, _offset in searcher.reader().leaf_readers():
            segment = _segment(leaf)
            pages += segment.pages
            ranks += segment.ranks
        columns = searcher._portal_columns = Columns(
            pages, ranks, max(ranks, default=1.0), len(set(pages)) / max(1, len(pages))
        )
    return columns


class _Segment:
    """What ranking reads per document of one segment. A segment never changes (deletions
    are kept beside it), so this is loaded once and shared by every searcher that opens it.
    """

    def __init__(self, leaf: Any) -> None:
        self.ranks = [value or 1.0 for value in leaf.column_reader("rank")]
        self.pages = list(leaf.column_reader("page"))
        self._lengths: dict[str, list[int]] = {}

    def lengths(self, leaf: Any, field: str) -> list[int]:
        if field not in self._lengths:
            # Whoosh keeps field lengths in a per-segment column of its own.
            column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            self._lengths[field] = (
                [_LENGTHS[byte] for byte in column] if column else [0] * leaf.doc_count_all()
            )
        return self._lengths[field]


_SEGMENTS: OrderedDict[str, _Segment] = OrderedDict()
_MAX_SEGMENTS = 64  # a few indexes' worth (a build and its live segments)
_SEGMENTS_LOCK = threading.Lock()


def _segment(leaf: Any) -> _Segment:
    key = leaf.segment().segment_id()  # the index's name and a random id
    with _SEGMENTS_LOCK:
        segment = _SEGMENTS.get(key)
    if segment is None:
        segment = _Segment(leaf)
        with _SEGMENTS_LOCK:
            _SEGMENTS[key] = segment
            while len(_SEGMENTS) > _MAX_SEGMENTS:
                _SEGMENTS.popitem(last=False)
    return segment
