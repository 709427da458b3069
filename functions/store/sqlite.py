"""The SQLite backend of the community store (one machine: ``portal serve``).

WAL lets readers run while one writer commits; every write transaction starts with
``BEGIN IMMEDIATE`` so concurrent writers queue on the busy timeout instead of failing
when a read lock cannot be upgraded. Each thread keeps its own connection (reused across
requests), and a forked worker opens fresh ones.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from functions.store import (
    Answer,
    Attempts,
    BadCursor,
    Comment,
    Conflict,
    Event,
    Notification,
    NotificationKind,
    Page,
    PostKind,
    Question,
    Revision,
    Role,
    Sort,
    User,
)
from functions.store.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000
_TABLE = {"question": "questions", "answer": "answers"}
_SORT_COLUMN = {
    "newest": "q.created_at",
    "active": "q.last_activity_at",
    "votes": "q.score",
    "unanswered": "q.created_at",
}
_QUESTION_COLUMNS = (
    "q.id, q.author_id, u.username, q.title, q.body, q.body_html, q.excerpt, q.tags, q.lang,"
    " q.score, q.answer_count, q.accepted_answer_id, q.view_count, q.created_at,"
    " q.updated_at, q.last_activity_at, q.hidden"
)
_ANSWER_COLUMNS = (
    "a.id, a.question_id, a.author_id, u.username, a.body, a.body_html, a.score,"
    " a.created_at, a.updated_at, a.hidden"
)


class SQLiteStore:
    """The :class:`functions.store.Store` contract on one SQLite file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = _WriterTurn(self.path.with_name(self.path.name + ".write-lock"))
        self._migrate()

    # Connections and transactions

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        # WAL with synchronous=NORMAL stays consistent after a crash; it may lose the last
        # commits on power loss, not corrupt.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    @property
    def _db(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self._connect()
            local.pid = os.getpid()
        return local.connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _write_one(self, statement: str, parameters: tuple) -> tuple | None:
        """One statement, its own transaction (no BEGIN/COMMIT round trips)."""
        with self._write_lock:
            # fetchall: a RETURNING statement ends (and commits) only when stepped to the end
            rows = self._db.execute(statement, parameters).fetchall()
        return rows[0] if rows else None

    def _migrate(self) -> None:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS, start=1):
                if number > version:
                    for statement in script.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        finally:
            db.close()

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.pid = None
        self._write_lock.close()

    def _event(
        self,
        db: sqlite3.Connection,
        kind: str,
        entity: str,
        entity_id: int,
        question_id: int,
        at: str,
    ) -> None:
        db.execute(
            "INSERT INTO events (kind, entity, entity_id, question_id, at) VALUES (?, ?, ?, ?, ?)",
            (kind, entity, entity_id, question_id, at),
        )

    # Users

    def create_user(
        self, username: str, email: str, password_hash: str, role: Role, now: str
    ) -> User:
        with self._write() as db:
            for field, column, value in (
                ("username", "username_key", username.casefold()),
                ("email", "email_key", email.casefold()),
            ):
                if db.execute(f"SELECT 1 FROM users WHERE {column} = ?", (value,)).fetchone():
                    raise Conflict(field)
            cursor = db.execute(
                "INSERT INTO users (username, username_key, email, email_key, role,"
                " password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, username.casefold(), email, email.casefold(), role, password_hash, now),
            )
        return User(cursor.lastrowid, username, email, role, password_hash, now)

    def user_by_id(self, user_id: int) -> User | None:
        row = self._db.execute(
            "SELECT id, username, email, role, password_hash, created_at FROM users WHERE id = ?",
            (user_id,),
        ).fetchone()
        return User(*row) if row else None

    def user_by_username(self, username: str) -> User | None:
        row = self._db.execute(
            "SELECT id, username, email, role, password_hash, created_at FROM users"
            " WHERE username_key = ?",
            (username.casefold(),),
        ).fetchone()
        return User(*row) if row else None

    def post_counts(self, user_id: int) -> tuple[int, int]:
        row = self._db.execute(
            "SELECT (SELECT count(*) FROM questions WHERE author_id = ?1 AND hidden = 0),"
            " (SELECT count(*) FROM answers WHERE author_id = ?1 AND hidden = 0)",
            (user_id,),
        ).fetchone()
        return row[0], row[1]

    # Questions

    def create_question(
        self,
        author_id: int,
        title: str,
        body: str,
        body_html: str,
        excerpt: str,
        tags: Sequence[str],
        lang: str,
        now: str,
    ) -> int:
        with self._write() as db:
            question_id = db.execute(
                "INSERT INTO questions (author_id, title, body, body_html, excerpt, tags, lang,"
                " created_at, updated_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (author_id, title, body, body_html, excerpt, json.dumps(list(tags)), lang)
                + (now,) * 3,
            ).lastrowid
            db.executemany(
                "INSERT OR IGNORE INTO question_tags (tag, question_id) VALUES (?, ?)",
                [(tag, question_id) for tag in tags],
            )
            self._revision(db, "question", question_id, title, body, tags, author_id, now)
            db.execute(
                "INSERT OR IGNORE INTO follows (question_id, user_id) VALUES (?, ?)",
                (question_id, author_id),
            )
            self._event(db, "created", "question", question_id, question_id, now)
        return question_id

    def _revision(
        self,
        db: sqlite3.Connection,
        kind: PostKind,
        post_id: int,
        title: str | None,
        body: str,
        tags: Sequence[str],
        author_id: int,
        now: str,
    ) -> None:
        db.execute(
            "INSERT INTO revisions (post_kind, post_id, title, body, tags, author_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, post_id, title, body, json.dumps(list(tags)), author_id, now),
        )

    @staticmethod
    def _question(row: tuple) -> Question:
        values = list(row)
        values[7] = tuple(json.loads(values[7]))
        values[16] = bool(values[16])
        return Question(*values)

    def question(self, question_id: int) -> Question | None:
        row = self._db.execute(
            f"SELECT {_QUESTION_COLUMNS} FROM questions q JOIN users u ON u.id = q.author_id"
            " WHERE q.id = ?",
            (question_id,),
        ).fetchone()
        return self._question(row) if row else None

    def list_questions(
        self,
        sort: Sort,
        *,
        tag: str | None = None,
        lang: str | None = None,
        author_id: int | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Question]:
        column = _SORT_COLUMN[sort]
        joins = "JOIN users u ON u.id = q.author_id"
        where, params = ["q.hidden = 0"], []
        if tag is not None:
            joins += " JOIN question_tags t ON t.question_id = q.id AND t.tag = ?"
            params.append(tag)
        if sort == "unanswered":
            where.append("q.answer_count = 0")
        if lang is not None:
            where.append("q.lang = ?")
            params.append(lang)
        if author_id is not None:
            where.append("q.author_id = ?")
            params.append(author_id)
        if cursor is not None:
            where.append(f"({column}, q.id) < (?, ?)")
            params += _decode_cursor(cursor, int if sort == "votes" else str)
        rows = self._db.execute(
            f"SELECT {_QUESTION_COLUMNS} FROM questions q {joins} WHERE {' AND '.join(where)}"
            f" ORDER BY {column} DESC, q.id DESC LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        items = [self._question(row) for row in rows[:limit]]
        after = None
        if len(rows) > limit:
            last = items[-1]
            key = {"votes": last.score, "active": last.last_activity_at}.get(sort, last.created_at)
            after = _encode_cursor(key, last.id)
        return Page(items, after)

    def edit_question(
        self,
        question_id: int,
        editor_id: int,
        title: str,
        body: str,
        body_html: str,
        excerpt: str,
        tags: Sequence[str],
        now: str,
    ) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE questions SET title = ?, body = ?, body_html = ?, excerpt = ?, tags = ?,"
                " updated_at = ?, last_activity_at = ? WHERE id = ?",
                (title, body, body_html, excerpt, json.dumps(list(tags)), now, now, question_id),
            )
            db.execute("DELETE FROM question_tags WHERE question_id = ?", (question_id,))
            db.executemany(
                "INSERT OR IGNORE INTO question_tags (tag, question_id) VALUES (?, ?)",
                [(tag, question_id) for tag in tags],
            )
            self._revision(db, "question", question_id, title, body, tags, editor_id, now)
            self._event(db, "edited", "question", question_id, question_id, now)

    def count_view(self, question_id: int) -> None:
        self._write_one(
            "UPDATE questions SET view_count = view_count + 1 WHERE id = ?", (question_id,)
        )

    # Answers

    def create_answer(
        self, question_id: int, author_id: int, body: str, body_html: str, now: str
    ) -> tuple[int, list[int]]:
        with self._write() as db:
            answer_id = db.execute(
                "INSERT INTO answers (question_id, author_id, body, body_html, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (question_id, author_id, body, body_html, now, now),
            ).lastrowid
            db.execute(
                "UPDATE questions SET answer_count = answer_count + 1, last_activity_at = ?"
                " WHERE id = ?",
                (now, question_id),
            )
            self._revision(db, "answer", answer_id, None, body, (), author_id, now)
            db.execute(
                "INSERT OR IGNORE INTO follows (question_id, user_id) VALUES (?, ?)",
                (question_id, author_id),
            )
            self._event(db, "created", "answer", answer_id, question_id, now)
            self._event(db, "answered", "question", question_id, question_id, now)
            notified = db.execute(
                "INSERT INTO notifications (user_id, kind, question_id, actor_id, created_at)"
                " SELECT user_id, 'answer', question_id, ?, ? FROM follows"
                " WHERE question_id = ? AND user_id != ? RETURNING id",
                (author_id, now, question_id, author_id),
            ).fetchall()
        return answer_id, [row[0] for row in notified]

    @staticmethod
    def _answer(row: tuple) -> Answer:
        return Answer(*row[:9], bool(row[9]))

    def answer(self, answer_id: int) -> Answer | None:
        row = self._db.execute(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author_id"
            " WHERE a.id = ?",
            (answer_id,),
        ).fetchone()
        return self._answer(row) if row else None

    def answers_of(self, question_id: int) -> list[Answer]:
        rows = self._db.execute(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN users u ON u.id = a.author_id"
            " WHERE a.question_id = ? ORDER BY a.id",
            (question_id,),
        ).fetchall()
        return [self._answer(row) for row in rows]

    def edit_answer(
        self, answer_id: int, editor_id: int, body: str, body_html: str, now: str
    ) -> None:
        with self._write() as db:
            ((question_id,),) = db.execute(
                "UPDATE answers SET body = ?, body_html = ?, updated_at = ? WHERE id = ?"
                " RETURNING question_id",
                (body, body_html, now, answer_id),
            ).fetchall()
            db.execute("UPDATE questions SET last_activity_at = ? WHERE id = ?", (now, question_id))
            self._revision(db, "answer", answer_id, None, body, (), editor_id, now)
            self._event(db, "edited", "answer", answer_id, question_id, now)

    def accept_answer(self, question_id: int, answer_id: int | None, now: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE questions SET accepted_answer_id = ?, last_activity_at = ? WHERE id = ?",
                (answer_id, now, question_id),
            )
            self._event(db, "accepted", "question", question_id, question_id, now)
            if answer_id is not None:
                self._event(db, "accepted", "answer", answer_id, question_id, now)

    # Either kind of post

    def revisions(self, kind: PostKind, post_id: int) -> list[Revision]:
        rows = self._db.execute(
            "SELECT r.id, r.title, r.body, r.tags, r.author_id, u.username, r.created_at"
            " FROM revisions r JOIN users u ON u.id = r.author_id"
            " WHERE r.post_kind = ? AND r.post_id = ? ORDER BY r.id DESC",
            (kind, post_id),
        ).fetchall()
        return [
            Revision(row[0], row[1], row[2], tuple(json.loads(row[3])), *row[4:]) for row in rows
        ]

    def add_comment(
        self, kind: PostKind, post_id: int, question_id: int, author_id: int, body: str, now: str
    ) -> Comment:
        with self._write() as db:
            comment_id = db.execute(
                "INSERT INTO comments (post_kind, post_id, question_id, author_id, body,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, post_id, question_id, author_id, body, now),
            ).lastrowid
            (name,) = db.execute("SELECT username FROM users WHERE id = ?", (author_id,)).fetchone()
        return Comment(comment_id, kind, post_id, author_id, name, body, now)

    def comments_of(self, question_id: int) -> list[Comment]:
        rows = self._db.execute(
            "SELECT c.id, c.post_kind, c.post_id, c.author_id, u.username, c.body, c.created_at"
            " FROM comments c JOIN users u ON u.id = c.author_id"
            " WHERE c.question_id = ? ORDER BY c.id",
            (question_id,),
        ).fetchall()
        return [Comment(*row) for row in rows]

    def set_vote(self, user_id: int, kind: PostKind, post_id: int, value: int, now: str) -> int:
        table = _TABLE[kind]
        with self._write() as db:
            question_id = (
                post_id
                if kind == "question"
                else db.execute(
                    "SELECT question_id FROM answers WHERE id = ?", (post_id,)
                ).fetchone()[0]
            )
            row = db.execute(
                "SELECT value FROM votes WHERE user_id = ? AND post_kind = ? AND post_id = ?",
                (user_id, kind, post_id),
            ).fetchone()
            delta = value - (row[0] if row else 0)
            if value == 0:
                db.execute(
                    "DELETE FROM votes WHERE user_id = ? AND post_kind = ? AND post_id = ?",
                    (user_id, kind, post_id),
                )
            else:
                db.execute(
                    "INSERT INTO votes (user_id, post_kind, post_id, question_id, value)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, post_kind, post_id)"
                    " DO UPDATE SET value = excluded.value",
                    (user_id, kind, post_id, question_id, value),
                )
            ((score,),) = db.execute(
                f"UPDATE {table} SET score = score + ? WHERE id = ? RETURNING score",
                (delta, post_id),
            ).fetchall()
            if delta:
                self._event(db, "voted", kind, post_id, question_id, now)
        return score

    def votes_on(self, user_id: int, question_id: int) -> dict[tuple[PostKind, int], int]:
        rows = self._db.execute(
            "SELECT post_kind, post_id, value FROM votes WHERE user_id = ? AND question_id = ?",
            (user_id, question_id),
        ).fetchall()
        return {(kind, post_id): value for kind, post_id, value in rows}

    def set_hidden(self, kind: PostKind, post_id: int, hidden: bool, now: str) -> None:
        with self._write() as db:
            question_id = self._question_of(db, kind, post_id)
            db.execute(f"UPDATE {_TABLE[kind]} SET hidden = ? WHERE id = ?", (int(hidden), post_id))
            self._event(db, "hidden" if hidden else "shown", kind, post_id, question_id, now)

    def delete_post(self, kind: PostKind, post_id: int, now: str) -> None:
        with self._write() as db:
            question_id = self._question_of(db, kind, post_id)
            answer_ids = [post_id]
            if kind == "question":
                answer_ids = [
                    row[0]
                    for row in db.execute(
                        "SELECT id FROM answers WHERE question_id = ?", (post_id,)
                    )
                ]
            else:
                db.execute(
                    "UPDATE questions SET answer_count = answer_count - 1,"
                    " accepted_answer_id = nullif(accepted_answer_id, ?) WHERE id = ?",
                    (post_id, question_id),
                )
            for answer_id in answer_ids:
                self._forget(db, "answer", answer_id)
                self._event(db, "deleted", "answer", answer_id, question_id, now)
            if kind == "question":
                self._forget(db, "question", post_id)
                self._event(db, "deleted", "question", post_id, question_id, now)

    def _question_of(self, db: sqlite3.Connection, kind: PostKind, post_id: int) -> int:
        if kind == "question":
            return post_id
        return db.execute("SELECT question_id FROM answers WHERE id = ?", (post_id,)).fetchone()[0]

    def _forget(self, db: sqlite3.Connection, kind: PostKind, post_id: int) -> None:
        for table in ("votes", "revisions", "comments"):
            db.execute(f"DELETE FROM {table} WHERE post_kind = ? AND post_id = ?", (kind, post_id))
        db.execute(f"DELETE FROM {_TABLE[kind]} WHERE id = ?", (post_id,))

    # Following and notifications

    def set_following(self, user_id: int, question_id: int, following: bool) -> None:
        with self._write() as db:
            if following:
                db.execute(
                    "INSERT OR IGNORE INTO follows (question_id, user_id) VALUES (?, ?)",
                    (question_id, user_id),
                )
            else:
                db.execute(
                    "DELETE FROM follows WHERE question_id = ? AND user_id = ?",
                    (question_id, user_id),
                )

    def is_following(self, user_id: int, question_id: int) -> bool:
        return bool(
            self._db.execute(
                "SELECT 1 FROM follows WHERE question_id = ? AND user_id = ?",
                (question_id, user_id),
            ).fetchone()
        )

    def notify(
        self,
        user_ids: Iterable[int],
        kind: NotificationKind,
        question_id: int,
        actor_id: int,
        now: str,
    ) -> list[int]:
        recipients = json.dumps(list(user_ids))
        if recipients == "[]":
            return []
        # One statement however many followers a question has.
        with self._write() as db:
            rows = db.execute(
                "INSERT INTO notifications (user_id, kind, question_id, actor_id, created_at)"
                " SELECT value, ?, ?, ?, ? FROM json_each(?) RETURNING id",
                (kind, question_id, actor_id, now, recipients),
            ).fetchall()
        return [row[0] for row in rows]

    def notifications_by_id(self, ids: Sequence[int]) -> list[Notification]:
        rows = self._db.execute(
            f"{_NOTIFICATION_SELECT} WHERE n.id IN (SELECT value FROM json_each(?)) ORDER BY n.id",
            (json.dumps(list(ids)),),
        ).fetchall()
        return [_notification(row) for row in rows]

    def notifications(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Notification]:
        after = _decode_cursor(cursor, int)[1] if cursor else 2**63 - 1
        rows = self._db.execute(
            f"{_NOTIFICATION_SELECT} WHERE n.user_id = ? AND n.id < ? ORDER BY n.id DESC LIMIT ?",
            (user_id, after, limit + 1),
        ).fetchall()
        items = [_notification(row) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, _encode_cursor(0, items[-1].id) if more else None)

    def unread_count(self, user_id: int) -> int:
        return self._db.execute(
            "SELECT count(*) FROM notifications WHERE user_id = ? AND read = 0", (user_id,)
        ).fetchone()[0]

    def mark_read(self, user_id: int, ids: Iterable[int] | None) -> None:
        with self._write() as db:
            if ids is None:
                db.execute(
                    "UPDATE notifications SET read = 1 WHERE user_id = ? AND read = 0", (user_id,)
                )
            else:
                db.executemany(
                    "UPDATE notifications SET read = 1 WHERE user_id = ? AND id = ?",
                    [(user_id, notification_id) for notification_id in ids],
                )

    # Limits

    def posts_since(self, user_id: int, kind: PostKind, since: str) -> int:
        return self._db.execute(
            f"SELECT count(*) FROM {_TABLE[kind]} WHERE author_id = ? AND created_at >= ?",
            (user_id, since),
        ).fetchone()[0]

    def count_write(self, user_id: int, window_start: str) -> int:
        (count,) = self._write_one(
            "INSERT INTO write_counts (user_id, window_start, count) VALUES (?, ?, 1)"
            " ON CONFLICT (user_id, window_start) DO UPDATE SET count = count + 1"
            " RETURNING count",
            (user_id, window_start),
        )
        if count == 1:  # a new window: forget the member's earlier ones
            self._write_one(
                "DELETE FROM write_counts WHERE user_id = ? AND window_start < ?",
                (user_id, window_start),
            )
        return count

    def attempts(self, scope: str, key: str, since: str) -> Attempts:
        count, oldest = self._db.execute(
            "SELECT count(*), min(at) FROM attempts WHERE scope = ? AND key = ? AND at >= ?",
            (scope, key, since),
        ).fetchone()
        return Attempts(count, oldest)

    def add_attempts(
        self, entries: Sequence[tuple[str, str]], now: str, forget_before: str
    ) -> list[int]:
        with self._write() as db:
            db.execute("DELETE FROM attempts WHERE at < ?", (forget_before,))
            return [
                db.execute(
                    "INSERT INTO attempts (scope, key, at) VALUES (?, ?, ?)", (scope, key, now)
                ).lastrowid
                for scope, key in entries
            ]

    def remove_attempts(self, ids: Sequence[int]) -> None:
        with self._write() as db:
            db.execute(
                "DELETE FROM attempts WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )

    def clear_attempts(self, scope: str, key: str) -> None:
        self._write_one("DELETE FROM attempts WHERE scope = ? AND key = ?", (scope, key))

    # Outbox

    def changes_since(self, after_id: int, limit: int = 100) -> list[Event]:
        rows = self._db.execute(
            "SELECT id, kind, entity, entity_id, question_id, at FROM events WHERE id > ?"
            " ORDER BY id LIMIT ?",
            (after_id, limit),
        ).fetchall()
        return [Event(*row) for row in rows]

    def last_event_id(self) -> int:
        return self._db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]


