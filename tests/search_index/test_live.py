"""The live writer against a real on-disk index, fed by a real in-process change source."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from conftest import question

from core import publish
from search_index.documents import Deleted
from search_index.index import community_doc, create, open_index, read_cursor
from search_index.live import LiveIndexer, lock_path
from search_index.query import SearchIndex


class Outbox:
    """What the community store's outbox will be: changes with increasing ids."""

    def __init__(self) -> None:
        self.events: list[tuple[int, object]] = []

    def post(self, change: object) -> int:
        self.events.append((len(self.events) + 1, change))
        return len(self.events)

    def fetch(self, after):
        batch = [(number, change) for number, change in self.events if number > (after or 0)]
        return [change for _, change in batch], (batch[-1][0] if batch else after)


def urls(index_dir, text, **filters):
    return [hit.url for hit in SearchIndex(index_dir).search(text, **filters).items]


@pytest.fixture
def published(tmp_path, make_index):
    """An index published the way `portal build` publishes it, and its outbox."""
    target = tmp_path / "var" / "index"
    with publish.staged(target) as out:
        make_index(folder=out, cursor=None)
    return target


def writer(index_dir, outbox):
    live = LiveIndexer(index_dir, outbox.fetch)
    assert live.acquire()
    return live


def test_posted_edited_hidden_and_deleted_questions(published):
    outbox = Outbox()
    live = writer(published, outbox)
    reader = SearchIndex(published)  # one reader throughout: it must notice every commit
    post = question(42, title="Earbuds will not pair with my laptop")

    outbox.post(post)
    assert live.run_once() == 1
    assert [h.url for h in reader.search("earbuds").items] == ["en/community/question/?id=42"]

    outbox.post(replace(post, title="Earbuds pair but sound crackles", status="accepted"))
    live.run_once()
    found = reader.search("crackles").items
    assert [(h.url, h.status) for h in found] == [("en/community/question/?id=42", "accepted")]
    assert reader.search("laptop").items == []  # the old title is gone

    outbox.post(replace(post, hidden=True))
    live.run_once()
    assert reader.search("crackles").items == []

    outbox.post(replace(post, hidden=False))
    outbox.post(Deleted(post.id))
    live.run_once()
    assert reader.search("crackles").items == []
    assert read_cursor(open_index(published.resolve())) == 5
    live.release()


def test_nothing_new_means_no_commit(published):
    outbox = Outbox()
    live = writer(published, outbox)
    generation = open_index(published.resolve()).latest_generation()

    assert live.run_once() == 0
    assert open_index(published.resolve()).latest_generation() == generation
    live.release()


def test_a_rebuilt_index_resumes_from_its_snapshot_cursor(published, make_index):
    outbox = Outbox()
    live = writer(published, outbox)
    first, second = question(1, title="Wifi drops"), question(2, title="Wifi slow at night")
    outbox.post(first)
    outbox.post(second)
    live.run_once()

    # `portal build` swaps in a new index from a snapshot taken after event 1 only.
    with publish.staged(published) as out:
        make_index(first, folder=out, cursor=1)
    assert urls(published, "wifi") == ["en/" + first.url]

    outbox.post(replace(first, hidden=True))
    live.run_once()  # notices the new build, resumes after event 1: applies 2 and 3
    assert urls(published, "wifi") == ["en/" + second.url]
    assert read_cursor(open_index(published.resolve())) == 3
    live.release()


def test_only_one_writer_per_index(published):
    outbox = Outbox()
    first, second = LiveIndexer(published, outbox.fetch), LiveIndexer(published, outbox.fetch)

    assert first.acquire()
    assert not second.acquire()
    with pytest.raises(RuntimeError, match="writer lock"):
        second.run_once()

    first.release()
    assert second.acquire()
    second.release()


def test_another_process_holding_the_lock_keeps_this_one_out(published):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX);"
            " print('locked', flush=True); sys.stdin.read()",
            str(lock_path(published)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert not LiveIndexer(published, Outbox().fetch).acquire()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    live = LiveIndexer(published, Outbox().fetch)
    assert live.acquire()  # the holder has gone: the next worker takes over
    live.release()


def test_each_pass_applies_what_came_since_the_last(published):
    outbox = Outbox()
    post = question(9, title="Cracked camera lens")
    outbox.post(post)
    live = writer(published, outbox)
    assert live.run_once() == 1
    assert urls(published, "camera lens") == ["en/" + post.url]
    assert live.run_once() == 0  # nothing new: no commit
    outbox.post(replace(post, hidden=True))
    assert live.run_once() == 1
    assert urls(published, "camera lens") == []
    live.release()


def test_the_writer_waits_for_a_first_build(tmp_path):
    outbox = Outbox()
    outbox.post(question(1))
    live = writer(tmp_path / "var" / "index", outbox)

    assert live.run_once() == 0  # nothing published yet; the events wait for the build
    live.release()


def test_build_snapshot_leaves_hidden_posts_out(tmp_path):
    folder = tmp_path / "ix"
    folder.mkdir()
    visible, hidden = question(1, title="Visible post"), question(2, title="Hidden post")
    create(folder, [community_doc(visible)], cursor=7)

    assert urls(folder, "post") == ["en/" + visible.url]
    assert hidden.hidden is False  # hidden ones are filtered by the build: see test_build_index
