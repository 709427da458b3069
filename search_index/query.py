"""Searching the published index: words, filters, "did you mean", results and snippets.

:class:`SearchIndex` follows the published link (``settings.index_dir``): each thread keeps
one open searcher and reopens it only when the live writer has committed or ``portal
build`` has swapped in a new index, which costs a ``realpath`` and a ``stat``.

Plain words (nearly every query) are analysed here and ranked by
:mod:`search_index.ranking`: BM25F over each language's title, headings and body (title
weighed most), times the document's rank factor, one result per page (the best of its
sections). Phrases and AND/OR/NOT go through Whoosh's parser, which decides what matches;
they are ranked the same way. Only the returned page of results is read and highlighted.
"""

from __future__ import annotations

import os
import re
import threading
import time
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from whoosh import qparser
from whoosh.index import EmptyIndexError
from whoosh.query import And, Not, Phrase, Query, Term
from whoosh.searching import Searcher

from search_index.analyzers import LANGUAGES, IcuWordTokenizer, analyzer_for, normalise
from search_index.codec import LayoutError
from search_index.documents import KINDS
from search_index.index import BOOKKEEPING_IDS, build_schema, open_index, text_field
from search_index.ranking import ScoredTerm, rank
from search_index.snippets import snippet

PAGE_SIZE = 10
MAX_PAGE = 50
MAX_QUERY_CHARS = 256
FIELD_BOOSTS = {"title": 3.0, "headings": 1.8, "body": 1.0}


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
    total_exact: bool  # False: ``total`` is an estimate ("about 9,400 results")
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
        # Every thread's open searcher, closed with this object: the index's files stay
        # open while a searcher reads them.
        self._open: set[Searcher] = set()
        self._opening = threading.Lock()
        weakref.finalize(self, _close_all, self._open, self._opening)

    def close(self) -> None:
        """Close every thread's searcher (each opens a new one when it searches again)."""
        _close_all(self._open, self._opening)
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
        exact_total: bool = False,
    ) -> SearchResults:
        """One page of results. The total is exact when it is small; otherwise, because the
        ranking skips what cannot reach the page, an estimate, unless ``exact_total`` asks
        for every match to be read (as Elasticsearch's ``track_total_hits``)."""
        text = check_query(q, lang, kind, page)
        try:
            return self._search(text, lang, kind, tag, page, pagelen, exact_total)
        except LayoutError as error:  # written by another release: as good as missing
            raise IndexMissing(str(error)) from error

    def _search(
        self,
        text: str,
        lang: str | None,
        kind: str | None,
        tag: str | None,
        page: int,
        pagelen: int,
        exact_total: bool,
    ) -> SearchResults:
        tag = (tag or "").strip().lower() or None
        searcher = self.searcher()
        searched, corrected = _rewrite(searcher, text, lang)
        wanted = _filter(kind, tag)
        # The language needs no filter: only its own fields are searched.
        allowed = set(searcher.docs_for_query(wanted)) if wanted else None
        limit = page * pagelen
        if _is_plain(searched):
            scored = _word_terms(searched, lang)
            ranked = rank(searcher, scored, allowed=allowed, limit=limit, prune=not exact_total)
        else:
            query = _parser((lang,) if lang else LANGUAGES).parse(searched)
            scored = list(set(_positive_terms(query)))
            # Whoosh decides what matches (phrases, NOT); the bookkeeping documents have no
            # text, but NOT matches everything that lacks a word.
            matching = set(searcher.docs_for_query(query)) - _bookkeeping(searcher)
            ranked = rank(
                searcher,
                scored,
                matching=matching,
                allowed=allowed,
                limit=limit,
                prune=not exact_total,
            )
        hits = [
            _hit(searcher, docnum, score, scored)
            for score, docnum in ranked.hits[(page - 1) * pagelen : limit]
        ]
        return SearchResults(
            query=text,
            searched=searched,
            did_you_mean=corrected,
            lang=lang,
            kind=kind,
            tag=tag,
            page=page,
            pages=min(MAX_PAGE, -(-ranked.total // pagelen)),
            total=ranked.total,
            total_exact=ranked.exact,
            items=hits,
        )

    def searcher(self) -> Searcher:
        """This thread's searcher, reopened only if the index changed since it was opened.

        A change is a new build (the published link points elsewhere) or a commit by the
        live writer (files added to the folder, which changes its modification time): two
        stat calls per search rather than Whoosh's listing of the folder.
        """
        local = self._local
        build = os.path.realpath(self.folder)
        current: Searcher | None = getattr(local, "searcher", None)
        try:
            changed = os.stat(build).st_mtime_ns
        except OSError:
            changed = None
        if current is not None and local.build == build:
            if changed is not None and changed == local.changed:
                return current
            try:
                if current.up_to_date():
                    local.changed = _settled(changed)
                    return current
            except OSError:
                return current  # a commit under way; this searcher is still consistent
            # Reopened rather than Searcher.refresh(): a refreshed searcher reuses segment
            # readers and so misses documents deleted from those segments.
        try:
            searcher = open_index(Path(build)).searcher()
        except (EmptyIndexError, FileNotFoundError, OSError) as error:
            if current is not None:
                return current  # the new build is not readable yet; keep the old one
            raise IndexMissing(
                f"There is no search index at {self.folder}; run `portal build`."
            ) from error
        with self._opening:
            if current is not None:
                self._open.discard(current)
                current.close()
            self._open.add(searcher)
        local.searcher, local.build, local.changed = searcher, build, _settled(changed)
        return searcher


def _close_all(searchers: set[Searcher], lock: threading.Lock) -> None:
    with lock:
        for searcher in searchers:
            searcher.close()
        searchers.clear()


# A folder's modification time is only trusted once it is this old: a commit landing within
# the file system's timestamp granularity of the last look would otherwise go unseen.
_SETTLE_NS = 2_000_000_000


def _settled(changed: int | None) -> int | None:
    if changed is None or time.time_ns() - changed < _SETTLE_NS:
        return None
    return changed


def _bookkeeping(searcher: Searcher) -> set[int | None]:
    """The documents that hold the index's own records, not pages."""
    return {searcher.document_number(id=doc_id) for doc_id in BOOKKEEPING_IDS}


# Query syntax the parser understands: "phrases", 'single terms', (groups) and operators.
_SYNTAX = re.compile(r"[\"()]|(?:^|(?<=\W))'|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


def _is_plain(text: str) -> bool:
    """True for plain words, as nearly every customer types them."""
    return not _SYNTAX.search(text)


def _word_terms(text: str, lang: str | None) -> list[ScoredTerm]:
    """Each word's stem in each field of each language it may be in.

    Without a language, a word in Devanagari, Cyrillic or Khmer is searched in its own
    language's fields and a word in Latin letters in every language's (product names and
    "UPI" appear in all of them). Stop words give no terms.
    """
    terms = {
        ScoredTerm(text_field(name, word_lang), stem, boost)
        for token in IcuWordTokenizer()(text)
        for word_lang in ((lang,) if lang else _languages_of(token.text))
        for stem in _stems(token.text, word_lang)
        for name, boost in FIELD_BOOSTS.items()
    }
    return list(terms)


def _languages_of(word: str) -> tuple[str, ...]:
    found = word_language(word)
    return LANGUAGES if found == "en" else (found,)


def _stems(word: str, lang: str) -> list[str]:
    return [token.text for token in analyzer_for(lang)(word)]


def _positive_terms(query: Query) -> Iterable[ScoredTerm]:
    """The terms that add to a document's score: all but those under a NOT."""
    if isinstance(query, Not):
        return
    if isinstance(query, Term):
        yield ScoredTerm(query.fieldname, query.text, query.boost)
    elif isinstance(query, Phrase):
        for word in query.words:
            yield ScoredTerm(query.fieldname, word, query.boost)
    else:
        for child in query.children():
            yield from _positive_terms(child)


@cache
def _parser(langs: tuple[str, ...]) -> qparser.MultifieldParser:
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
# Scripts written without spaces, where ICU's dictionary may join two words into one.
_UNSPACED = ("km",)


def word_language(word: str) -> str:
    for lang, low, high in _SCRIPTS:
        if any(low <= char <= high for char in word):
            return lang
    return "en"


def _rewrite(searcher: Searcher, text: str, lang: str | None) -> tuple[str, str | None]:
    """The query to run, and the corrected query to show when a word was misspelt.

    Only words the index does not have are looked at (one term lookup per field). In Khmer
    such a word is often a compound ICU segmented differently in the page ("ធ្លាក់ទឹក", "fall
    into water", where the page has "ធ្លាក់" ... "ទឹក"), so it is split into two indexed
    words first; otherwise the nearest indexed spelling replaces it.
    """
    reader = searcher.reader()
    pieces: list[str] = []
    last = 0
    corrected = False
    for token in IcuWordTokenizer()(text, chars=True):
        word, start, end = token.text, token.startchar, token.endchar
        if word.isdigit() or _known(reader, word, lang) is not False:
            continue
        word_lang = lang or word_language(word)
        split = _split(reader, word, word_lang) if word_lang in _UNSPACED else None
        if split:
            pieces += [text[last:start], split]
            last = end
        elif len(word) >= 4:
            suggestion = _suggest(searcher, word, word_lang)
            if suggestion:
                pieces += [text[last:start], suggestion]
                last, corrected = end, True
    searched = "".join([*pieces, text[last:]])
    return searched, searched if corrected else None


def _known(reader: Any, word: str, lang: str | None) -> bool | None:
    """Whether the index has ``word`` in some field it would be searched in; None for a
    word that gives no term (a stop word)."""
    stems = [
        (word_lang, stem)
        for word_lang in ((lang,) if lang else _languages_of(word))
        for stem in _stems(word, word_lang)
    ]
    if not stems:
        return None
    fields = [
        (text_field(name, word_lang), stem) for word_lang, stem in stems for name in FIELD_BOOSTS
    ]
    return any(term in reader for term in fields)


def _split(reader: Any, word: str, lang: str) -> str | None:
    """``word`` as two indexed words, the longest left part first, or None.

    The parts are joined by a zero-width space, the word separator Khmer writers use: it
    shows nothing, and ICU always breaks there.
    """
    for cut in range(len(word) - 1, 0, -1):
        # Never between a letter and its vowel sign or subscript (coeng) consonant.
        if unicodedata.category(word[cut]).startswith("M") or word[cut - 1] == "\u17d2":
            continue
        left, right = word[:cut], word[cut:]
        if _one_indexed_word(reader, left, lang) and _one_indexed_word(reader, right, lang):
            return f"\u200b{left}\u200b{right}\u200b"
    return None


def _one_indexed_word(reader: Any, text: str, lang: str) -> bool:
    stems = _stems(text, lang)
    return len(stems) == 1 and _known(reader, text, lang) is True


def _suggest(searcher: Searcher, word: str, lang: str) -> str | None:
    body = text_field("body", lang)
    # Stemmed fields keep their unstemmed words in a spell_ field; Khmer's is the field.
    spell_field = f"spell_{body}" if f"spell_{body}" in searcher.schema else body
    # prefix=1: only words with the same first letter, as typos rarely touch it; this walks
    # a thirtieth of the vocabulary instead of all of it.
    suggestions = searcher.suggest(
        spell_field, normalise(word), limit=1, maxdist=1 if len(word) < 6 else 2, prefix=1
    )
    return suggestions[0] if suggestions else None


def _hit(searcher: Searcher, docnum: int, score: float, scored: Iterable[ScoredTerm]) -> Hit:
    stored = searcher.stored_fields(docnum)
    lang = stored["lang"]
    body = text_field("body", lang)
    words = frozenset(term.text for term in scored if term.field == body)
    return Hit(
        url=f"{lang}/{stored['url']}",
        title=stored["title"],
        section=stored.get("section") or "",
        kind=stored["kind"],
        lang=lang,
        snippet=snippet(stored.get("text") or "", words, analyzer_for(lang)),
        score=round(score, 4),
        tags=[t for t in (stored.get("tags") or "").split(",") if t],
        status=stored.get("status") or "",
    )