class _WriterTurn:
    """Writers take turns: threads on a lock, processes on an exclusive ``flock``.

    Each waiter wakes the moment the writer before it commits. Without this, writers meet
    SQLite's busy handler, which waits by sleeping in growing steps (1, 2, 5, 10... ms),
    and concurrent writes spend most of their time asleep. The busy timeout still guards
    against writers that do not take a turn (another tool opening the file).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._file: tuple[int, int] | None = None  # (pid, descriptor): one per process

    def _descriptor(self) -> int:
        if self._file is None or self._file[0] != os.getpid():
            self._file = (os.getpid(), os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        return self._file[1]

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._file is not None and self._file[0] == os.getpid():
                os.close(self._file[1])
            self._file = None


_NOTIFICATION_SELECT = (
    "SELECT n.id, n.user_id, n.kind, n.question_id, q.title, n.actor_id, u.username,"
    " n.created_at, n.read FROM notifications n JOIN questions q ON q.id = n.question_id"
    " JOIN users u ON u.id = n.actor_id"
)


def _notification(row: tuple) -> Notification:
    return Notification(*row[:8], bool(row[8]))


def _encode_cursor(key: str | int, last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, last_id]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, key_type: type) -> list:
    try:
        key, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as error:
        raise BadCursor(cursor) from error
    if type(key) is not key_type or type(last_id) is not int or not 0 <= last_id < 2**63:
        raise BadCursor(cursor)
    if key_type is int and not -(2**62) < key < 2**62:
        raise BadCursor(cursor)
    return [key, last_id]
