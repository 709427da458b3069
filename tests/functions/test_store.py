"""The SQLite store: created when missing, migrated, WAL, and the outbox of changes."""

from __future__ import annotations

import sqlite3

import pytest

from functions.store import BadCursor, Conflict, open_store
from functions.store.migrations import MIGRATIONS

NOW = "2026-11-23T09:30:00Z"


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
    with pytest.raises(ValueError, match="sqlite"):
        open_store("postgres://nope")


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.create_question(
            404, "Title of a question", "Body text", "<p>Body</p>", "", [], "en", NOW
        )


def test_unique_names_and_emails(db):
    db.create_user("Asha", "asha@example.com", "hash", "member", NOW)
    with pytest.raises(Conflict) as caught:
        db.create_user("ASHA", "other@example.com", "hash", "member", NOW)
    assert caught.value.field == "username"
    with pytest.raises(Conflict):
        db.create_user("other", "Asha@Example.com", "hash", "member", NOW)
    assert db.user_by_username("asha").username == "Asha"


def test_outbox_records_every_change_in_order(db):
    asha = db.create_user("asha", "a@example.com", "hash", "member", NOW)
    ravi = db.create_user("ravi", "r@example.com", "hash", "member", NOW)
    question = db.create_question(
        asha.id, "A title here", "Body", "<p>Body</p>", "Body", ["x"], "en", NOW
    )
    answer, notified = db.create_answer(question, ravi.id, "Answer", "<p>Answer</p>", NOW)
    assert [n.user_id for n in db.notifications_by_id(notified)] == [asha.id]
    db.set_vote(asha.id, "answer", answer, 1, NOW)
    db.set_vote(asha.id, "answer", answer, 1, NOW)  # no change in score: no event
    db.accept_answer(question, answer, NOW)
    db.edit_question(question, asha.id, "A new title", "Body", "<p>Body</p>", "Body", [], NOW)
    db.set_hidden("answer", answer, True, NOW)
    db.delete_post("question", question, NOW)
    events = db.changes_since(0)
    assert [(e.kind, e.entity) for e in events] == [
        ("created", "question"),
        ("created", "answer"),
        ("answered", "question"),
        ("voted", "answer"),
        ("accepted", "question"),
        ("accepted", "answer"),
        ("edited", "question"),
        ("hidden", "answer"),
        ("deleted", "answer"),
        ("deleted", "question"),
    ]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(e.question_id == question for e in events)
    assert db.changes_since(events[3].id, limit=2) == events[4:6]
    assert db.question(question) is None and db.answer(answer) is None


def test_revisions_and_vote_counts(db):
    asha = db.create_user("asha", "a@example.com", "hash", "member", NOW)
    question = db.create_question(
        asha.id, "A title here", "One", "<p>One</p>", "One", [], "en", NOW
    )
    db.edit_question(question, asha.id, "A title here", "Two", "<p>Two</p>", "Two", ["t"], NOW)
    assert [r.body for r in db.revisions("question", question)] == ["Two", "One"]
    assert db.post_counts(asha.id) == (1, 0)


def test_bad_cursors(db):
    for cursor in ("nonsense", "WyJ4IiwxXQ", "WzEsLTFd", "e30", "!!"):
        with pytest.raises(BadCursor):
            db.list_questions("votes", cursor=cursor)
