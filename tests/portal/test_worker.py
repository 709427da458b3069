"""`portal work` and the consumers it runs: each from its own cursor, idempotent on replay,
resuming after a crash without losing or doubling a notification, and ending with the
server that started it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from portal_testing import PortalPaths, run_portal, serving, wait_for

from functions import accounts, community, notify
from functions.consumers import Consumer, catch_up, consumers, run_batch
from functions.store import open_store

NOW = "2026-11-23T09:30:00Z"


@pytest.fixture
def paths(tmp_path) -> PortalPaths:
    return PortalPaths.under(tmp_path)


@pytest.fixture
def store(paths):
    opened = open_store(paths.store_url)
    yield opened
    opened.close()


def busy_question(store, followers: int = 7):
    """A question with ``followers`` followers besides its asker, and an answer to it."""
    asker = accounts.create_user(store, "asker", "asker@example.com", "x" * 10, now=NOW)
    helper = store.create_user("helper", "helper@example.com", asker.password_hash, "member", NOW)
    question_id = community.ask(
        store, asker, "Phone stopped charging overnight", "It was fine yesterday.", [], "en", NOW
    )
    fans = [
        store.create_user(f"fan{n}", f"fan{n}@example.com", asker.password_hash, "member", NOW)
        for n in range(followers)
    ]
    for fan in fans:
        store.set_following(fan.id, question_id, True, NOW)
    question = store.question(question_id)
    community.answer(store, helper, question, "Try another cable and socket first.", NOW)
    return asker, fans, question_id


def unread(store, users) -> list[int]:
    return [store.unread_count(user.id) for user in users]


def test_work_once_runs_every_consumer_until_it_has_caught_up(paths, store):
    asker, fans, _ = busy_question(store)
    assert unread(store, [asker, *fans]) == [0] * 8
    done = run_portal("work", "--once", env=paths.environ())
    assert done.returncode == 0, done.stderr
    # The asker hears of the answer, and of her badge for a first question.
    assert unread(store, [asker, *fans]) == [2] + [1] * 7
    for consumer in ("awards", "notifications", "metrics"):
        assert store.consumer_cursor(consumer) == store.latest_cursor()


def test_nobody_hears_of_a_post_deleted_before_its_event_was_handled(paths, store):
    asker, fans, question_id = busy_question(store)
    (answer,) = store.answers_of(question_id)
    store.delete_post("answer", answer.id, NOW)
    notifications = the_consumer(paths, "notifications")
    catch_up(store, notifications)
    assert unread(store, [asker, *fans]) == [0] * 8


def test_a_replay_from_the_start_changes_nothing(paths, store):
    asker, fans, _ = busy_question(store)
    notifications = the_consumer(paths, "notifications")
    assert catch_up(store, notifications) > 0
    before = [store.notifications(user.id).items for user in [asker, *fans]]
    store.save_consumer_cursor("notifications", None)  # as if the cursor were lost
    assert catch_up(store, notifications) > 0  # every event handled again...
    after = [store.notifications(user.id).items for user in [asker, *fans]]
    assert after == before and unread(store, [asker, *fans]) == [1] * 8  # ...to no effect


def the_consumer(paths, name: str) -> Consumer:
    (consumer,) = [each for each in consumers(paths.settings()) if each.name == name]
    return consumer


class Crash(Exception):
    pass


class CrashingStore:
    """The real store, but the process "dies" at the ``after``-th batch of notifications."""

    def __init__(self, store, after: int) -> None:
        self.store, self.left = store, after

    def __getattr__(self, name):
        return getattr(self.store, name)

    def add_notifications(self, *args, **kwargs):
        if self.left == 0:
            raise Crash
        self.left -= 1
        return self.store.add_notifications(*args, **kwargs)


def test_a_consumer_that_dies_midway_through_a_fan_out_resumes_without_loss(
    paths, store, monkeypatch
):
    monkeypatch.setattr(notify, "FANOUT_BATCH", 3)  # 9 followers (the answerer too): 3 pages
    monkeypatch.setattr(notify, "WRITE_BATCH", 3)  # ... written as they come
    asker, fans, _ = busy_question(store)
    consumer = Consumer("notifications", lambda store, page: notify.handle(store, page.events))
    with pytest.raises(Crash):
        run_batch(CrashingStore(store, after=1), consumer)  # dies after the first write
    assert 0 < sum(unread(store, [asker, *fans])) < 8  # one page of followers heard of it
    assert store.consumer_cursor("notifications") is None  # the batch was not finished

    assert catch_up(store, consumer) > 0  # a new process starts from the saved cursor
    assert unread(store, [asker, *fans]) == [1] * 8  # everyone, once


def test_serve_keeps_one_worker_running_and_it_ends_with_serve(paths):
    paths.site.mkdir(parents=True)
    with serving(paths.environ()):
        assert wait_for(lambda: len(workers_started_by_serve(paths)) == 1)
        (first,) = workers_started_by_serve(paths)
        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: workers_started_by_serve(paths) not in ([], [first])), (
            "serve did not start its worker again"
        )
        (second,) = workers_started_by_serve(paths)
    assert wait_for(lambda: not Path(f"/proc/{second}").exists()), "portal work outlived serve"


def workers_started_by_serve(paths: PortalPaths) -> list[int]:
    """The `portal work --parent PID` processes running on this test's store."""
    store = f"PORTAL_STORE={paths.store_url}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"work" in command and b"--parent" in command and store in environment:
            found.append(int(entry.name))
    return found
