"""``GET /api/search?q=&lang=&kind=&tag=&page=``: search articles and community posts.

Answers ``{"query", "searched", "did_you_mean", "page", "pages", "total", "items": [{"url",
"title", "section", "kind", "lang", "snippet", "score", ...}]}``; ``url`` is relative to the
site root and ``snippet`` is HTML (escaped text, ``<mark>`` around matches). Bad input
answers a 400 problem saying what to change.

When ``app.config["SEARCH_CHANGE_SOURCE"]`` holds a change source (``fetch(cursor) ->
(changes, cursor)``, see :mod:`search_index.live`), each worker process starts a live
indexer on its first request; the writer lock lets exactly one of them write.
"""

from __future__ import annotations

import os
import threading

from flask import Blueprint, Flask, current_app, request

from core.settings import Settings
from functions.problems import Problem
from search_index.live import ChangeSource, LiveIndexer
from search_index.query import IndexMissing, QueryError, SearchIndex

bp = Blueprint("search", __name__, url_prefix="/api")
_start_lock = threading.Lock()


@bp.get("/search")
def search() -> dict:
    page_text = request.args.get("page", "1")
    if not (page_text.isascii() and page_text.isdigit()):  # "²" is a digit int() refuses
        raise Problem(f"Choose the page as a number such as 1 or 2, not {page_text!r}.")
    try:
        results = search_index().search(
            request.args.get("q"),
            lang=request.args.get("lang") or None,
            kind=request.args.get("kind") or None,
            tag=request.args.get("tag") or None,
            page=int(page_text),
        )
    except QueryError as error:
        raise Problem(str(error), title="Search not understood") from None
    except IndexMissing:
        raise Problem(
            "Search is not ready yet; try again in a minute.",
            status=503,
            title="Search unavailable",
            headers={"Retry-After": "60"},
        ) from None
    return results.to_json()


def search_index() -> SearchIndex:
    """The app's index reader, one per app (and so per worker process)."""
    extensions = current_app.extensions
    if "search_index" not in extensions:
        settings: Settings = current_app.config["PORTAL_SETTINGS"]
        extensions.setdefault("search_index", SearchIndex(settings.index_dir))
    return extensions["search_index"]


@bp.before_app_request
def _start_live_indexer() -> None:
    source = current_app.config.get("SEARCH_CHANGE_SOURCE")
    if source is not None:
        start_live_indexer(current_app, source)


def start_live_indexer(app: Flask, source: ChangeSource) -> LiveIndexer:
    """Start this process's live indexer for ``app`` (once per process, after any fork)."""
    with _start_lock:
        running = app.extensions.get("search_live")
        if running is None or running[0] != os.getpid():
            settings: Settings = app.config["PORTAL_SETTINGS"]
            indexer = LiveIndexer(settings.index_dir, source)
            indexer.start()
            app.extensions["search_live"] = running = (os.getpid(), indexer)
        return running[1]


def create_app(settings: Settings | None = None, changes: ChangeSource | None = None) -> Flask:
    """This function alone, as deployed on its own."""
    from functions.app import create_app as create_api

    app = create_api(settings, blueprints=[bp])
    if changes is not None:
        app.config["SEARCH_CHANGE_SOURCE"] = changes
    return app
