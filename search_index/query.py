"""Searching the published index: parsing, ranking, filters, snippets, "did you mean".

:class:`SearchIndex` follows the published link (``settings.index_dir``): each thread keeps
one open searcher and refreshes it only when the live writer has committed or ``portal
build`` has swapped in a new index, which costs a ``readlink`` and a directory listing.

Ranking is BM25F over each language's title, headings and body (title weighed most),
multiplied by the document's rank factor (see :func:`search_index.documents.rank_factor`),
with one result per page: the best of its sections.
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from whoosh import highlight, qparser, scoring
from whoosh.index import EmptyIndexError
from whoosh.query import And, NullQuery, Query, Require, Term
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet

from search_index.analyzers import LANGUAGES, IcuWordTokenizer, analyzer_for, normalise
from search_index.documents import KINDS
from search_index.index import STATE_ID, open_index, text_field

PAGE_SIZE = 10
MAX_PAGE = 50
MAX_QUERY_CHARS = 256
FIELD_BOOSTS = {"title": 3.0, "headings": 1.8, "body": 1.0}
SNIPPET_CHARS = 200
_MAX_RANK = 1.6  # the largest rank factor, for Whoosh's upper bound on a score


class QueryError(ValueError):
    """A query that cannot be searched; the message tells the person how to fix it."""


class IndexMissing(RuntimeError):
    """No index has been published yet."""


@dataclass(frozen=True)
class Hit:
    url: str  # relative to the site root: "en/faq/repair-time/#anchor"
    title: str
    section: str
    kind: str
    lang: str
    snippet: str  # HTML: escaped text with <mark> around the words that matched
    score: float
    tags: list[str] = field(default_factory=list)
    status: str = ""


@dataclass(frozen=True)
class SearchResults:
    query: str
    searched: str  # the query actually run: the corrected one when a word was unknown
    did_you_mean: str | None
    lang: str | None
    kind: str | None
    tag: str | None
    page: int
    pages: int
    total: int
    items: list[Hit]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_query(
    q: str | None, lang: str | None = None, kind: str | None = None, page: int = 1
) -> str:
    """The query text, stripped, or QueryError saying what to change."""
    text = (q or "").strip()
    if not text:
        raise QueryError("Type a word or two to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The search is {len(text)} characters long; shorten it to "
            f"{MAX_QUERY_CHARS} characters or fewer."
        )
    if lang is not None and lang not in LANGUAGES:
        raise QueryError(f"Choose the language as one of {', '.join(LANGUAGES)}, not {lang!r}.")
    if kind is not None and kind not in KINDS:
        raise QueryError(f"Choose the kind as one of {', '.join(KINDS)}, not {kind!r}.")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"Choose a page from 1 to {MAX_PAGE}.")
    return text


class SearchIndex:
    """The published index, searched from any number of threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._local = threading.local()

    def search(
        self,
        q: str | None,
        *,
        lang: str | None = None,
        kind: str | None = None,
        tag: str | None = None,
        page: int = 1,
        pagelen: int = PAGE_SIZE,
    ) -> SearchResults:
        text = check_query(q, lang, kind, page)
        tag = (tag or "").strip().lower() or None
        searcher = self.searcher()
        langs = (lang,) if lang else LANGUAGES
        corrected = _correct(searcher, text, lang)
        searched = corrected or text
        query = _parser(langs).parse(searched)
        hits: list[Hit] = []
        total = 0
        if query is not NullQuery:
            # The language needs no filter: only its own fields are searched.
            wanted = _filter(kind, tag)
            # Filters as a Require, not Whoosh's filter=, which defeats collapsing; Require
            # scores by the query alone.
            results = searcher.search(
                Require(query, wanted) if wanted else query,
                limit=page * pagelen,
                collapse=FieldFacet("page"),
                collapse_limit=1,
            )
            # The state document has no text, but NOT matches everything that lacks a word.
            found = [hit for hit in results if hit.get("id") != STATE_ID]
            total = len(results) - (len(found) < results.scored_length())
            hits = [_hit(query, hit) for hit in found[(page - 1) * pagelen : page * pagelen]]
        return SearchResults(
            query=text,
            searched=searched,
            did_you_mean=corrected,
            lang=lang,
            kind=kind,
            tag=tag,
            page=page,
            pages=min(MAX_PAGE, -(-total // pagelen)),
            total=total,
            items=hits,
        )

    def searcher(self) -> Searcher:
        """This thread's searcher, refreshed if the index changed since its last search."""
        local = self._local
        build = os.path.realpath(self.folder)
        current: Searcher | None = getattr(local, "searcher", None)
        if current is not None and local.build == build:
            try:
                if current.up_to_date():
                    return current
            except OSError:
                return current  # a commit under way; this searcher is still consistent
            # Reopened rather than Searcher.refresh(): a refreshed searcher reuses segment
            # readers and so misses documents deleted from those segments.
        try:
            searcher = open_index(Path(build)).searcher(weighting=RankedBM25F())
        except (EmptyIndexError, FileNotFoundError, OSError) as error:
            if current is not None:
                return current  # the new build is not readable yet; keep the old one
            raise IndexMissing(
                f"There is no search index at {self.folder}; run `portal build`."
            ) from error
        if current is not None:
            current.close()
        local.searcher, local.build = searcher, build
        return searcher


class RankedBM25F(scoring.BM25F):
    """BM25F times each document's rank factor (stored in the ``rank`` column)."""

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1) -> Any:
        return _RankedScorer(super().scorer(searcher, fieldname, text, qf), _ranks(searcher))


class _RankedScorer(scoring.BaseScorer):
    def __init__(self, inner: Any, ranks: Sequence[float]) -> None:
        self.inner, self.ranks = inner, ranks

    # No block skipping: measured slower here (bounds cost more than they skip), and
    # Whoosh's skip_to_quality trips an assertion inside filtered (Require) matchers.
    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self.inner.max_quality() * _MAX_RANK

    def score(self, matcher: Any) -> float:
        return self.inner.score(matcher) * self.ranks[matcher.id()]


def _ranks(searcher: Searcher) -> Sequence[float]:
    # Read once per segment reader; a refreshed searcher reuses the readers of unchanged
    # segments, so this stays cached across live updates.
    reader = searcher.reader()
    ranks = getattr(reader, "_portal_ranks", None)
    if ranks is None:
        ranks = [value or 1.0 for value in reader.column_reader("rank")]
        reader._portal_ranks = ranks
    return ranks


@cache
def _parser(langs: tuple[str, ...]) -> qparser.MultifieldParser:
    from search_index.index import build_schema

    fields = [text_field(name, lang) for lang in langs for name in FIELD_BOOSTS]
    boosts = {text_field(name, lang): FIELD_BOOSTS[name] for lang in langs for name in FIELD_BOOSTS}
    parser = qparser.MultifieldParser(
        fields, build_schema(), fieldboosts=boosts, group=qparser.OrGroup
    )
    # Customers type words, "phrases" and the odd AND/OR/NOT; field names, wildcards, ranges
    # and boosts would only turn "error: 404" or "50%" into surprises.
    for plugin in (
        qparser.FieldsPlugin,
        qparser.WildcardPlugin,
        qparser.RangePlugin,
        qparser.BoostPlugin,
    ):
        parser.remove_plugin_class(plugin)
    return parser


def _filter(kind: str | None, tag: str | None) -> Query | None:
    terms = [Term(name, value) for name, value in (("kind", kind), ("tags", tag))]
    terms = [t for t in terms if t.text]
    return And(terms) if terms else None


# Which language a word is in, when the search has no language: its script says it.
_SCRIPTS = (("hi", "\u0900", "\u097f"), ("ru", "\u0400", "\u04ff"), ("km", "\u1780", "\u17ff"))


def word_language(word: str) -> str:
    for lang, low, high in _SCRIPTS:
        if any(low <= char <= high for char in word):
            return lang
    return "en"


def _correct(searcher: Searcher, text: str, lang: str | None) -> str | None:
    """The query with unknown words replaced by the nearest indexed word, or None."""
    reader = searcher.reader()
    pieces: list[str] = []
    last = 0
    changed = False
    for token in IcuWordTokenizer()(text, chars=True):
        word, start, end = token.text, token.startchar, token.endchar
        if len(word) < 4 or word.isdigit():
            continue
        word_lang = lang or word_language(word)
        stems = [t.text for t in analyzer_for(word_lang)(word)]
        fields = [text_field(name, word_lang) for name in FIELD_BOOSTS]
        if not stems or any((f, s) in reader for f in fields for s in stems):
            continue
        maxdist = 1 if len(word) < 6 else 2
        body = text_field("body", word_lang)
        # Stemmed fields keep their unstemmed words in a spell_ field; Khmer's is the field.
        spell_field = f"spell_{body}" if f"spell_{body}" in searcher.schema else body
        suggestions = searcher.suggest(spell_field, normalise(word), limit=1, maxdist=maxdist)
        if suggestions:
            pieces += [text[last:start], suggestions[0]]
            last, changed = end, True
    return "".join([*pieces, text[last:]]) if changed else None


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS // 2, surround=40)
_ELLIPSIS = re.compile(r"\s*…\s*$")


def _hit(query: Query, found: Any) -> Hit:
    stored = found.fields()
    lang = stored["lang"]
    body = text_field("body", lang)
    words = frozenset(
        text.decode("utf-8") if isinstance(text, bytes) else text
        for fieldname, text in query.iter_all_terms()
        if fieldname == body
    )
    return Hit(
        url=f"{lang}/{stored['url']}",
        title=stored["title"],
        section=stored.get("section") or "",
        kind=stored["kind"],
        lang=lang,
        snippet=snippet(stored.get("text") or "", words, lang),
        score=round(found.score, 4),
        tags=[t for t in (stored.get("tags") or "").split(",") if t],
        status=stored.get("status") or "",
    )


def snippet(text: str, words: frozenset[str], lang: str) -> str:
    """An HTML excerpt of ``text``: escaped, with <mark> around the words that matched."""
    marked = ""
    if words:
        formatter = highlight.HtmlFormatter(tagname="mark", classname="match", between=" … ")
        marked = highlight.highlight(text, words, analyzer_for(lang), _FRAGMENTER, formatter, top=2)
    if marked:
        return marked
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text, quote=False)
    cut = _ELLIPSIS.sub("", text[:SNIPPET_CHARS].rsplit(" ", 1)[0])
    return html.escape(cut, quote=False) + " …"
