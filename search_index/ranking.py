"""Ranking without Whoosh's matcher tree: BM25F read straight from the postings.

Whoosh scores a multi-field query through a tree of Python matcher objects, several method
calls per field per matching document, and collapsing to one hit per page reads the page of
every match through another layer. Here each term's postings are read a block at a time,
scored with the document's field length (read once per segment into a list) and summed in a
dict; collapsing, counting pages and the top-k are then a pass over that dict. The scores
are Whoosh's BM25F (same idf, average lengths, K1, B and field boosts) times the document's
rank factor (see :func:`search_index.documents.rank_factor`).

A document matches when it has any of the words (OR): on this content, requiring every
word (AND first, OR when nothing has them all) ranked the labelled queries' pages lower,
because people type words ("गया", "how") the right page does not contain. For phrases and
operators Whoosh decides which documents match, and they are scored here all the same.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

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


def rank(
    searcher: Searcher,
    scored: Iterable[ScoredTerm],
    *,
    matching: Collection[int] | None = None,
    allowed: Collection[int] | None = None,
    limit: int = 10,
) -> Ranked:
    """Rank documents by the ``scored`` terms, keep the best one per page, return the top
    ``limit``.

    The documents that match are those with any of the terms, or ``matching`` when given
    (what Whoosh found for a phrase or an operator); ``allowed`` limits them further (the
    kind and tag filters).
    """
    found = _scores(searcher, scored)
    if matching is not None:
        found = {doc: found.get(doc, 0.0) for doc in matching}
    if allowed is not None:
        found = {doc: score for doc, score in found.items() if doc in allowed}
    return _best_per_page(searcher, found, limit)


def _scores(searcher: Searcher, terms: Iterable[ScoredTerm]) -> dict[int, float]:
    """Each document's summed BM25F over ``terms`` (not yet times its rank factor)."""
    summed: dict[int, float] = {}
    get = summed.get
    reader = searcher.reader()
    for field, text, boost in set(terms):
        if (field, text) not in reader:
            continue
        # bm25 = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgfl))
        numerator = boost * searcher.idf(field, text) * (K1 + 1)
        for leaf, offset in reader.leaf_readers():
            if (field, text) not in leaf:
                continue
            norms = _norms(searcher, leaf, field)
            deleted = leaf.deleted_docs_set
            for ids, tfs in _blocks(leaf, field, text):
                for doc, tf in zip(ids, tfs, strict=True):
                    if deleted and doc in deleted:
                        continue
                    doc += offset
                    summed[doc] = get(doc, 0.0) + numerator * tf / (tf + norms[doc - offset])
    return summed


def _blocks(leaf: Any, field: str, text: str) -> Iterable[tuple[Sequence[int], Sequence[float]]]:
    """The (document numbers, term frequencies) of a term in one segment, block by block."""
    matcher = leaf.postings(field, text)
    matcher = getattr(matcher, "child", matcher)  # deletions are skipped by the caller
    if not isinstance(matcher, W3LeafMatcher):
        raise TypeError(f"Expected postings in Whoosh's W3 format, found {type(matcher)}.")
    while matcher.is_active():
        matcher.id()  # loads the block's ids
        matcher.weight()  # and its weights
        yield matcher._ids, matcher._weights
        matcher._next_block()


def _norms(searcher: Searcher, leaf: Any, field: str) -> list[float]:
    """BM25's length normalisation of every document in a segment for ``field``; it depends
    on the average length over the whole index, so it is kept with the searcher."""
    cache: dict[tuple[str, str], list[float]] = searcher.__dict__.setdefault("_portal_norms", {})
    key = (leaf.segment().segment_id(), field)
    if key not in cache:
        per_length = K1 * B / (searcher.avg_field_length(field) or 1)
        base = K1 * (1 - B)
        cache[key] = [base + per_length * length for length in _segment(leaf).lengths(leaf, field)]
    return cache[key]


def _best_per_page(searcher: Searcher, found: dict[int, float], limit: int) -> Ranked:
    columns = _columns(searcher)
    pages, ranks = columns.pages, columns.ranks
    best: dict[str, tuple[float, int]] = {}
    for doc, score in found.items():
        entry = (score * ranks[doc], -doc)  # ties: the earlier document, as Whoosh does
        page = pages[doc]
        if page not in best or entry > best[page]:
            best[page] = entry
    top = heapq.nlargest(limit, best.values())
    return Ranked(total=len(best), hits=[(score, -negated) for score, negated in top])


class _Columns(NamedTuple):
    pages: list[str]
    ranks: list[float]


def _columns(searcher: Searcher) -> _Columns:
    """Every document's page and rank factor, by document number, kept with the searcher."""
    columns = getattr(searcher, "_portal_columns", None)
    if columns is None:
        pages: list[str] = []
        ranks: list[float] = []
        for leaf, _offset in searcher.reader().leaf_readers():
            segment = _segment(leaf)
            pages += segment.pages
            ranks += segment.ranks
        columns = searcher._portal_columns = _Columns(pages, ranks)
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
