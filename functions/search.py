"""``GET /api/search?q=&lang=&kind=&tag=&page=``: search articles and community posts.

Answers ``{"query", "searched", "did_you_mean", "page", "pages", "total", "total_exact",
"items": [{"url", "title", "section", "kind", "lang", "snippet", "score", ...}],
"other_languages": [{"lang", "total"}]}`` (when nothing matched in ``lang``: where something
did); ``url`` is
relative to the site root and ``snippet`` is HTML (escaped text, ``<mark>`` around matches).
``total`` is an estimate (``total_exact`` false) when the ranking skipped matches that could
not reach the results, as for common words in a large community. Bad input
answers a 400 problem saying what to change.

``submitted=1`` says the reader asked for this search (the results page sends it; the
box's suggestions as one types do not): when it finds nothing in a language, its words
(normalised, never who searched) are recorded as a gap in the content, a limited number
per client address, and the same words from one address once a day.

This function only reads the index; community changes reach it through the search feed
consumer (:mod:`functions.search_feed`), which ``portal work`` runs.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from core.languages import CODES
from core.settings import Settings
from core.tags import tag_for
from functions import limits, web
from functions.problems import Problem
from functions.store import utcnow
from search_index.analyzers import LANGUAGES, normalise
from search_index.documents import KINDS
from search_index.query import MAX_PAGE, MAX_QUERY_CHARS, IndexMissing, QueryError, SearchIndex

bp = Blueprint("search", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> dict:
    page_text = request.args.get("page", "1")
    if not (page_text.isascii() and page_text.isdigit()):  # "²" is a digit int() refuses
        raise Problem("search_page_number", {"given": page_text})
    asked = {
        "kind": request.args.get("kind") or None,
        "tag": tag_for(request.args["tag"]) if request.args.get("tag") else None,
    }
    q, lang, page = request.args.get("q"), request.args.get("lang") or None, int(page_text)
    try:
        results = search_index().search(q, lang=lang, page=page, **asked)
        elsewhere = _elsewhere(results, asked) if results.total == 0 and results.lang else []
    except QueryError as error:
        raise _not_understood(error, q, lang, asked["kind"], page) from None
    except IndexMissing:
        raise Problem(
            "search_not_ready",
            status=503,
            title="Search unavailable",
            headers={"Retry-After": "60"},
        ) from None
    if (
        results.total == 0
        and results.page == 1
        and results.lang
        and not (results.kind or results.tag)  # filtered: what it wants may exist elsewhere
        and request.args.get("submitted")
    ):
        _record_miss(results.lang, results.query)
    return {**results.to_json(), "other_languages": elsewhere}


def _not_understood(
    error: QueryError, q: str | None, lang: str | None, kind: str | None, page: int
) -> Problem:
    """The index's QueryError as a code: the index says it in English only, so its cases
    are told apart here, in the order ``search_index.query.check_query`` checks them."""
    text = (q or "").strip()
    if not text:
        code, params = "search_empty", {}
    elif len(text) > MAX_QUERY_CHARS:
        code, params = "search_too_long", {"length": len(text), "max": MAX_QUERY_CHARS}
    elif lang is not None and lang not in LANGUAGES:
        code, params = "search_language", {"choices": ", ".join(LANGUAGES), "given": lang}
    elif kind is not None and kind not in KINDS:
        code, params = "search_kind", {"choices": ", ".join(KINDS), "given": kind}
    elif not 1 <= page <= MAX_PAGE:
        code, params = "search_page", {"max": MAX_PAGE}
    else:  # a case the index learnt since: its English, under a code all the same
        code, params = "search_not_understood", {"reason": str(error)}
    return Problem(code, params, title="Search not understood")


def _elsewhere(results, asked: dict) -> list[dict]:
    """When nothing matched in the page's language: how much matches in each other one, so
    the page can offer those results."""
    found = []
    for lang in CODES:
        if lang != results.lang:
            total = search_index().search(results.query, lang=lang, **asked).total
            if total:
                found.append({"lang": lang, "total": total})
    return found


def _record_miss(lang: str, query: str) -> None:
    """Count a search that found nothing, unless this address has had its share of them."""
    now = utcnow()
    words = normalise(" ".join(query.split()))[: limits.SEARCH_MISS_CHARS]
    # Only so many from one address, and the same words from it once a day. The address's
    # limit first: a search it refuses must not use up the day's once for its words.
    if web.count_by_address(limits.SEARCH_MISSES, now):
        return
    if web.count_by_address(limits.SEARCH_MISS_REPEATS, now, about=words):
        return
    web.store().record_search_missed(lang, words, now)


def search_index() -> SearchIndex:
    """The app's index reader, one per app (and so per worker process). With
    ``PORTAL_INDEX_BUCKET`` (on Lambda) the index is the newest snapshot, loaded into the
    container and checked for a newer one every few seconds."""
    extensions = current_app.extensions
    if "search_index" not in extensions:
        settings: Settings = current_app.config["PORTAL_SETTINGS"]
        if settings.index_bucket:
            from search_index import snapshots  # boto3: only where a bucket is set

            bucket = snapshots.index_bucket(settings.index_bucket)
            extensions["index_snapshots"] = snapshots.SnapshotLoader(settings.index_dir, bucket)
        extensions.setdefault("search_index", SearchIndex(settings.index_dir))
    loader = extensions.get("index_snapshots")
    if loader is not None:
        loader.refresh()
    return extensions["search_index"]
