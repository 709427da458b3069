"""The Whoosh index: its schema, turning pages and posts into documents, and writing them.

Every language has its own text fields (``title_en``, ``headings_en``, ``body_en``, ...),
each analysed by that language's analyzer, so one index serves all four languages and a
query is analysed the same way as the text it is matched against. The position in the
outbox of community changes that the index reflects (the cursor) is kept in the index
itself, in a document of its own, written in the same commit as the changes it covers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import Index
from whoosh.writing import IndexWriter

from core.urls import page_url
from search_index.analyzers import LANGUAGES, analyzer_for
from search_index.codec import PortalCodec
from search_index.documents import CommunityDoc, IndexDoc, rank_factor
from search_index.sections import DEFAULT_CONFIGS, DEFAULT_EXTENSIONS, plain_text, split_sections

STATE_ID = "_state"  # the document holding the cursor; it has no searchable text
MANIFEST_ID = "_manifest"  # what a build indexed (see search_index.updates); no text either
BOOKKEEPING_IDS = (STATE_ID, MANIFEST_ID)
TEXT_FIELDS = ("title", "headings", "body")
BULK_DOCS = 5000  # from this many documents, an index is written by several processes
MAX_WRITERS = 4


def text_field(name: str, lang: str) -> str:
    return f"{name}_{lang}"


def build_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "page": ID(stored=True, sortable=True),
        "kind": ID(stored=True),
        "lang": ID(stored=True),
        "status": ID(stored=True),
        "tags": KEYWORD(stored=True, commas=True, lowercase=True),
        "rank": COLUMN(NumericColumn("f", default=1.0)),  # read per hit by the scorer
        "url": STORED,
        "title": STORED,
        "section": STORED,
        "text": STORED,
        "score": STORED,
        "state": STORED,
    }
    for lang in LANGUAGES:
        analyzer = analyzer_for(lang)
        fields[text_field("title", lang)] = TEXT(analyzer=analyzer)
        fields[text_field("headings", lang)] = TEXT(analyzer=analyzer)
        # spelling=True keeps the unstemmed words too, for "did you mean".
        fields[text_field("body", lang)] = TEXT(analyzer=analyzer, spelling=True)
    return Schema(**fields)


def page_docs(
    *,
    lang: str,
    src_uri: str,
    title: str,
    kind: str,
    tags: Sequence[str],
    body: str,
    extensions: Sequence[Any] = DEFAULT_EXTENSIONS,
    configs: Mapping[str, Mapping[str, Any]] = DEFAULT_CONFIGS,
) -> list[IndexDoc]:
    """One document per section of a curated page."""
    url = page_url(src_uri)
    page = page_key(lang, src_uri)
    return [
        IndexDoc(
            id=f"{page}#{section.anchor}",
            page=page,
            kind=kind,
            lang=lang,
            url=f"{url}#{section.anchor}" if section.anchor else url,
            title=title,
            section=section.heading,
            headings=(section.heading, *section.subheadings) if section.heading else (),
            text=section.text,
            tags=tuple(tags),
            rank=rank_factor(kind),
        )
        for section in split_sections(body, extensions, configs)
    ]


def page_key(lang: str, src_uri: str) -> str:
    """What a curated page's documents share: "en/faq/repair-time.md"."""
    return f"{lang}/{src_uri}"


def community_doc(doc: CommunityDoc) -> IndexDoc:
    """A community question (with its answers) as one document."""
    return IndexDoc(
        id=doc.id,
        page=doc.id,
        kind=doc.kind,
        lang=doc.lang,
        url=doc.url,
        title=doc.title,
        section="",
        headings=(),
        text=plain_text(doc.body),
        tags=tuple(doc.tags),
        status=doc.status,
        score=doc.score,
        rank=rank_factor(doc.kind, doc.status, doc.score),
    )


def fields_of(doc: IndexDoc) -> dict[str, Any]:
    """The Whoosh fields of a document."""
    if doc.lang not in LANGUAGES:
        raise ValueError(f"{doc.id}: language {doc.lang!r} is not one of {', '.join(LANGUAGES)}.")
    return {
        "id": doc.id,
        "page": doc.page,
        "kind": doc.kind,
        "lang": doc.lang,
        "status": doc.status,
        "tags": ",".join(doc.tags),
        "rank": doc.rank,
        "url": doc.url,
        "title": doc.title,
        "section": doc.section,
        "text": doc.text,
        "score": doc.score,
        text_field("title", doc.lang): doc.title,
        text_field("headings", doc.lang): " \n ".join(doc.headings),
        text_field("body", doc.lang): doc.text,
    }


def create(
    folder: Path,
    docs: Sequence[IndexDoc],
    cursor: Any = None,
    also: Callable[[IndexWriter], None] | None = None,
) -> int:
    """Write a new index into the empty ``folder``; return how many documents it holds.
    ``also`` writes more in the same commit (the build's manifest).

    Each writer process sorts its postings in memory up to ``limitmb`` before it spills a
    run to disk and merges runs at the end, so it gets what a build machine can spare. A
    large index is written by one process per core (up to four), each analysing its share
    of the documents into a segment of its own; the segments are kept as they are rather
    than merged into one, which would cost as much again and gain a search little.
    """
    ix = whoosh_index.create_in(str(folder), build_schema())
    procs = min(MAX_WRITERS, os.cpu_count() or 1) if len(docs) >= BULK_DOCS else 1
    options = {"procs": procs, "multisegment": True, "batchsize": 200} if procs > 1 else {}
    # Files of their own, not one compound file: Whoosh copies a compound file into memory
    # each time a reader opens it, and a reader opens after every live commit.
    writer = open_writer(ix, limitmb=256, compound=False, **options)
    count = 0
    try:
        for doc in docs:
            writer.add_document(**fields_of(doc))
            count += 1
        write_cursor(writer, cursor)
        if also is not None:
            also(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count


def open_index(folder: Path) -> Index:
    return whoosh_index.open_dir(str(folder))


def open_writer(ix: Index, **options: Any) -> IndexWriter:
    """A writer for ``ix`` that writes its postings with :class:`PortalCodec`."""
    return ix.writer(codec=PortalCodec(), **options)


def write_cursor(writer: IndexWriter, cursor: Any) -> None:
    writer.update_document(id=STATE_ID, page=STATE_ID, state=json.dumps(cursor))


def read_cursor(ix: Index) -> Any:
    with ix.searcher() as searcher:
        stored = searcher.document(id=STATE_ID)
    return json.loads(stored["state"]) if stored else None


def apply(writer: IndexWriter, change: CommunityDoc | Any) -> None:
    """Apply one change: add or replace a visible post, remove a hidden or deleted one."""
    if isinstance(change, CommunityDoc) and not change.hidden:
        writer.update_document(**fields_of(community_doc(change)))
    else:
        writer.delete_by_term("id", change.id)
