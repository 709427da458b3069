"""Bringing the published index up to date without indexing everything again.

``portal build`` used to index every page section and every community question from
scratch. Now the index keeps a manifest, in a document of its own: a fingerprint of the
code that turns text into terms, the store it follows (its first event), and a hash of
every curated page's source. A build then starts from a copy of the published index
(hard links: segments never change once written), removes and adds again the sections of
the pages whose hash changed, applies the store's events since the index's cursor, and is
published like any build. It indexes from scratch (:func:`search_index.index.create`)
when asked (``portal build --full``), when nothing is published yet, or when the
fingerprint or the store differ, since then no old document can be trusted.

The copy is taken holding Whoosh's write lock on the published index, so the live writer
cannot commit halfway through it; after the swap the live writer carries on from the new
index's cursor, as after any build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from whoosh.index import Index
from whoosh.writing import IndexWriter

from core import urls as core_urls
from search_index.documents import Change, CommunityDoc, IndexDoc
from search_index.index import (
    MANIFEST_ID,
    apply,
    community_doc,
    create,
    fields_of,
    open_index,
    open_writer,
    read_cursor,
    write_cursor,
)
from search_index.live import ChangeSource

_CODE = Path(__file__).parent
_URLS = Path(core_urls.__file__)  # the addresses documents carry


@dataclass(frozen=True)
class Community:
    """The community store as a build reads it."""

    origin: str | None  # which store: its first event (None while it has none)
    snapshot: Callable[[], tuple[Iterable[CommunityDoc], Any]]  # every visible post, cursor
    changes: ChangeSource  # what changed after a cursor


@dataclass(frozen=True)
class Manifest:
    format: str  # fingerprint of the indexing code and settings
    origin: str | None  # the store the community documents came from
    pages: Mapping[str, str] = field(default_factory=dict)  # page -> hash of its source


@dataclass(frozen=True)
class PageSource:
    """A curated page as the index sees it: its key ("en/faq/x.md") and its source."""

    page: str
    source: str  # whatever the page's documents are made from: front matter and Markdown
    docs: Callable[[], list[IndexDoc]]  # its sections, made only when they are indexed


@dataclass(frozen=True)
class Indexed:
    full: bool
    documents: int  # documents written: every one on a full build, the changed ones else
    pages: int  # curated pages indexed again (all of them on a full build)
    changes: int  # community changes applied


def fingerprint(settings: object) -> str:
    """Changes whenever the same text could give other terms or documents: the indexing
    code, Whoosh's and ICU's versions, and the Markdown settings sections are cut with."""
    digest = hashlib.sha256()
    for path in [*sorted(_CODE.glob("*.py")), _URLS]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in ("whoosh-reloaded", "pyicu-wheels", "markdown", "pymdown-extensions"):
        digest.update(f"{package}={_version(package)}".encode())
    # Without addresses: a setting may be a function ("<function slugify at 0x7f...>").
    digest.update(re.sub(r" at 0x[0-9a-f]+", "", repr(settings)).encode())
    return digest.hexdigest()[:32]


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # not installed: part of the fingerprint all the same
        return "-"


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:32]


def read_manifest(ix: Index) -> Manifest | None:
    with ix.searcher() as searcher:
        stored = searcher.document(id=MANIFEST_ID)
    if not stored:
        return None
    data = json.loads(stored["state"])
    return Manifest(data["format"], data["origin"], data["pages"])


def _write_manifest(writer: IndexWriter, manifest: Manifest) -> None:
    data = {"format": manifest.format, "origin": manifest.origin, "pages": dict(manifest.pages)}
    writer.update_document(id=MANIFEST_ID, page=MANIFEST_ID, state=json.dumps(data))


def write_full(
    out: Path, pages: Sequence[PageSource], community: Community | None, format_: str
) -> Indexed:
    """Index everything into the empty folder ``out``."""
    docs = [doc for page in pages for doc in page.docs()]
    posts, cursor = community.snapshot() if community else ((), None)
    docs += [community_doc(post) for post in posts if not post.hidden]
    manifest = Manifest(
        format_,
        community.origin if community else None,
        {page.page: source_hash(page.source) for page in pages},
    )
    count = create(out, docs, cursor, also=lambda writer: _write_manifest(writer, manifest))
    return Indexed(full=True, documents=count, pages=len(pages), changes=0)


def write_update(
    current: Path,
    out: Path,
    pages: Sequence[PageSource],
    community: Community | None,
    format_: str,
) -> Indexed | None:
    """The published index ``current``, brought up to date in the empty folder ``out``; None
    (and ``out`` left empty) when it cannot be, and everything must be indexed again."""
    manifest = _usable_manifest(current, community, format_)
    if manifest is None:
        return None
    copy_index(current, out)  # the live writer never changes the manifest
    ix = open_index(out)
    wanted = {page.page: source_hash(page.source) for page in pages}
    gone = {page for page in manifest.pages if page not in wanted}
    fresh = [page for page in pages if manifest.pages.get(page.page) != wanted[page.page]]
    writer = open_writer(ix, limitmb=256)
    documents = changes = 0
    try:
        # A new page's documents may be in the index already: the publisher adds a promoted
        # answer's page as soon as it writes it.
        for page in gone | {page.page for page in fresh}:
            writer.delete_by_term("page", page)
        for page in fresh:
            for doc in page.docs():
                writer.add_document(**fields_of(doc))
                documents += 1
        if community is not None:
            # One commit: a writer's replace or delete sees only committed documents, so
            # a question changed in two batches is applied once, as it stands last.
            latest: dict[str, Change] = {}
            cursor = read_cursor(ix)
            while True:
                batch, after = community.changes(cursor)
                if not batch and after == cursor:
                    break
                for change in batch:
                    latest.pop(change.id, None)
                    latest[change.id] = change
                changes += len(batch)
                cursor = after
            for change in latest.values():
                apply(writer, change)
            write_cursor(writer, cursor)
        _write_manifest(writer, Manifest(format_, manifest.origin, wanted))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return Indexed(full=False, documents=documents, pages=len(fresh), changes=changes)


def _usable_manifest(current: Path, community: Community | None, format_: str) -> Manifest | None:
    """The published index's manifest, if its documents can be brought up to date."""
    try:
        manifest = read_manifest(open_index(current))
    except Exception:  # unreadable, or from an older release: start afresh
        return None
    if manifest is None or manifest.format != format_:
        return None
    # Without a store, a full build has no questions; so must an update.
    if manifest.origin != (community.origin if community else None):
        return None
    return manifest


def copy_index(source: Path, out: Path) -> None:
    """Hard-link the index files of ``source`` into ``out``, holding the index's write lock
    so that no commit lands halfway (segments are never changed once written, only
    replaced, so sharing them is safe)."""
    ix = open_index(source)
    lock = ix.lock("WRITELOCK")
    lock.acquire(blocking=True)
    try:
        for entry in os.scandir(source):
            if entry.is_file() and not entry.name.endswith("_WRITELOCK"):
                os.link(entry.path, out / entry.name)
    finally:
        lock.release()
