"""Ranking: the best page for each query, BM25F from the postings times a rank factor.

A document matches when it has any of the words (OR): on this content, requiring every
word (AND first, OR when nothing has them all) ranked the labelled queries' pages lower,
because people type words ("गया", "how") the right page does not contain. For phrases and
operators Whoosh decides which documents match, and they are scored here all the same.

Results show one hit per page (the best of its sections). :func:`rank` skips the postings
that cannot change the top results (:mod:`search_index.pruning`); ``prune=False`` scores
every posting, the reference the pruned ranking is tested against.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from whoosh.searching import Searcher

from search_index.pruning import pruned_top, worth_pruning
from search_index.scoring import QueryTerm, Ranked, ScoredTerm, best_per_page, query_terms


def rank(
    searcher: Searcher,
    scored: Iterable[ScoredTerm],
    *,
    matching: Collection[int] | None = None,
    allowed: Collection[int] | None = None,
    limit: int = 10,
    prune: bool = True,
) -> Ranked:
    """Rank documents by the ``scored`` terms, keep the best one per page, return the top
    ``limit``.

    The documents that match are those with any of the terms, or ``matching`` when given
    (what Whoosh found for a phrase or an operator); ``allowed`` limits them further (the
    kind and tag filters). With ``prune`` (the default) postings that cannot change the top
    ``limit`` are skipped when there are many (see :mod:`search_index.pruning`); without it
    every posting is scored, which gives the same hits and an exact total.
    """
    terms = query_terms(searcher, scored)
    if prune and worth_pruning(terms):
        return pruned_top(searcher, terms, matching=matching, allowed=allowed, limit=limit)
    found = _scores(terms)
    if matching is not None:
        found = {doc: found.get(doc, 0.0) for doc in matching}
    if allowed is not None:
        found = {doc: score for doc, score in found.items() if doc in allowed}
    return best_per_page(searcher, found, limit)


def _scores(terms: Iterable[QueryTerm]) -> dict[int, float]:
    """Each document's summed BM25F over ``terms`` (not yet times its rank factor): every
    posting read and scored."""
    summed: dict[int, float] = {}
    get = summed.get
    for query_term in terms:
        for tl in query_term.lists:
            numerator, norms, offset, deleted = tl.numerator, tl.norms, tl.offset, tl.deleted
            for block in tl.postings.blocks():
                ids, tfs = tl.postings.read(block)
                for doc, tf in zip(ids, tfs, strict=True):
                    if deleted and doc in deleted:
                        continue
                    # bm25 = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgfl))
                    score = numerator * tf / (tf + norms[doc])
                    doc += offset
                    summed[doc] = get(doc, 0.0) + score
    return summed
