"""A build brings the published index up to date, and indexes afresh only when it must."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import pytest
from conftest import question
from whoosh.query import Term

from core import publish
from search_index.documents import Change, Deleted
from search_index.index import create, fields_of, open_index, page_docs, page_key
from search_index.query import IndexMissing, SearchIndex
from search_index.updates import (
    Community,
    PageSource,
    copy_index,
    read_manifest,
    write_full,
    write_update,
)

FORMAT = "format-1"


def page(src_uri: str, title: str, body: str) -> PageSource:
    return PageSource(
        page=page_key("en", src_uri),
        source=f"{title}\0{body}",
        docs=partial(
            page_docs, lang="en", src_uri=src_uri, title=title, kind="faq", tags=(), body=body
        ),
    )


PAGES = [
    page("faq/repair.md", "Repair times", "Most repairs take one day.\n\n## Mail-in\n\nA week."),
    page("faq/refunds.md", "Refunds", "Refunds reach your card in five days."),
]


class Log:
    """A store's event log as a build reads it: changes after a cursor (a position)."""

    def __init__(self, origin: str = "store-1") -> None:
        self.origin = origin
        self.changes: list[Change] = [question(1, title="Swollen battery under warranty")]

    def community(self) -> Community:
        return Community(
            origin=self.origin,
            snapshot=lambda: ([c for c in self.changes if not isinstance(c, Deleted)], 1),
            changes=self.after,
        )

    def after(self, cursor: int | None) -> tuple[list[Change], int]:
        start = cursor or 0
        return self.changes[start : start + 2], min(len(self.changes), start + 2)  # two a batch


def publish_index(index_dir: Path, build) -> object:
    current = publish.current(index_dir)
    with publish.staged(index_dir) as out:
        return build(current, out)


def full(index_dir: Path, pages, log: Log):
    def run(_current, out):
        return write_full(out, pages, log.community(), FORMAT)

    return publish_index(index_dir, run)


def update(index_dir: Path, pages, log: Log, format_: str = FORMAT):
    def run(current, out):
        return write_update(current, out, pages, log.community(), format_) or write_full(
            out, pages, log.community(), format_
        )

    return publish_index(index_dir, run)


def urls(index_dir: Path, query: str) -> list[str]:
    return [hit.url for hit in SearchIndex(index_dir).search(query, lang="en").items]


@pytest.fixture
def index_dir(tmp_path) -> Path:
    return tmp_path / "index"


def test_only_the_changed_page_is_indexed_again(index_dir):
    log = Log()
    first = full(index_dir, PAGES, log)
    assert first.full and first.pages == 2
    changed = [page("faq/repair.md", "Repair times", "Screen repairs take two hours."), PAGES[1]]
    second = update(index_dir, changed, log)
    assert not second.full
    assert (second.pages, second.documents, second.changes) == (1, 1, 0)
    assert urls(index_dir, "hours") == ["en/faq/repair/"]
    assert urls(index_dir, "mail week") == []  # the old sections are gone
    assert urls(index_dir, "refunds card") == ["en/faq/refunds/"]  # untouched, still there
    assert urls(index_dir, "swollen battery") == ["en/community/question/?id=1"]


def test_removed_and_added_pages(index_dir):
    log = Log()
    full(index_dir, PAGES, log)
    added = page("faq/shipping.md", "Shipping", "Labels are free.")
    result = update(index_dir, [PAGES[0], added], log)
    assert (result.full, result.pages) == (False, 1)
    assert urls(index_dir, "refunds card") == []
    assert urls(index_dir, "labels free") == ["en/faq/shipping/"]
    manifest = read_manifest(open_index(publish.current(index_dir)))
    assert sorted(manifest.pages) == ["en/faq/repair.md", "en/faq/shipping.md"]


def test_community_changes_since_the_index_cursor_are_applied(index_dir):
    log = Log()
    full(index_dir, PAGES, log)  # the snapshot reflects the log up to cursor 1
    log.changes += [
        question(2, title="Cracked screen glass"),
        question(3, title="Charger cable frayed"),
        Deleted("question:1"),
        question(2, title="Cracked screen glass, fixed"),
    ]
    result = update(index_dir, PAGES, log)
    assert (result.full, result.pages, result.changes) == (False, 0, 4)
    assert urls(index_dir, "swollen battery") == []
    assert urls(index_dir, "cracked fixed") == ["en/community/question/?id=2"]
    assert urls(index_dir, "charger frayed") == ["en/community/question/?id=3"]
    assert SearchIndex(index_dir).search("glass", lang="en").total == 1  # replaced, not added


