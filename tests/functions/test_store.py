"""The SQLite backend itself: created when missing, migrated (existing data included), WAL,
foreign keys, and ids that draw again when they meet. The contract is tested for every
backend in test_store_contract.py."""

from __future__ import annotations

import sqlite3

import pytest

from functions.store import NewNotifications, ids, open_store
from functions.store import sqlite as sqlite_backend
from functions.store.migrations import MIGRATIONS

NOW = "2026-11-23T09:30:00Z"


def notify(db, event_id, kind, question_id, actor_id, user_ids, at=NOW) -> int:
    """Notifications of one event, as the notifications consumer writes them."""
    return db.add_notifications(
        [NewNotifications(event_id, kind, question_id, actor_id, tuple(user_ids), at)]
    )


@pytest.fixture
def db(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/deep/er/portal.db")
    yield store
    store.close()


def test_created_with_its_folders_and_migrated(tmp_path, db):
    path = tmp_path / "deep" / "er" / "portal.db"
    assert path.is_file()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = open_store(f"sqlite:///{path}")  # opening twice applies nothing twice
    assert again.user_by_id(1) is None
    again.close()


def test_other_stores_are_refused_with_a_clear_error():
    with pytest.raises(ValueError, match=r"sqlite:///path/to/portal\.db or dynamodb://TABLE"):
        open_store("postgres://nope")
    with pytest.raises(ValueError, match="a DynamoDB table's name is 3 to 255"):
        open_store("dynamodb://no")


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.create_question(
            404, "Title of a question", "Body text", "<p>Body</p>", "", [], "en", NOW
        )


def test_a_new_row_draws_another_id_when_its_id_is_taken(db, monkeypatch):
    asha = db.create_user("asha", "a@example.com", "hash", "member", NOW)
    draws = [asha.id, asha.id]  # the first two draws meet asha's id
    monkeypatch.setattr(sqlite_backend, "new_id", lambda: draws.pop() if draws else ids.new_id())
    ravi = db.create_user("ravi", "r@example.com", "hash", "member", NOW)
    assert ravi.id > asha.id and not draws and db.user_by_id(asha.id).username == "asha"
    monkeypatch.setattr(sqlite_backend, "new_id", lambda: asha.id)
    with pytest.raises(RuntimeError, match="no free id"):
        db.create_user("olga", "o@example.com", "hash", "member", NOW)


def test_a_database_of_the_previous_release_is_carried_over(tmp_path):
    """Counters are counted once, old events join the log, the notifications consumer starts
    after them (they were delivered when they happened), and old ids keep working."""
    path = tmp_path / "portal.db"
    with sqlite3.connect(path) as old:
        for script in MIGRATIONS[:2]:
            old.executescript(script)
        old.execute("PRAGMA user_version = 2")
        old.executescript(
            """
            INSERT INTO users VALUES (1, 'asha', 'asha', 'a@x.org', 'a@x.org', 'member', 'h',
                                      '2026-11-01T00:00:00Z');
            INSERT INTO users VALUES (2, 'ravi', 'ravi', 'r@x.org', 'r@x.org', 'member', 'h',
                                      '2026-11-01T00:00:00Z');
            INSERT INTO questions (id, author_id, title, body, body_html, excerpt, tags, lang,
                                   answer_count, accepted_answer_id, created_at, updated_at,
                                   last_activity_at)
                VALUES (42, 1, 'Old question', 'B', '<p>B</p>', 'B', '["x"]', 'en', 2, 8,
                        '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z');
            INSERT INTO answers (id, question_id, author_id, body, body_html, created_at,
                                 updated_at, hidden)
                VALUES (7, 42, 2, 'A', '<p>A</p>', '2026-11-02T01:00:00Z',
                        '2026-11-02T01:00:00Z', 0),
                       (8, 42, 2, 'H', '<p>H</p>', '2026-11-02T02:00:00Z',
                        '2026-11-02T02:00:00Z', 1);
            INSERT INTO notifications (id, user_id, kind, question_id, actor_id, created_at)
                VALUES (1, 1, 'answer', 42, 2, '2026-11-02T01:00:00Z');
            INSERT INTO events (id, kind, entity, entity_id, question_id, at) VALUES
                (1, 'created', 'question', 42, 42, '2026-11-02T00:00:00Z'),
                (2, 'created', 'answer', 7, 42, '2026-11-02T01:00:00Z'),
                (3, 'answered', 'question', 42, 42, '2026-11-02T01:00:00Z');
            INSERT INTO attempts (scope, key, at)
                VALUES ('sign-in:username', 'asha', '2026-11-23T09:30:00Z');
            """
        )
    store = open_store(f"sqlite:///{path}")
    try:
        question = store.question(42)
        assert question.answer_count == 1  # the hidden answer no longer counts
        assert question.accepted_answer_id is None  # it was the hidden one
        assert (store.user_by_id(1).question_count, store.user_by_id(2).answer_count) == (1, 1)
        assert store.unread_count(1) == 1
        logged = store.events_after(None).events
        assert [(e.kind, e.entity, e.entity_id) for e in logged] == [
            ("asked", "question", 42),
            ("answered", "answer", 7),
        ]
        assert store.events_after(store.consumer_cursor("notifications")).events == []
        assert store.events_after(1).events == logged[1:]  # an index's old integer cursor
        assert store.attempts("sign-in:username", "asha", NOW).count == 1
        assert store.forget_expired("2026-11-23T10:31:00Z") == 1  # it expired after an hour
        answer = store.create_answer(42, 1, "New", "<p>New</p>", NOW)
        assert answer > 8 and store.question(42).answer_count == 2
    finally:
        store.close()


def test_notifications_draw_other_ids_when_theirs_are_taken(db, monkeypatch):
    asha, ravi = (
        db.create_user(name, f"{name}@example.com", "hash", "member", NOW) for name in "ab"
    )
    question = db.create_question(asha.id, "A title here", "B", "<p>B</p>", "B", [], "en", NOW)
    assert notify(db, 1, "answer", question, ravi.id, [asha.id], NOW) == 1
    (taken,) = db.notifications(asha.id).items
    draws = [taken.id]  # the next batch's first draw meets that notification's id
    monkeypatch.setattr(sqlite_backend, "new_id", lambda: draws.pop() if draws else ids.new_id())
    assert notify(db, 2, "comment", question, ravi.id, [asha.id], NOW) == 1
    assert not draws and db.unread_count(asha.id) == 2


def test_a_notification_made_below_the_watermark_is_read_already(db, monkeypatch):
    """Another process may draw an id in the same millisecond as a "mark all read"."""
    asha, ravi = (
        db.create_user(name, f"{name}@example.com", "hash", "member", NOW) for name in "ab"
    )
    question = db.create_question(asha.id, "A title here", "B", "<p>B</p>", "B", [], "en", NOW)
    notify(db, 1, "answer", question, ravi.id, [asha.id], NOW)
    (newest,) = db.notifications(asha.id).items
    db.mark_read(asha.id, None)
    draws = [newest.id - 1]  # below the watermark
    monkeypatch.setattr(sqlite_backend, "new_id", lambda: draws.pop() if draws else ids.new_id())
    assert notify(db, 2, "comment", question, ravi.id, [asha.id], NOW) == 1
    assert db.unread_count(asha.id) == 0
    assert all(n.read for n in db.notifications(asha.id).items)
