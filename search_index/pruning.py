"""The top results without scoring every match: MaxScore with block-max bounds.

A common word ("phone", "гарантия") is in a fifth of the documents, so scoring every
posting costs time in proportion to the corpus. But only the top results are shown, and
each term knows the most it can add to a score (:class:`search_index.scoring.QueryTerm`),
as does each block of its postings (from the block's header, without reading the block).

The terms are read one after the other, highest bound first, into a table of partial
scores (term at a time). After each term, ``theta`` is the score the ``limit``-th best page
has reached so far; the final one can only be higher. Then:

- a document not yet in the table can score at most the bounds of the terms still to come
  (its earlier terms gave it nothing). Once that, times the highest rank factor, is below
  ``theta``, no new document can reach the results (MaxScore): the terms still to come are
  read only for the documents in the table, block by block, and a block with none of them
  is never read.
- before that, a block whose own bound plus the terms still to come is below ``theta``
  cannot bring in a new document either (block-max), and is read only if it holds a
  document already in the table.
- a document in the table that cannot reach ``theta`` with every term still to come is
  dropped.

Nothing that could be in the results is skipped, and each result's score is added up in
the same order as :func:`search_index.ranking.rank` without pruning, so both give the same
hits with the same scores. What pruning loses is the exact count of matches: when it
skipped anything, the total is estimated from the terms' document frequencies (as if the
words were independent), as Lucene and the web search engines do ("about 9,400 results").
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from typing import NamedTuple

from whoosh.searching import Searcher

from search_index.postings import Block
from search_index.scoring import QueryTerm, Ranked, TermList, best_per_page, doc_columns

# Comparisons with theta leave this much room, so that a bound computed with other rounding
# than the sum it bounds never drops a document that belongs in the results.
_SLACK = 1 - 1e-9
# theta is taken from this many of the highest partial scores (times the limit): any set of
# pages gives a lower bound of the final one, and a small set is quick to rank.
_THETA_SAMPLE = 4
# A block with at most this many documents to look up is searched rather than mapped.
_FEW_IN_BLOCK = 12
# Filtered to fewer documents than the terms' postings over this, the filtered documents
# alone are looked up in the postings.
_FEW = 4
# Terms with this many postings in all are simply all read: it takes about a millisecond,
# and the total is then exact.
EXACT_UP_TO = 2000


def worth_pruning(terms: Sequence[QueryTerm]) -> bool:
    return _postings(terms) > EXACT_UP_TO


def _postings(terms: Sequence[QueryTerm]) -> int:
    return sum(tl.postings.doc_frequency for term in terms for tl in term.lists)


def pruned_top(
    searcher: Searcher,
    terms: Sequence[QueryTerm],
    *,
    matching: Collection[int] | None = None,
    allowed: Collection[int] | None = None,
    limit: int = 10,
) -> Ranked:
    """The top ``limit`` pages for ``terms`` (highest bound first), as
    :func:`search_index.ranking.rank` defines them."""
    columns = doc_columns(searcher)
    restrict = _restriction(matching, allowed)
    if restrict is not None and len(restrict) * _FEW < _postings(terms):
        return _among(searcher, terms, restrict, keep_unscored=matching is not None, limit=limit)
    scores: dict[int, float] = {}
    leaders = _Leaders(limit * _THETA_SAMPLE)
    tally = _Tally(len(terms))
    rest = sum(term.bound for term in terms)
    theta = 0.0
    complete = True  # every posting of every term read, nothing dropped
    closed = False  # no new document can reach the results
    for number, term in enumerate(terms, start=1):
        rest -= term.bound
        tally.term = number - 1
        for postings in term.lists:
            if closed:
                _probe(postings, scores, leaders)
            else:
                reach = _Reach(theta * _SLACK, rest, columns.top_rank, columns.ranks)
                complete &= _add(postings, scores, restrict, reach, leaders, tally)
        if number == len(terms):
            break
        theta = max(theta, leaders.theta(scores, columns.pages, columns.ranks, limit))
        if not closed and theta and rest * columns.top_rank < theta * _SLACK:
            closed, complete = True, False  # the terms to come bring in no new document
        if closed:  # drop the documents that cannot reach theta any more
            ranks, floor = columns.ranks, theta * _SLACK
            scores = {doc: s for doc, s in scores.items() if (s + rest) * ranks[doc] >= floor}
    if matching is not None:
        if complete:  # the documents Whoosh matched that have none of the scored words
            for doc in restrict or ():
                scores.setdefault(doc, 0.0)
        ranked = best_per_page(searcher, scores, limit)
        return Ranked(len({columns.pages[doc] for doc in restrict or ()}), ranked.hits)
    ranked = best_per_page(searcher, scores, limit)
    if complete:
        return ranked
    estimate = _estimate(searcher, terms, scores, tally, ranked.total)
    return Ranked(estimate, ranked.hits, exact=False)


def _among(
    searcher: Searcher,
    terms: Sequence[QueryTerm],
    restrict: Collection[int],
    *,
    keep_unscored: bool,
    limit: int,
) -> Ranked:
    """Score only the documents in ``restrict``, a few next to the postings (a kind filter,
    a phrase): each term is read just in the blocks that hold them, and every one of them
    is scored, so the total is exact."""
    scores = dict.fromkeys(restrict, 0.0)
    for term in terms:
        for postings in term.lists:
            _probe(postings, scores)
    if not keep_unscored:  # every posting adds more than 0
        scores = {doc: score for doc, score in scores.items() if score}
    return best_per_page(searcher, scores, limit)


def _restriction(
    matching: Collection[int] | None, allowed: Collection[int] | None
) -> Collection[int] | None:
    if matching is None:
        return allowed
    if allowed is None:
        return matching
    return set(matching).intersection(allowed)


class _Reach(NamedTuple):
    """What a document must be able to reach to stay in the running."""

    theta: float  # the score the last result has reached so far (with slack), or 0
    rest: float  # the most the terms after this one add
    top_rank: float  # the highest rank factor of any document
    ranks: list[float]  # each document's rank factor


def _add(
    postings: TermList,
    scores: dict[int, float],
    restrict: Collection[int] | None,
    reach: _Reach,
    leaders: _Leaders,
    tally: _Tally,
) -> bool:
    """Add a term's scores to ``scores``: to every document there, and to a new one only
    if it can still reach ``reach.theta`` (its earlier terms gave it nothing). A block none
    of whose documents can is read only for the documents already there. True if every
    posting was read and added."""
    numerator, norms, offset, deleted = (
        postings.numerator,
        postings.norms,
        postings.offset,
        postings.deleted,
    )
    theta, rest, ranks = reach.theta, reach.rest, reach.ranks
    floor = theta / reach.top_rank - rest  # the least a block's bound must be to add docs
    get = scores.get
    hot, cutoff = leaders.hot, leaders.cutoff
    complete = True
    candidates: list[int] | None = None  # documents in the table, in order, when needed
    last = -1  # the previous block's last document
    for block in postings.postings.blocks():
        takes_new = floor <= 0 or postings.bound(block.impacts) >= floor
        if not takes_new:
            # Only the documents already in the table, if the block holds any.
            complete = False
            if candidates is None:
                candidates = sorted(scores)
            at = bisect_right(candidates, last + offset)
            upto = bisect_right(candidates, block.max_id + offset, at)
            if upto > at:
                wanted = [number - offset for number in candidates[at:upto]]
                _add_to(postings, block, wanted, scores, leaders)
            last = block.max_id
            continue
        ids, tfs = postings.postings.read(block)
        tally.read += len(ids)
        kept, again = len(ids), 0
        for doc, tf in zip(ids, tfs, strict=True):
            if deleted and doc in deleted:
                continue
            number = doc + offset
            if restrict is not None and number not in restrict:
                kept -= 1
                continue
            value = numerator * tf / (tf + norms[doc])
            old = get(number)
            if old is not None:
                value += old
                again += 1
            elif theta and (value + rest) * ranks[number] < theta:
                complete = False  # cannot reach the results: left out
                continue
            scores[number] = value
            if value >= cutoff:
                hot.append(number)
        tally.add(kept, again)
        last = block.max_id
    return complete


def _probe(postings: TermList, scores: dict[int, float], leaders: _Leaders | None = None) -> None:
    """Add a term's scores to the documents already in ``scores`` only, reading just the
    blocks that hold them."""
    offset = postings.offset
    candidates = sorted(doc - offset for doc in scores if 0 <= doc - offset < len(postings.norms))
    if not candidates:
        return
    at = 0  # the next candidate to look for
    for block in postings.postings.blocks():
        if candidates[at] > block.max_id:
            continue
        upto = bisect_right(candidates, block.max_id, at)
        _add_to(postings, block, candidates[at:upto], scores, leaders)
        if upto == len(candidates):
            return
        at = upto


def _add_to(
    postings: TermList,
    block: Block,
    docs: list[int],
    scores: dict[int, float],
    leaders: _Leaders | None,
) -> None:
    """Add the term's scores in ``block`` to those of ``docs`` (in order, numbered within
    the segment, all in ``scores`` already) that the block holds."""
    numerator, norms, offset, deleted = (
        postings.numerator,
        postings.norms,
        postings.offset,
        postings.deleted,
    )
    hot, cutoff = (leaders.hot, leaders.cutoff) if leaders else ([], float("inf"))
    ids, tfs = postings.postings.read(block)
    if len(docs) > _FEW_IN_BLOCK:
        where = dict(zip(ids, tfs, strict=True))
        found = [(doc, where.get(doc)) for doc in docs]
    else:
        found = [(doc, _frequency(ids, tfs, doc)) for doc in docs]
    for doc, tf in found:
        if tf is not None and not (deleted and doc in deleted):
            number = doc + offset
            value = scores[number] = scores[number] + numerator * tf / (tf + norms[doc])
            if value >= cutoff:
                hot.append(number)


def _frequency(ids: list[int], tfs: Sequence[float], doc: int) -> float | None:
    """``doc``'s term frequency in a block (None if it is not there)."""
    at = bisect_left(ids, doc)
    return tfs[at] if at < len(ids) and ids[at] == doc else None


