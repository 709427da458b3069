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
from search_index.analyzers import normalise
from search_index.query import IndexMissing, QueryError, SearchIndex

bp = Blueprint("search", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> dict:
    page_text = request.args.get("page", "1")
    if not (page_text.isascii() and page_text.isdigit()):  # "²" is a digit int() refuses
        raise Problem(f"Choose the page as a number such as 1 or 2, not {page_text!r}.")
    asked = {
        "kind": request.args.get("kind") or None,
        "tag": tag_for(request.args["tag"]) if request.args.get("tag") else None,
    }
    try:
        results = search_index().search(
            request.args.get("q"),
            lang=request.args.get("lang") or None,
            page=int(page_text),
            **asked,
        )
        elsewhere = _elsewhere(results, asked) if results.total == 0 and results.lang else []
    except QueryError as error:
        raise Problem(str(error), title="Search not understood") from None
    except IndexMissing:
        raise Problem(
            "Search is not ready yet; try again in a minute.",
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
    """The app's index reader, one per app (and so per worker process)."""
    extensions = current_app.extensions
    if "search_index" not in extensions:
        settings: Settings = current_app.config["PORTAL_SETTINGS"]
        extensions.setdefault("search_index", SearchIndex(settings.index_dir))
    return extensions["search_index"]