@pytest.mark.parametrize(
    ("why", "format_", "origin"),
    [("the indexing code changed", "format-2", "store-1"), ("another store", FORMAT, "store-2")],
)
def test_everything_is_indexed_afresh_when_old_documents_cannot_be_trusted(
    index_dir, tmp_path, why, format_, origin
):
    full(index_dir, PAGES, Log())
    out = tmp_path / "out"
    out.mkdir()
    current = publish.current(index_dir)
    assert write_update(current, out, PAGES, Log(origin).community(), format_) is None, why
    assert list(out.iterdir()) == []  # nothing copied


def test_an_index_without_a_manifest_is_indexed_afresh(index_dir, tmp_path):
    with publish.staged(index_dir) as out:
        create(out, PAGES[0].docs(), cursor=None)  # as an older release wrote it
    out = tmp_path / "out"
    out.mkdir()
    assert write_update(publish.current(index_dir), out, PAGES, Log().community(), FORMAT) is None


def test_a_failed_update_leaves_the_published_index(index_dir):
    log = Log()
    full(index_dir, PAGES, log)
    before = publish.current(index_dir)
    log.changes.append(question(2, title="Cracked screen glass"))

    def broken(cursor):
        raise ConnectionError("the store went away")

    community = Community(origin="store-1", snapshot=log.community().snapshot, changes=broken)
    changed = [page("faq/repair.md", "Repair times", "Screen repairs take two hours."), PAGES[1]]
    with pytest.raises(ConnectionError), publish.staged(index_dir) as out:
        write_update(before, out, changed, community, FORMAT)
    assert publish.current(index_dir) == before
    assert urls(index_dir, "mail week") == ["en/faq/repair/#mail-in"]
    assert urls(index_dir, "hours") == []


def test_the_copy_waits_for_a_commit_under_way(index_dir, tmp_path):
    full(index_dir, PAGES, Log())
    current = publish.current(index_dir)
    lock = open_index(current).lock("WRITELOCK")  # as the live writer holds it to commit
    assert lock.acquire()
    out = tmp_path / "copy"
    out.mkdir()
    copying = threading.Thread(target=copy_index, args=(current, out))
    copying.start()
    copying.join(timeout=0.5)
    assert copying.is_alive() and list(out.iterdir()) == []
    lock.release()
    copying.join(timeout=10)
    assert not copying.is_alive()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in current.iterdir() if not p.name.endswith("_WRITELOCK")
    )
    assert urls(out, "refunds card") == ["en/faq/refunds/"]


def test_a_page_the_publisher_indexed_already_is_not_indexed_twice(index_dir):
    log = Log()
    full(index_dir, PAGES, log)
    promoted = page("community/answer-7.md", "Swollen battery", "Stop charging it at once.")
    ix = open_index(publish.current(index_dir))
    writer = ix.writer()
    for doc in promoted.docs():  # as the publisher does when an answer is promoted
        writer.add_document(**fields_of(doc))
    writer.commit()
    result = update(index_dir, [*PAGES, promoted], log)
    assert (result.full, result.pages) == (False, 1)
    with open_index(publish.current(index_dir)).searcher() as searcher:
        assert len(list(searcher.docs_for_query(Term("page", promoted.page)))) == 1


def test_a_question_changed_in_several_batches_is_indexed_once_as_it_stands_last(index_dir):
    log = Log()
    full(index_dir, PAGES, log)
    log.changes += [
        question(2, title="Cracked screen glass"),
        question(5, title="Dead pixels in a row"),
        question(2, title="Cracked screen glass, replaced"),  # a later batch (two a batch)
        Deleted("question:5"),
    ]
    update(index_dir, PAGES, log)
    with open_index(publish.current(index_dir)).searcher() as searcher:
        stored = [searcher.stored_fields(doc) for doc in searcher.document_numbers()]
    titles = sorted(fields["title"] for fields in stored if fields.get("kind") == "question")
    assert titles == ["Cracked screen glass, replaced", "Swollen battery under warranty"]


def test_without_a_store_an_update_indexes_afresh_as_a_full_build_would(index_dir, tmp_path):
    full(index_dir, PAGES, Log())
    out = tmp_path / "out"
    out.mkdir()
    assert write_update(publish.current(index_dir), out, PAGES, None, FORMAT) is None


def test_postings_in_another_layout_are_refused_not_misread(tmp_path, monkeypatch):
    from search_index.codec import PortalCodec

    monkeypatch.setattr(PortalCodec, "LAYOUT", PortalCodec.LAYOUT - 1)  # an older release
    folder = tmp_path / "older"
    folder.mkdir()
    create(folder, PAGES[1].docs())
    monkeypatch.undo()
    with pytest.raises(IndexMissing, match="run `portal build --full`"):
        SearchIndex(folder).search("refunds card", lang="en")