class _Leaders:
    """The documents with the highest partial scores, kept as scores are added (those that
    pass ``cutoff`` are noted in ``hot``), for a quick ``theta``: any set of pages gives a
    lower bound of the score the ``limit``-th result will have, and a small set is quick
    to rank."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.docs: list[int] = []
        self.hot: list[int] = []  # documents whose partial score reached the cutoff
        self.cutoff = 0.0  # the lowest partial score among the leaders

    def theta(
        self, scores: dict[int, float], pages: list[str], ranks: list[float], limit: int
    ) -> float:
        """The ``limit``-th best page among the leaders (0 if too few pages)."""
        pool = {doc for doc in (*self.docs, *self.hot) if doc in scores}
        self.docs = heapq.nlargest(self.size, pool, key=scores.__getitem__)
        self.hot = []
        if len(self.docs) == self.size:
            self.cutoff = scores[self.docs[-1]]
        return _kth_page({doc: scores[doc] for doc in self.docs}, pages, ranks, limit)


def _kth_page(scores: dict[int, float], pages: list[str], ranks: list[float], limit: int) -> float:
    """The ``limit``-th best page score among ``scores`` (0 if fewer pages)."""
    best: dict[str, float] = {}
    for doc, score in scores.items():
        page, value = pages[doc], score * ranks[doc]
        if value > best.get(page, -1.0):
            best[page] = value
    if len(best) < limit:
        return 0.0
    return heapq.nlargest(limit, best.values())[-1]


class _Tally:
    """How many postings were read and how many of those the filters kept; and per term,
    of the ones kept, how many were of a document already in the table (another term had
    brought it in): how much the terms overlap, measured on what was read anyway."""

    def __init__(self, terms: int) -> None:
        self.read = self.kept = 0
        self.term = 0  # the term being read
        self.kept_by_term = [0] * terms
        self.again_by_term = [0] * terms

    def add(self, kept: int, again: int) -> None:
        self.kept += kept
        self.kept_by_term[self.term] += kept
        self.again_by_term[self.term] += again

    def new_share(self, term: int) -> float:
        """The share of the term's postings read that brought in a document (1 when too
        few were read to tell). The table lacks the documents that were left out, so this
        is never below the true share."""
        kept = self.kept_by_term[term]
        return 1 - self.again_by_term[term] / kept if kept >= _OVERLAP_SAMPLE else 1.0


# A term's share of new documents is measured once this many of its postings were read.
_OVERLAP_SAMPLE = 32


def _estimate(
    searcher: Searcher,
    terms: Sequence[QueryTerm],
    scores: dict[int, float],
    tally: _Tally,
    seen: int,
) -> int:
    """About how many pages match, when pruning left postings unread.

    Per language, the documents with at least one of the terms: each term, in the order
    read, adds its documents times the share of them that no earlier term had. That share
    is the independent terms' one (the documents without any earlier term), or less when
    the postings read showed more overlap (one word in the title and the body; "reward"
    and "points"); never fewer documents than the commonest term's. Times the share of the
    postings read that the filters kept.

    The documents scored count as the pages they are, the rest as the index's pages per
    document (pages have several sections). The scored ones are the best, mostly articles'
    sections, whose own pages per document would undercount the rest, mostly one-document
    community pages (0.44 against 0.94 for "रिपेयर बुक करना"). Never fewer than the pages
    seen; two significant figures.
    """
    missing: dict[str, float] = {}  # per language: the share of documents with no term yet
    docs: dict[str, float] = {}  # per language: the documents with a term
    commonest: dict[str, int] = {}  # per language: the most documents one term has
    for number, term in enumerate(terms):
        lang = term.term.field.rsplit("_", 1)[-1]
        in_lang = searcher.doc_frequency("lang", lang) or 1
        frequency = sum(tl.postings.doc_frequency for tl in term.lists)
        absent = missing.get(lang, 1.0)
        docs[lang] = docs.get(lang, 0.0) + frequency * min(absent, tally.new_share(number))
        missing[lang] = absent * max(0.0, 1 - frequency / in_lang)
        commonest[lang] = max(commonest.get(lang, 0), frequency)
    union = sum(max(count, commonest[lang]) for lang, count in docs.items())
    kept = tally.kept / tally.read if tally.read else 1.0
    unseen = max(0.0, union * kept - len(scores))
    return max(seen, _round(round(seen + unseen * doc_columns(searcher).page_share)))


def _round(number: int) -> int:
    """``number`` to two significant figures: 9437 -> 9400."""
    digits = len(str(number))
    if digits <= 2:
        return number
    scale = 10 ** (digits - 2)
    return round(number / scale) * scale
