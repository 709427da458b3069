"""The SQLite backend of the community store (one machine: ``portal serve``).

Ids come from :func:`functions.store.ids.new_id`; the event log's ``seq`` (SQLite's own row
number, in commit order because writers take turns) is what a consumer's cursor holds.

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
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from core.languages import CODES
from core.roles import Role
from functions.store.contract import (
    MODERATION_KINDS,
    Answer,
    Attempts,
    AwardNote,
    AwardUpdate,
    BadCursor,
    Booked,
    Booking,
    Comment,
    Conflict,
    Earned,
    Event,
    EventPage,
    Feedback,
    Flag,
    Leader,
    LedgerEntry,
    Mail,
    MetricUpdate,
    ModeratorNote,
    NewNotifications,
    NotEnoughPoints,
    Notification,
    OutOfStock,
    Page,
    PageNote,
    PostKind,
    Promotion,
    Question,
    QuestionClock,
    Redemption,
    ReviewItem,
    Revision,
    Sort,
    Stale,
    User,
    later,
    log_position,
)
from functions.store.ids import new_id
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
    " q.updated_at, q.last_activity_at, q.hidden, q.deleted, q.locked, q.duplicate_of,"
    " q.promoted_answer_id, q.promoted_lang"
)
_ANSWER_COLUMNS = (
    "a.id, a.question_id, a.author_id, u.username, a.body, a.body_html, a.score,"
    " a.created_at, a.updated_at, a.hidden, a.deleted, a.note, a.note_by, n.username, a.note_at"
)
# An answer's author, and the moderator who left a note on it (if one did).
_ANSWER_FROM = (
    "FROM answers a JOIN users u ON u.id = a.author_id LEFT JOIN users n ON n.id = a.note_by"
)
_USER_COLUMNS = (
    "id, username, email, role, password_hash, created_at, question_count, answer_count,"
    " flags_upheld, flags_rejected, reputation, balance, gold, silver, bronze, session_version,"
    " email_notifications"
)
# How many times a new row draws another id when its random bits met an existing one's.
ID_DRAWS = 8
# Sent mail is kept this long (to look into a complaint), then forgotten.
SENT_MAIL_KEPT_DAYS = 30


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

    # Ids and events

    def _insert(self, db: sqlite3.Connection, table: str, values: dict[str, object]) -> int:
        """Insert a row under a new id (drawn again if its random bits were taken)."""
        columns = ", ".join(["id", *values])
        marks = ", ".join("?" * (len(values) + 1))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for _ in range(ID_DRAWS):
            row_id = new_id()
            try:
                db.execute(statement, (row_id, *values.values()))
            except sqlite3.IntegrityError as error:
                if str(error) != f"UNIQUE constraint failed: {table}.id":
                    raise
                continue
            return row_id
        raise RuntimeError(f"no free id for a new row of {table} after {ID_DRAWS} draws")

    def _event(
        self,
        db: sqlite3.Connection,
        kind: str,
        entity: str,
        entity_id: int,
        question_id: int | None,
        at: str,
        *,
        actor: int | None,
        affected: int | None = None,
        **data: object,
    ) -> int:
        return self._insert(
            db,
            "event_log",
            {
                "kind": kind,
                "entity": entity,
                "entity_id": entity_id,
                "question_id": question_id,
                "actor_id": actor,
                "affected_id": affected,
                "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                "at": at,
            },
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
            user_id = self._insert(
                db,
                "users",
                {
                    "username": username,
                    "username_key": username.casefold(),
                    "email": email,
                    "email_key": email.casefold(),
                    "role": role,
                    "password_hash": password_hash,
                    "created_at": now,
                },
            )
            self._event(
                db, "signed_up", "user", user_id, None, now, actor=user_id, affected=user_id
            )
        return User(user_id, username, email, role, password_hash, now)

    def user_by_id(self, user_id: int) -> User | None:
        row = self._db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        return _user(row)

    def users_by_id(self, user_ids: Sequence[int]) -> list[User]:
        rows = self._db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))"
            " ORDER BY id",
            (json.dumps(list(user_ids)),),
        ).fetchall()
        return [_user(row) for row in rows]

    def user_by_username(self, username: str) -> User | None:
        row = self._db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE username_key = ?", (username.casefold(),)
        ).fetchone()
        return _user(row)

    def user_by_email(self, email: str) -> User | None:
        row = self._db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE email_key = ?", (email.casefold(),)
        ).fetchone()
        return _user(row)

    def set_password(self, user_id: int, password_hash: str, how: str, now: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE users SET password_hash = ?, session_version = session_version + 1"
                " WHERE id = ?",
                (password_hash, user_id),
            )
            self._event(
                db,
                "password_changed",
                "user",
                user_id,
                None,
                now,
                actor=user_id if how == "changed" else None,
                affected=user_id,
                how=how,
            )

    def end_sessions(self, user_id: int, now: str) -> None:
        with self._write() as db:
            self._count(db, "users", "session_version", user_id, 1)
            self._event(db, "signed_out_everywhere", "user", user_id, None, now, actor=user_id)

    def update_account(
        self,
        user_id: int,
        now: str,
        *,
        email: str | None = None,
        email_notifications: bool | None = None,
    ) -> User:
        with self._write() as db:
            changed = []
            if email is not None:
                taken = db.execute(
                    "SELECT 1 FROM users WHERE email_key = ? AND id != ?",
                    (email.casefold(), user_id),
                ).fetchone()
                if taken:
                    raise Conflict("email")
                db.execute(
                    "UPDATE users SET email = ?, email_key = ? WHERE id = ?",
                    (email, email.casefold(), user_id),
                )
                changed.append("email")
            if email_notifications is not None:
                db.execute(
                    "UPDATE users SET email_notifications = ? WHERE id = ?",
                    (int(email_notifications), user_id),
                )
                changed.append("email_notifications")
            if changed:
                self._event(
                    db, "account_changed", "user", user_id, None, now, actor=user_id, fields=changed
                )
        user = self.user_by_id(user_id)
        assert user is not None
        return user

    def add_password_reset(
        self, token_hash: str, user_id: int, now: str, expires: str, mail: Mail
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (token_hash, user_id, now, expires),
            )
            self._queue(db, [mail], now)

    def use_password_reset(self, token_hash: str, now: str) -> int | None:
        row = self._write_one(
            "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
            " AND expires_at > ? RETURNING user_id",
            (now, token_hash, now),
        )
        return row[0] if row else None

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
        held: bool = False,
    ) -> int:
        with self._write() as db:
            question_id = self._insert(
                db,
                "questions",
                {
                    "author_id": author_id,
                    "title": title,
                    "body": body,
                    "body_html": body_html,
                    "excerpt": excerpt,
                    "tags": json.dumps(list(tags)),
                    "lang": lang,
                    "created_at": now,
                    "updated_at": now,
                    "last_activity_at": now,
                    "hidden": int(held),
                },
            )
            self._tag(db, question_id, tags)
            self._revision(db, "question", question_id, title, body, tags, author_id, now)
            self._follow(db, question_id, author_id)
            self._count(db, "users", "question_count", author_id, int(not held))
            if held:
                self._hold(db, "question", question_id, question_id, now)
            self._event(
                db,
                "asked",
                "question",
                question_id,
                question_id,
                now,
                actor=author_id,
                affected=author_id,
                lang=lang,
                tags=list(tags),
                **({"held": True} if held else {}),
            )
        return question_id

    @staticmethod
    def _hold(db: sqlite3.Connection, kind: PostKind, post_id: int, question_id: int, now: str):
        db.execute(
            "INSERT INTO review_queue (post_kind, post_id, question_id, why, since)"
            " VALUES (?, ?, ?, 'waiting', ?)",
            (kind, post_id, question_id, now),
        )

    @staticmethod
    def _tag(db: sqlite3.Connection, question_id: int, tags: Sequence[str]) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO question_tags (tag, question_id) VALUES (?, ?)",
            [(tag, question_id) for tag in tags],
        )

    @staticmethod
    def _follow(db: sqlite3.Connection, question_id: int, user_id: int) -> bool:
        return (
            db.execute(
                "INSERT OR IGNORE INTO follows (question_id, user_id) VALUES (?, ?)",
                (question_id, user_id),
            ).rowcount
            > 0
        )

    @staticmethod
    def _count(db: sqlite3.Connection, table: str, column: str, row_id: int, delta: int) -> None:
        if delta:
            db.execute(f"UPDATE {table} SET {column} = {column} + ? WHERE id = ?", (delta, row_id))

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
        reason: str | None = None,
    ) -> int:
        return self._insert(
            db,
            "revisions",
            {
                "post_kind": kind,
                "post_id": post_id,
                "title": title,
                "body": body,
                "tags": json.dumps(list(tags)),
                "author_id": author_id,
                "created_at": now,
                "reason": reason,
            },
        )

    @staticmethod
    def _question(row: tuple) -> Question:
        values = list(row)
        values[7] = tuple(json.loads(values[7]))
        for flag in (16, 17, 18):
            values[flag] = bool(values[flag])
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
        lang: str | None = None,
        tag: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Question]:
        joins, where, params = "", [], []
        if tag is not None:
            joins = " JOIN question_tags t ON t.question_id = q.id AND t.tag = ?"
            params.append(tag)
        if sort == "unanswered":
            where.append("q.answer_count = 0")
        if lang is not None:
            where.append("q.lang = ?")
            params.append(lang)
        return self._question_page(sort, joins, where, params, cursor, limit)

    def questions_by(
        self, author_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Question]:
        return self._question_page("newest", "", ["q.author_id = ?"], [author_id], cursor, limit)

    def _question_page(
        self,
        sort: Sort,
        joins: str,
        where: list[str],
        params: list,
        cursor: str | None,
        limit: int,
    ) -> Page[Question]:
        column = _SORT_COLUMN[sort]
        where = ["q.hidden = 0", "q.deleted = 0", *where]
        if cursor is not None:
            where.append(f"({column}, q.id) < (?, ?)")
            params = [*params, *_decode_cursor(cursor, int if sort == "votes" else str)]
        rows = self._db.execute(
            f"SELECT {_QUESTION_COLUMNS} FROM questions q JOIN users u ON u.id = q.author_id"
            f"{joins} WHERE {' AND '.join(where)} ORDER BY {column} DESC, q.id DESC LIMIT ?",
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
        reason: str | None = None,
    ) -> None:
        with self._write() as db:
            ((author_id,),) = db.execute(
                "UPDATE questions SET title = ?, body = ?, body_html = ?, excerpt = ?, tags = ?,"
                " updated_at = ?, last_activity_at = ? WHERE id = ? RETURNING author_id",
                (title, body, body_html, excerpt, json.dumps(list(tags)), now, now, question_id),
            ).fetchall()
            db.execute("DELETE FROM question_tags WHERE question_id = ?", (question_id,))
            self._tag(db, question_id, tags)
            revision = self._revision(
                db, "question", question_id, title, body, tags, editor_id, now, reason
            )
            self._event(
                db,
                "edited",
                "question",
                question_id,
                question_id,
                now,
                actor=editor_id,
                affected=author_id,
                revision=revision,
                **({"reason": reason} if reason else {}),
            )

    def count_view(self, question_id: int) -> None:
        self._write_one(
            "UPDATE questions SET view_count = view_count + 1 WHERE id = ?", (question_id,)
        )

    # Answers

    def create_answer(
        self,
        question_id: int,
        author_id: int,
        body: str,
        body_html: str,
        now: str,
        held: bool = False,
    ) -> int:
        with self._write() as db:
            answer_id = self._insert(
                db,
                "answers",
                {
                    "question_id": question_id,
                    "author_id": author_id,
                    "body": body,
                    "body_html": body_html,
                    "created_at": now,
                    "updated_at": now,
                    "hidden": int(held),
                },
            )
            ((asker_id, answers),) = db.execute(
                "UPDATE questions SET answer_count = answer_count + ?, last_activity_at = ?"
                " WHERE id = ? RETURNING author_id, answer_count",
                (int(not held), now, question_id),
            ).fetchall()
            self._count(db, "users", "answer_count", author_id, int(not held))
            self._revision(db, "answer", answer_id, None, body, (), author_id, now)
            self._follow(db, question_id, author_id)
            if held:
                self._hold(db, "answer", answer_id, question_id, now)
            self._event(
                db,
                "answered",
                "answer",
                answer_id,
                question_id,
                now,
                actor=author_id,
                affected=asker_id,
                **({"held": True} if held else {}),
                **({"first": True} if not held and answers == 1 else {}),
            )
        return answer_id

    @staticmethod
    def _answer(row: tuple) -> Answer:
        note = ModeratorNote(*row[11:15]) if row[11] is not None else None
        return Answer(*row[:9], bool(row[9]), bool(row[10]), note)

    def answer(self, answer_id: int) -> Answer | None:
        row = self._db.execute(
            f"SELECT {_ANSWER_COLUMNS} {_ANSWER_FROM} WHERE a.id = ?",
            (answer_id,),
        ).fetchone()
        return self._answer(row) if row else None

    def answers_of(self, question_id: int) -> list[Answer]:
        rows = self._db.execute(
            f"SELECT {_ANSWER_COLUMNS} {_ANSWER_FROM} WHERE a.question_id = ? ORDER BY a.id",
            (question_id,),
        ).fetchall()
        return [self._answer(row) for row in rows]

    def edit_answer(
        self,
        answer_id: int,
        editor_id: int,
        body: str,
        body_html: str,
        now: str,
        reason: str | None = None,
    ) -> None:
        with self._write() as db:
            ((question_id, author_id),) = db.execute(
                "UPDATE answers SET body = ?, body_html = ?, updated_at = ? WHERE id = ?"
                " RETURNING question_id, author_id",
                (body, body_html, now, answer_id),
            ).fetchall()
            db.execute("UPDATE questions SET last_activity_at = ? WHERE id = ?", (now, question_id))
            revision = self._revision(
                db, "answer", answer_id, None, body, (), editor_id, now, reason
            )
            self._event(
                db,
                "edited",
                "answer",
                answer_id,
                question_id,
                now,
                actor=editor_id,
                affected=author_id,
                revision=revision,
                **({"reason": reason} if reason else {}),
            )

    def accept_answer(
        self, question_id: int, answer_id: int | None, actor_id: int, now: str
    ) -> None:
        with self._write() as db:
            (previous, asker) = db.execute(
                "SELECT accepted_answer_id, author_id FROM questions WHERE id = ?", (question_id,)
            ).fetchone()
            if previous == answer_id:
                return  # nothing changes, so nothing happened
            if (
                answer_id is not None
                and not db.execute(
                    "SELECT 1 FROM answers WHERE id = ? AND question_id = ? AND hidden = 0"
                    " AND deleted = 0",
                    (answer_id, question_id),
                ).fetchone()
            ):
                raise Stale("answer")
            db.execute(
                "UPDATE questions SET accepted_answer_id = ?, last_activity_at = ? WHERE id = ?",
                (answer_id, now, question_id),
            )
            if answer_id is None:
                self._unaccept(db, question_id, previous, actor_id, now, "withdrawn")
            else:
                if previous is not None:  # another answer was accepted: it is no longer
                    self._unaccept(db, question_id, previous, actor_id, now, "replaced")
                self._event(
                    db,
                    "accepted",
                    "answer",
                    answer_id,
                    question_id,
                    now,
                    actor=actor_id,
                    affected=self._author_of(db, "answer", answer_id),
                    previous=previous,
                    asker=asker,
                )

    def _unaccept(
        self,
        db: sqlite3.Connection,
        question_id: int,
        answer_id: int,
        actor_id: int | None,
        now: str,
        reason: str,
    ) -> None:
        self._event(
            db,
            "unaccepted",
            "answer",
            answer_id,
            question_id,
            now,
            actor=actor_id,
            affected=self._author_of(db, "answer", answer_id),
            reason=reason,
        )

    @staticmethod
    def _author_of(db: sqlite3.Connection, kind: PostKind, post_id: int) -> int:
        return db.execute(
            f"SELECT author_id FROM {_TABLE[kind]} WHERE id = ?", (post_id,)
        ).fetchone()[0]

    # Either kind of post

    def revisions(self, kind: PostKind, post_id: int) -> list[Revision]:
        rows = self._db.execute(
            "SELECT r.id, r.title, r.body, r.tags, r.author_id, u.username, r.created_at,"
            " r.reason FROM revisions r JOIN users u ON u.id = r.author_id"
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
            comment_id = self._insert(
                db,
                "comments",
                {
                    "post_kind": kind,
                    "post_id": post_id,
                    "question_id": question_id,
                    "author_id": author_id,
                    "body": body,
                    "created_at": now,
                },
            )
            (name,) = db.execute("SELECT username FROM users WHERE id = ?", (author_id,)).fetchone()
            self._event(
                db,
                "commented",
                "comment",
                comment_id,
                question_id,
                now,
                actor=author_id,
                affected=self._author_of(db, kind, post_id),
                on=kind,
                post_id=post_id,
            )
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
            question_id = self._question_of(db, kind, post_id)
            row = db.execute(
                "SELECT value FROM votes WHERE user_id = ? AND post_kind = ? AND post_id = ?",
                (user_id, kind, post_id),
            ).fetchone()
            old = row[0] if row else 0
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
            ((score, author_id),) = db.execute(
                f"UPDATE {table} SET score = score + ? WHERE id = ? RETURNING score, author_id",
                (value - old, post_id),
            ).fetchall()
            if value != old:
                self._event(
                    db,
                    "voted",
                    kind,
                    post_id,
                    question_id,
                    now,
                    actor=user_id,
                    affected=author_id,
                    old=old,
                    new=value,
                )
        return score

    def votes_on(self, user_id: int, question_id: int) -> dict[tuple[PostKind, int], int]:
        rows = self._db.execute(
            "SELECT post_kind, post_id, value FROM votes WHERE user_id = ? AND question_id = ?",
            (user_id, question_id),
        ).fetchall()
        return {(kind, post_id): value for kind, post_id, value in rows}

    def set_hidden(
        self,
        kind: PostKind,
        post_id: int,
        hidden: bool,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        event = "hidden" if hidden else "shown"
        self._set_flag(kind, post_id, "hidden", hidden, event, now, actor_id, reason)

    def delete_post(
        self,
        kind: PostKind,
        post_id: int,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        self._set_flag(kind, post_id, "deleted", True, "deleted", now, actor_id, reason)

    def undelete_post(
        self,
        kind: PostKind,
        post_id: int,
        now: str,
        *,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        self._set_flag(kind, post_id, "deleted", False, "undeleted", now, actor_id, reason)

    def set_locked(
        self, question_id: int, locked: bool, now: str, *, actor_id: int, reason: str | None
    ) -> None:
        self._moderate_question(
            question_id,
            "locked = ?",
            (int(locked),),
            "locked" if locked else "unlocked",
            now,
            actor_id,
            {"reason": reason} if reason else {},
        )

    def mark_duplicate(
        self,
        question_id: int,
        original_id: int | None,
        now: str,
        *,
        actor_id: int,
        reason: str | None,
    ) -> None:
        data = {"of": original_id, **({"reason": reason} if reason else {})}
        self._moderate_question(
            question_id, "duplicate_of = ?", (original_id,), "marked_duplicate", now, actor_id, data
        )

    def _moderate_question(
        self,
        question_id: int,
        assignment: str,
        values: tuple,
        event: str,
        now: str,
        actor_id: int,
        data: dict,
    ) -> None:
        with self._write() as db:
            ((author_id,),) = db.execute(
                f"UPDATE questions SET {assignment} WHERE id = ? RETURNING author_id",
                (*values, question_id),
            ).fetchall()
            self._event(
                db,
                event,
                "question",
                question_id,
                question_id,
                now,
                actor=actor_id,
                affected=author_id,
                **data,
            )

    def set_note(self, answer_id: int, text: str | None, now: str, *, actor_id: int) -> None:
        with self._write() as db:
            ((question_id, author_id),) = db.execute(
                "UPDATE answers SET note = ?, note_by = ?, note_at = ? WHERE id = ?"
                " RETURNING question_id, author_id",
                (text, actor_id if text else None, now if text else None, answer_id),
            ).fetchall()
            self._event(
                db,
                "noted",
                "answer",
                answer_id,
                question_id,
                now,
                actor=actor_id,
                affected=author_id,
                text=text,
            )

    # Promotion into the knowledge base

    def promote(
        self,
        answer_id: int,
        lang: str,
        title: str,
        summary: str,
        tags: Sequence[str],
        now: str,
        *,
        actor_id: int,
    ) -> None:
        with self._write() as db:
            ((question_id, author_id, body_html),) = db.execute(
                "SELECT question_id, author_id, body_html FROM answers WHERE id = ?", (answer_id,)
            ).fetchall()
            before = db.execute(
                "SELECT lang FROM promotions WHERE answer_id = ?", (answer_id,)
            ).fetchone()
            db.execute(
                "INSERT INTO promotions (answer_id, question_id, lang, title, summary, tags,"
                " promoted_by, promoted_at, body_html) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (answer_id) DO UPDATE SET lang = excluded.lang,"
                " title = excluded.title, summary = excluded.summary, tags = excluded.tags,"
                " promoted_by = excluded.promoted_by, promoted_at = excluded.promoted_at,"
                " body_html = excluded.body_html",
                (
                    answer_id,
                    question_id,
                    lang,
                    title,
                    summary,
                    json.dumps(list(tags)),
                    actor_id,
                    now,
                    body_html,
                ),
            )
            db.execute(
                "UPDATE questions SET promoted_answer_id = ?, promoted_lang = ? WHERE id = ?",
                (answer_id, lang, question_id),
            )
            self._event(
                db,
                "promoted",
                "answer",
                answer_id,
                question_id,
                now,
                actor=actor_id,
                affected=author_id,
                lang=lang,
                title=title,
                **({"previous_lang": before[0]} if before and before[0] != lang else {}),
            )

    def unpromote(self, answer_id: int, now: str, *, actor_id: int, reason: str | None) -> bool:
        with self._write() as db:
            return self._unpromote(db, answer_id, now, actor_id, reason)

    def _unpromote(
        self,
        db: sqlite3.Connection,
        answer_id: int,
        now: str,
        actor_id: int | None,
        reason: str | None,
    ) -> bool:
        removed = db.execute(
            "DELETE FROM promotions WHERE answer_id = ? RETURNING question_id, lang",
            (answer_id,),
        ).fetchall()
        if not removed:
            return False
        ((question_id, lang),) = removed
        db.execute(
            "UPDATE questions SET promoted_answer_id = NULL, promoted_lang = NULL"
            " WHERE id = ? AND promoted_answer_id = ?",
            (question_id, answer_id),
        )
        self._event(
            db,
            "unpromoted",
            "answer",
            answer_id,
            question_id,
            now,
            actor=actor_id,
            affected=self._author_of(db, "answer", answer_id),
            lang=lang,
            **({"reason": reason} if reason else {}),
        )
        return True

    def promotion(self, answer_id: int) -> Promotion | None:
        row = self._db.execute(
            "SELECT p.answer_id, p.question_id, p.lang, p.title, p.summary, p.tags,"
            " u.username, p.promoted_at, p.body_html FROM promotions p"
            " JOIN users u ON u.id = p.promoted_by"
            " WHERE p.answer_id = ?",
            (answer_id,),
        ).fetchone()
        if row is None:
            return None
        return Promotion(*row[:5], tuple(json.loads(row[5])), *row[6:])

    # Flags, the review queue and the moderators' log

    def add_flag(
        self,
        kind: PostKind,
        post_id: int,
        flagger_id: int,
        reason: str,
        note: str | None,
        weight: float,
        now: str,
    ) -> float:
        with self._write() as db:
            post = self._post_state(db, kind, post_id)
            if db.execute(
                "SELECT 1 FROM flags WHERE post_kind = ? AND post_id = ? AND flagger_id = ?",
                (kind, post_id, flagger_id),
            ).fetchone():
                raise Conflict("flag")
            self._insert(
                db,
                "flags",
                {
                    "post_kind": kind,
                    "post_id": post_id,
                    "question_id": post["question_id"],
                    "flagger_id": flagger_id,
                    "reason": reason,
                    "note": note,
                    "weight": weight,
                    "created_at": now,
                },
            )
            ((total,),) = db.execute(
                "INSERT INTO review_queue (post_kind, post_id, question_id, why, since,"
                " flag_weight) VALUES (?, ?, ?, 'flagged', ?, ?) ON CONFLICT (post_kind, post_id)"
                " DO UPDATE SET flag_weight = flag_weight + excluded.flag_weight"
                " RETURNING flag_weight",
                (kind, post_id, post["question_id"], now, weight),
            ).fetchall()
            self._event(
                db,
                "flagged",
                kind,
                post_id,
                post["question_id"],
                now,
                actor=flagger_id,
                affected=post["author_id"],
                reason=reason,
                weight=weight,
            )
        return total

    def hold_for_review(self, kind: PostKind, post_id: int, now: str) -> None:
        with self._write() as db:
            post = self._flag_in(
                db, kind, post_id, "hidden", True, "hidden", now, None, "waiting for review"
            )
            db.execute(
                "INSERT INTO review_queue (post_kind, post_id, question_id, why, since)"
                " VALUES (?, ?, ?, 'waiting', ?) ON CONFLICT (post_kind, post_id) DO NOTHING",
                (kind, post_id, post["question_id"], now),
            )

    def flags_on(self, kind: PostKind, post_id: int) -> list[Flag]:
        rows = self._db.execute(
            "SELECT f.id, f.post_kind, f.post_id, f.flagger_id, u.username, f.reason, f.note,"
            " f.weight, f.status, f.created_at FROM flags f JOIN users u ON u.id = f.flagger_id"
            " WHERE f.post_kind = ? AND f.post_id = ? ORDER BY f.id",
            (kind, post_id),
        ).fetchall()
        return [Flag(*row) for row in rows]

    def review_queue(self, cursor: str | None = None, limit: int = 20) -> Page[ReviewItem]:
        where, params = "", []
        if cursor is not None:
            since, position = _decode_cursor(cursor, str)
            where, params = "WHERE (since, post_id) > (?, ?)", [since, position]
        rows = self._db.execute(
            "SELECT post_kind, post_id, question_id, why, since, flag_weight FROM review_queue"
            f" {where} ORDER BY since, post_id LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        items = [ReviewItem(*row) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, _encode_cursor(items[-1].since, items[-1].post_id) if more else None)

    def resolve_review(
        self,
        kind: PostKind,
        post_id: int,
        upheld: bool,
        actor_id: int,
        now: str,
        reason: str | None = None,
    ) -> bool:
        with self._write() as db:
            waiting = db.execute(
                "DELETE FROM review_queue WHERE post_kind = ? AND post_id = ? RETURNING why",
                (kind, post_id),
            ).fetchall()
            if not waiting:
                return False
            flaggers = db.execute(
                "UPDATE flags SET status = ? WHERE post_kind = ? AND post_id = ?"
                " AND status = 'open' RETURNING flagger_id",
                ("upheld" if upheld else "rejected", kind, post_id),
            ).fetchall()
            column = "flags_upheld" if upheld else "flags_rejected"
            db.executemany(f"UPDATE users SET {column} = {column} + 1 WHERE id = ?", flaggers)
            post = self._post_state(db, kind, post_id)
            self._event(
                db,
                "reviewed",
                kind,
                post_id,
                post["question_id"],
                now,
                actor=actor_id,
                affected=post["author_id"],
                upheld=upheld,
                **({"reason": reason} if reason else {}),
            )
        return True

    def moderation_log(
        self,
        *,
        actor_id: int | None = None,
        post: tuple[PostKind, int] | None = None,
        kind: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Event]:
        where = [
            f"kind IN ({', '.join('?' * len(MODERATION_KINDS))})",
            "actor_id IN (SELECT id FROM users WHERE role IN ('moderator', 'admin'))",
        ]
        params: list = list(MODERATION_KINDS)
        if actor_id is not None:
            where.append("actor_id = ?")
            params.append(actor_id)
        if post is not None:
            where.append("entity = ? AND entity_id = ?")
            params += list(post)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if cursor is not None:
            where.append("seq < ?")
            params.append(log_position(cursor))
        rows = self._db.execute(
            f"SELECT seq, {_EVENT_COLUMNS} FROM event_log WHERE {' AND '.join(where)}"
            " ORDER BY seq DESC LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        items = [_event_from(row[1:]) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, str(rows[limit - 1][0]) if more else None)

    def _set_flag(
        self,
        kind: PostKind,
        post_id: int,
        flag: str,
        value: bool,
        event: str,
        now: str,
        actor_id: int | None,
        reason: str | None,
    ) -> None:
        """Hide, show or delete a post: the flag, its event, then what follows from it."""
        with self._write() as db:
            self._flag_in(db, kind, post_id, flag, value, event, now, actor_id, reason)

    def _flag_in(
        self,
        db: sqlite3.Connection,
        kind: PostKind,
        post_id: int,
        flag: str,
        value: bool,
        event: str,
        now: str,
        actor_id: int | None,
        reason: str | None,
    ) -> dict:
        post = self._post_state(db, kind, post_id)
        if post[flag] == value:
            return post  # already so: nothing happened
        db.execute(f"UPDATE {_TABLE[kind]} SET {flag} = ? WHERE id = ?", (int(value), post_id))
        self._event(
            db,
            event,
            kind,
            post_id,
            post["question_id"],
            now,
            actor=actor_id,
            affected=post["author_id"],
            **({"reason": reason} if reason else {}),
        )
        self._visibility_changed(db, kind, post, {**post, flag: value}, actor_id, now)
        return post

    @staticmethod
    def _post_state(db: sqlite3.Connection, kind: PostKind, post_id: int) -> dict:
        question = "id" if kind == "question" else "question_id"
        row = db.execute(
            f"SELECT {question}, author_id, hidden, deleted FROM {_TABLE[kind]} WHERE id = ?",
            (post_id,),
        ).fetchone()
        return {
            "id": post_id,
            "question_id": row[0],
            "author_id": row[1],
            "hidden": bool(row[2]),
            "deleted": bool(row[3]),
        }

    def _visibility_changed(
        self,
        db: sqlite3.Connection,
        kind: PostKind,
        before: dict,
        after: dict,
        actor_id: int | None,
        now: str,
    ) -> None:
        """Keep the counters of visible posts, and accepted and promoted answers always
        visible (as their questions are): hiding or deleting takes them back."""
        delta = _visible(after) - _visible(before)
        self._count(db, "users", f"{kind}_count", before["author_id"], delta)
        reason = "deleted" if after["deleted"] else "hidden"
        if delta < 0:
            promoted = db.execute(
                "SELECT answer_id FROM promotions WHERE "
                + ("question_id = ?" if kind == "question" else "answer_id = ?"),
                (before["id"],),
            ).fetchall()
            for (answer_id,) in promoted:
                self._unpromote(db, answer_id, now, actor_id, reason)
        if kind != "answer" or not delta:
            return
        self._count(db, "questions", "answer_count", before["question_id"], delta)
        if delta < 0:
            taken_back = db.execute(
                "UPDATE questions SET accepted_answer_id = NULL"
                " WHERE id = ? AND accepted_answer_id = ? RETURNING id",
                (before["question_id"], before["id"]),
            ).fetchall()
            if taken_back:
                self._unaccept(db, before["question_id"], before["id"], actor_id, now, reason)

    def _question_of(self, db: sqlite3.Connection, kind: PostKind, post_id: int) -> int:
        if kind == "question":
            return post_id
        return db.execute("SELECT question_id FROM answers WHERE id = ?", (post_id,)).fetchone()[0]

    # Following and notifications

    def set_following(self, user_id: int, question_id: int, following: bool, now: str) -> None:
        with self._write() as db:
            if following:
                changed = self._follow(db, question_id, user_id)
            else:
                changed = (
                    db.execute(
                        "DELETE FROM follows WHERE question_id = ? AND user_id = ?",
                        (question_id, user_id),
                    ).rowcount
                    > 0
                )
            if changed:
                self._event(
                    db,
                    "followed" if following else "unfollowed",
                    "question",
                    question_id,
                    question_id,
                    now,
                    actor=user_id,
                )

    def is_following(self, user_id: int, question_id: int) -> bool:
        return bool(
            self._db.execute(
                "SELECT 1 FROM follows WHERE question_id = ? AND user_id = ?",
                (question_id, user_id),
            ).fetchone()
        )

    def followers(self, question_id: int, after: int = 0, limit: int = 100) -> list[int]:
        rows = self._db.execute(
            "SELECT user_id FROM follows WHERE question_id = ? AND user_id > ?"
            " ORDER BY user_id LIMIT ?",
            (question_id, after, limit),
        ).fetchall()
        return [row[0] for row in rows]

    def add_notifications(self, batches: Sequence[NewNotifications]) -> int:
        # One statement for them all: the (event, user) key skips those already notified,
        # and RETURNING names the new ones, whose unread counters go up.
        for _ in range(ID_DRAWS):
            rows = json.dumps(
                [
                    [
                        new_id(),
                        b.event_id,
                        user_id,
                        b.kind,
                        b.question_id,
                        b.actor_id,
                        b.at,
                        *_note_columns(b.page, b.award),
                    ]
                    for b in batches
                    for user_id in dict.fromkeys(b.user_ids)
                ]
            )
            with self._write() as db:
                try:
                    # A notification at or below its recipient's watermark (made by another
                    # process in the same millisecond as a "mark all read") is read already.
                    added = db.execute(
                        "INSERT INTO notifications (id, event_id, user_id, kind, question_id,"
                        " actor_id, created_at, page, page_title, data, read) SELECT"
                        " value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4,"
                        " value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9,"
                        " value ->> 0 <= (SELECT read_through FROM users WHERE id = value ->> 2)"
                        " FROM json_each(?) WHERE true ON CONFLICT (event_id, user_id) DO NOTHING"
                        " RETURNING user_id, read",
                        (rows,),
                    ).fetchall()
                except sqlite3.IntegrityError as error:
                    if str(error) != "UNIQUE constraint failed: notifications.id":
                        raise
                    continue  # an id was taken: draw the batch's ids again
                unread = Counter(user_id for user_id, read in added if not read)
                db.executemany(
                    "UPDATE users SET unread_count = unread_count + ? WHERE id = ?",
                    [(count, user_id) for user_id, count in unread.items()],
                )
            return len(added)
        raise RuntimeError(f"no free ids for notifications after {ID_DRAWS} draws")

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
        row = self._db.execute("SELECT unread_count FROM users WHERE id = ?", (user_id,)).fetchone()
        return row[0] if row else 0

    def mark_read(self, user_id: int, ids: Iterable[int] | None) -> None:
        with self._write() as db:
            if ids is None:
                # A watermark: everything up to the newest is read, in two small writes.
                db.execute(
                    "UPDATE users SET unread_count = 0, read_through = max(read_through,"
                    " coalesce((SELECT max(id) FROM notifications WHERE user_id = ?1), 0))"
                    " WHERE id = ?1",
                    (user_id,),
                )
                return
            marked = db.execute(
                "UPDATE notifications SET read = 1 WHERE user_id = ? AND read = 0"
                " AND id > (SELECT read_through FROM users WHERE id = ?)"
                " AND id IN (SELECT value FROM json_each(?)) RETURNING id",
                (user_id, user_id, json.dumps(list(ids))),
            ).fetchall()
            self._count(db, "users", "unread_count", user_id, -len(marked))

    # The mail outbox

    def queue_mail(self, messages: Sequence[Mail], now: str) -> None:
        with self._write() as db:
            self._queue(db, messages, now)

    @staticmethod
    def _queue(db: sqlite3.Connection, messages: Sequence[Mail], now: str) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO mail_outbox (key, to_address, subject, text,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(m.key, m.to, m.subject, m.text, now, now) for m in messages],
        )

    def due_mail(self, now: str, limit: int = 20) -> list[Mail]:
        rows = self._db.execute(
            "SELECT key, to_address, subject, text, attempts, status, last_error FROM mail_outbox"
            " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        ).fetchall()
        return [Mail(*row) for row in rows]

    def claim_mail(self, key: str, now: str, until: str) -> bool:
        row = self._write_one(
            "UPDATE mail_outbox SET next_attempt_at = ?, attempts = attempts + 1"
            " WHERE key = ? AND status = 'pending' AND next_attempt_at <= ? RETURNING key",
            (until, key, now),
        )
        return row is not None

    def finish_mail(
        self,
        key: str,
        claim: str,
        now: str,
        error: str | None = None,
        retry_at: str | None = None,
    ) -> bool:
        if error is None:
            status, next_at, expires = "sent", now, _later_days(now, SENT_MAIL_KEPT_DAYS)
        elif retry_at is not None:
            status, next_at, expires = "pending", retry_at, None
        else:
            status, next_at, expires = "failed", now, None
        finished = self._write_one(
            "UPDATE mail_outbox SET status = ?, next_attempt_at = ?, last_error = ?,"
            " expires_at = ? WHERE key = ? AND status = 'pending' AND next_attempt_at = ?"
            " RETURNING key",
            (status, next_at, error, expires, key, claim),
        )
        return finished is not None

    def mail(self, key: str) -> Mail | None:
        row = self._db.execute(
            "SELECT key, to_address, subject, text, attempts, status, last_error FROM mail_outbox"
            " WHERE key = ?",
            (key,),
        ).fetchone()
        return Mail(*row) if row else None

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
        if count == 1:  # a new window: forget the member's earlier ones (one or two rows)
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

    def add_attempts(self, entries: Sequence[tuple[str, str]], now: str, expires: str) -> list[int]:
        with self._write() as db:
            return [
                self._insert(
                    db, "attempts", {"scope": scope, "key": key, "at": now, "expires_at": expires}
                )
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

    def forget_expired(self, now: str, limit: int = 500) -> int:
        with self._write() as db:
            attempts = db.execute(
                "DELETE FROM attempts WHERE id IN"
                " (SELECT id FROM attempts WHERE expires_at < ? LIMIT ?)",
                (now, limit),
            ).rowcount
            mail = db.execute(
                "DELETE FROM mail_outbox WHERE key IN (SELECT key FROM mail_outbox"
                " WHERE expires_at IS NOT NULL AND expires_at < ? LIMIT ?)",
                (now, limit),
            ).rowcount
            resets = db.execute(
                "DELETE FROM password_resets WHERE token_hash IN (SELECT token_hash"
                " FROM password_resets WHERE expires_at < ? LIMIT ?)",
                (now, limit),
            ).rowcount
        return attempts + mail + resets

    # Feedback on pages, and searches that found nothing

    def give_feedback(
        self,
        visitor: str,
        lang: str,
        page: str,
        helpful: bool,
        reason: str | None,
        comment: str | None,
        user_id: int | None,
        now: str,
    ) -> bool:
        with self._write() as db:
            before = db.execute(
                "SELECT id, helpful, reason, comment, at FROM feedback"
                " WHERE lang = ? AND page = ? AND visitor = ?",
                (lang, page, visitor),
            ).fetchone()
            values = {
                "helpful": int(helpful),
                "reason": reason,
                "comment": comment,
                "user_id": user_id,
                "at": now,
            }
            if before is None:
                vote_id = self._insert(
                    db, "feedback", {"lang": lang, "page": page, "visitor": visitor, **values}
                )
                previous = None
            elif tuple(before[1:4]) == (int(helpful), reason, comment):
                return False
            else:
                vote_id = before[0]
                db.execute(
                    "UPDATE feedback SET helpful = ?, reason = ?, comment = ?, user_id = ?,"
                    " at = ? WHERE id = ?",
                    (*values.values(), vote_id),
                )
                previous = {
                    "helpful": bool(before[1]),
                    "reason": before[2],
                    "comment": before[3],
                    "at": before[4],
                }
            self._event(
                db,
                "feedback",
                "page",
                vote_id,
                None,
                now,
                actor=user_id,
                lang=lang,
                page=page,
                helpful=helpful,
                reason=reason,
                comment=comment,
                previous=previous,
            )
        return True

    def feedback_of(self, visitor: str, lang: str, page: str) -> Feedback | None:
        row = self._db.execute(
            f"SELECT {_FEEDBACK_COLUMNS} FROM feedback WHERE lang = ? AND page = ? AND visitor = ?",
            (lang, page, visitor),
        ).fetchone()
        return _feedback(row) if row else None

    def feedback_comments(
        self, lang: str, page: str, since: str = "", limit: int = 3
    ) -> list[Feedback]:
        rows = self._db.execute(
            f"SELECT {_FEEDBACK_COLUMNS} FROM feedback WHERE lang = ? AND page = ?"
            " AND comment IS NOT NULL AND at >= ? ORDER BY at DESC LIMIT ?",
            (lang, page, since, limit),
        ).fetchall()
        return [_feedback(row) for row in rows]

    def record_sign_in(self, user_id: int, now: str) -> None:
        with self._write() as db:
            self._event(db, "signed_in", "user", user_id, None, now, actor=user_id)

    def record_search_missed(self, lang: str, query: str, now: str) -> None:
        with self._write() as db:
            self._event(
                db, "search_missed", "search", 0, None, now, actor=None, lang=lang, query=query
            )

    # The health figures

    def question_clocks(self, question_ids: Sequence[int]) -> dict[int, QuestionClock]:
        rows = self._db.execute(
            "SELECT question_id, lang, asked_at, answered_at, held, deleted FROM metric_questions"
            " WHERE question_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(question_ids)),),
        ).fetchall()
        return {row[0]: QuestionClock(*row[:4], bool(row[4]), bool(row[5])) for row in rows}

    def seen_active(self, pairs: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        rows = self._db.execute(
            "SELECT a.month, a.user_id FROM json_each(?) AS p JOIN metric_active AS a"
            " ON a.month = p.value ->> 0 AND a.user_id = p.value ->> 1",
            (json.dumps(list(pairs)),),
        ).fetchall()
        return {(month, user_id) for month, user_id in rows}

    def apply_metrics(
        self, update: MetricUpdate, consumer: str, after: str | None, cursor: str | None
    ) -> bool:
        with self._write() as db:
            if not self._cursor_at(db, consumer, after):
                return False  # another runner counted this batch first: count nothing
            db.executemany(
                "INSERT INTO metric_counts (name, lang, period, key, value) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (name, lang, period, key) DO UPDATE"
                " SET value = value + excluded.value",
                [(c.name, c.lang, c.period, c.key, c.delta) for c in update.counts if c.delta],
            )
            db.executemany(
                "INSERT OR REPLACE INTO metric_questions"
                " (question_id, lang, asked_at, answered_at, held, deleted)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (c.question_id, c.lang, c.asked_at, c.answered_at, int(c.held), int(c.deleted))
                    for c in update.clocks
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO metric_active (month, user_id) VALUES (?, ?)", update.active
            )
            db.execute(_SAVE_CURSOR, (consumer, cursor))
        return True

    def _counters(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]]
    ) -> tuple[str, list]:
        """The counters of ``name`` in ``langs`` and ``periods``, as a subquery and its
        parameters: one index range per language and period range."""
        parts, params = [], []
        for lang in langs:
            for first, last in periods:
                parts.append(
                    "SELECT period, key, value FROM metric_counts"
                    " WHERE name = ? AND lang = ? AND period BETWEEN ? AND ?"
                )
                params += [name, lang, first, last]
        return " UNION ALL ".join(parts) or "SELECT '', '', 0 WHERE 0", params

    def metric_rows(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]]
    ) -> list[tuple[str, str, int]]:
        counters, params = self._counters(name, langs, periods)
        if len(langs) == 1:  # nothing to add up: the rows as the index holds them
            return self._db.execute(counters, params).fetchall()
        return self._db.execute(
            f"SELECT period, key, sum(value) FROM ({counters}) GROUP BY period, key", params
        ).fetchall()

    def metric_top(
        self, name: str, langs: Sequence[str], periods: Sequence[tuple[str, str]], limit: int
    ) -> list[tuple[str, int]]:
        counters, params = self._counters(name, langs, periods)
        return self._db.execute(
            f"SELECT key, sum(value) AS total FROM ({counters})"
            " GROUP BY key HAVING total > 0 ORDER BY total DESC, key LIMIT ?",
            (*params, limit),
        ).fetchall()

    def metric_keys(
        self,
        name: str,
        langs: Sequence[str],
        periods: Sequence[tuple[str, str]],
        keys: Sequence[str],
    ) -> dict[str, int]:
        if not keys:
            return {}
        counters, params = self._counters(name, langs, periods)
        rows = self._db.execute(
            f"SELECT key, sum(value) FROM ({counters})"
            " WHERE key IN (SELECT value FROM json_each(?)) GROUP BY key",
            (*params, json.dumps(list(keys), ensure_ascii=False)),
        ).fetchall()
        return dict(rows)

    def question_topics(
        self, question_ids: Sequence[int]
    ) -> dict[int, tuple[str, tuple[str, ...]]]:
        rows = self._db.execute(
            "SELECT id, title, tags FROM questions WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(question_ids)),),
        ).fetchall()
        return {row[0]: (row[1], tuple(json.loads(row[2]))) for row in rows}

    def unanswered(
        self, asked_before: str, lang: str | None, limit: int
    ) -> tuple[int, list[Question]]:
        # The partial index holds only the questions still waiting, by language and time.
        langs = [lang] if lang is not None else list(CODES)
        where = (
            "q.hidden = 0 AND q.deleted = 0 AND q.answer_count = 0"
            f" AND q.lang IN ({_marks(langs)}) AND q.created_at <= ?"
        )
        params: list = [*langs, asked_before]
        (count,) = self._db.execute(
            f"SELECT count(*) FROM questions q INDEXED BY questions_waiting WHERE {where}",
            params,
        ).fetchone()
        newest: list[tuple] = []
        for each in langs:  # each language's newest from its end of the index, then merged
            newest += self._db.execute(
                f"SELECT {_QUESTION_COLUMNS} FROM questions q INDEXED BY questions_waiting"
                " JOIN users u ON u.id = q.author_id WHERE q.hidden = 0 AND q.deleted = 0"
                " AND q.answer_count = 0 AND q.lang = ? AND q.created_at <= ?"
                " ORDER BY q.created_at DESC, q.id DESC LIMIT ?",
                (each, asked_before, limit),
            ).fetchall()
        newest.sort(key=lambda row: (row[13], row[0]), reverse=True)
        return count, [self._question(row) for row in newest[:limit]]

    # Engagement

    def record_visit(self, user_id: int, now: str) -> None:
        with self._write() as db:
            self._event(db, "visited", "user", user_id, None, now, actor=user_id)

    def grant_points(
        self, user_id: int, points: int, reason: str, actor_id: int | None, now: str
    ) -> None:
        with self._write() as db:
            self._event(
                db,
                "granted",
                "user",
                user_id,
                None,
                now,
                actor=actor_id,
                affected=user_id,
                points=points,
                reason=reason,
            )

    def booked(self, keys: Sequence[str], posts: Sequence[str]) -> list[Booked]:
        rows = self._db.execute(
            "SELECT user_id, key, max(post), sum(points),"
            " sum(CASE WHEN reason LIKE '%:deleted' OR reason LIKE '%:restored'"
            " THEN points ELSE 0 END) FROM ledger"
            " WHERE key IN (SELECT value FROM json_each(?1))"
            " OR (post IN (SELECT value FROM json_each(?2)) AND post IS NOT NULL)"
            " GROUP BY user_id, key",
            (json.dumps(list(keys), ensure_ascii=False), json.dumps(list(posts))),
        ).fetchall()
        return [Booked(*row) for row in rows]

    def entries_of(self, event_ids: Sequence[int]) -> set[tuple[int, int, str]]:
        rows = self._db.execute(
            "SELECT l.event_id, l.user_id, l.key FROM json_each(?) AS e"
            " JOIN ledger AS l ON l.event_id = e.value",
            (json.dumps(list(event_ids)),),
        ).fetchall()
        return {(event_id, user_id, key) for event_id, user_id, key in rows}

    def member_stats(
        self, user_ids: Sequence[int], periods: Sequence[str]
    ) -> dict[tuple[int, str, str], int]:
        rows = self._db.execute(
            "SELECT s.user_id, s.name, s.period, s.value FROM json_each(?1) AS u"
            " JOIN member_stats AS s ON s.user_id = u.value"
            " WHERE s.period IN (SELECT value FROM json_each(?2)) AND s.name NOT LIKE 'points%'",
            (json.dumps(list(user_ids)), json.dumps(list(periods))),
        ).fetchall()
        return {(user_id, name, period): value for user_id, name, period, value in rows}

    def answer_scores(self, answer_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        rows = self._db.execute(
            "SELECT id, author_id, score FROM answers WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(answer_ids)),),
        ).fetchall()
        return {answer_id: (author, score) for answer_id, author, score in rows}

    def apply_awards(
        self, update: AwardUpdate, consumer: str, after: str | None, cursor: str | None
    ) -> bool:
        with self._write() as db:
            if not self._cursor_at(db, consumer, after):
                return False  # another runner handled this batch first
            boards: Counter[tuple[int, str, str]] = Counter()
            self._book(db, update.entries, boards)
            for award in update.awards:
                new = db.execute(
                    "INSERT INTO awards (user_id, kind, name, tier, period, event_id, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                    (
                        award.user_id,
                        award.kind,
                        award.name,
                        award.tier,
                        award.period,
                        award.event_id,
                        award.at,
                    ),
                ).fetchall()
                if not new:
                    continue  # awarded before: once only
                if award.kind == "badge":
                    self._count(db, "users", award.tier, award.user_id, 1)
                if award.booking is not None:
                    self._book(db, [award.booking], boards)
                self._event(
                    db,
                    "awarded",
                    "user",
                    award.user_id,
                    None,
                    award.at,
                    actor=None,
                    affected=award.user_id,
                    award=award.kind,
                    name=award.name,
                    tier=award.tier,
                    period=award.period,
                    points=award.booking.points if award.booking else 0,
                )
            stats = Counter(update.stats)
            stats.update(boards)
            db.executemany(
                "INSERT INTO member_stats (user_id, name, period, value) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id, name, period) DO UPDATE SET value = value + excluded.value",
                [(*key, delta) for key, delta in stats.items() if delta],
            )
            db.execute(_SAVE_CURSOR, (consumer, cursor))
        return True

    @staticmethod
    def _book(
        db: sqlite3.Connection, entries: Sequence[Booking], boards: Counter[tuple[int, str, str]]
    ) -> None:
        """Book entries (each once per event, member and key) in a few statements: reputation
        moves by their points, the balance too but never below 0 (worked out in order from
        the balances read once), and the leaderboards they count toward."""
        if not entries:
            return
        users = json.dumps(sorted({entry.user_id for entry in entries}))
        balance = dict(
            db.execute(
                "SELECT id, balance FROM users WHERE id IN (SELECT value FROM json_each(?))",
                (users,),
            ).fetchall()
        )
        rows, by_key = [], {}
        for entry in entries:
            spendable = max(entry.points, -balance[entry.user_id])
            balance[entry.user_id] += spendable
            rows.append(
                [
                    entry.user_id,
                    entry.points,
                    spendable,
                    entry.reason,
                    entry.key,
                    entry.post,
                    entry.event_id,
                    entry.at,
                ]
            )
            by_key[(entry.event_id, entry.user_id, entry.key)] = entry
        booked = db.execute(
            "INSERT INTO ledger (user_id, points, spendable, reason, key, post, event_id, at)"
            " SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4,"
            " value ->> 5, value ->> 6, value ->> 7 FROM json_each(?) WHERE true"
            " ON CONFLICT DO NOTHING RETURNING event_id, user_id, key, points, spendable",
            (json.dumps(rows, ensure_ascii=False),),
        ).fetchall()
        moved: dict[int, list[int]] = {}
        for event_id, user_id, key, points, spendable in booked:
            totals = moved.setdefault(user_id, [0, 0])
            totals[0] += points
            totals[1] += spendable
            for name, period in by_key[(event_id, user_id, key)].boards:
                boards[(user_id, name, period)] += points
        db.executemany(
            "UPDATE users SET reputation = reputation + ?, balance = balance + ? WHERE id = ?",
            [(points, spendable, user_id) for user_id, (points, spendable) in moved.items()],
        )

    def leaderboard(self, name: str, period: str, limit: int) -> list[Leader]:
        rows = self._db.execute(
            "SELECT s.user_id, u.username, s.value, u.reputation, u.gold, u.silver, u.bronze"
            " FROM member_stats s"
            " INDEXED BY member_stats_top JOIN users u ON u.id = s.user_id"
            " WHERE s.name = ? AND s.period = ? AND s.value > 0"
            " ORDER BY s.value DESC, s.user_id LIMIT ?",
            (name, period, limit),
        ).fetchall()
        return [Leader(*row) for row in rows]

    def points_of(
        self, user_id: int, boards: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        rows = self._db.execute(
            "SELECT s.name, s.period, s.value FROM json_each(?) AS b JOIN member_stats AS s"
            " ON s.user_id = ? AND s.name = b.value ->> 0 AND s.period = b.value ->> 1",
            (json.dumps(list(boards), ensure_ascii=False), user_id),
        ).fetchall()
        return {(name, period): value for name, period, value in rows}

    def earned(self, user_id: int) -> list[Earned]:
        rows = self._db.execute(
            "SELECT kind, name, tier, period, at FROM awards WHERE user_id = ?"
            " ORDER BY at DESC, name",
            (user_id,),
        ).fetchall()
        return [Earned(*row) for row in rows]

    def ledger_of(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[LedgerEntry]:
        before = _decode_cursor(cursor, int)[1] if cursor else 2**63 - 1
        rows = self._db.execute(
            "SELECT seq, user_id, points, spendable, reason, key, event_id, at FROM ledger"
            " WHERE user_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            (user_id, before, limit + 1),
        ).fetchall()
        items = [LedgerEntry(*row[1:]) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, _encode_cursor(0, rows[limit - 1][0]) if more else None)

    def redeem(self, user_id: int, reward: str, cost: int, stock: int, now: str) -> Redemption:
        with self._write() as db:
            db.execute(
                "INSERT INTO reward_stock (reward, redeemed) VALUES (?, 0) ON CONFLICT DO NOTHING",
                (reward,),
            )
            if not db.execute(
                "UPDATE reward_stock SET redeemed = redeemed + 1 WHERE reward = ? AND redeemed < ?"
                " RETURNING 1",
                (reward, stock),
            ).fetchall():
                raise OutOfStock(reward)
            spent = db.execute(
                "UPDATE users SET balance = balance - ?1 WHERE id = ?2 AND balance >= ?1"
                " RETURNING username",
                (cost, user_id),
            ).fetchall()
            if not spent:
                raise NotEnoughPoints(reward)
            redemption_id = self._insert(
                db,
                "redemptions",
                {
                    "user_id": user_id,
                    "reward": reward,
                    "cost": cost,
                    "status": "pending",
                    "created_at": now,
                },
            )
            event_id = self._event(
                db,
                "redeemed",
                "redemption",
                redemption_id,
                None,
                now,
                actor=user_id,
                affected=user_id,
                reward=reward,
                cost=cost,
            )
            db.execute(
                "INSERT INTO ledger (user_id, points, spendable, reason, key, post, event_id, at)"
                " VALUES (?, 0, ?, 'redeemed', ?, NULL, ?, ?)",
                (user_id, -cost, f"redemption:{redemption_id}", event_id, now),
            )
        return Redemption(redemption_id, user_id, spent[0][0], reward, cost, "pending", now)

    def redemptions(
        self,
        *,
        user_id: int | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page[Redemption]:
        before = _decode_cursor(cursor, int)[1] if cursor else 2**63 - 1
        where, param = (
            ("r.user_id = ?", user_id) if user_id is not None else ("r.status = ?", status)
        )
        rows = self._db.execute(
            "SELECT r.id, r.user_id, u.username, r.reward, r.cost, r.status, r.created_at,"
            f" r.fulfilled_at FROM redemptions r JOIN users u ON u.id = r.user_id WHERE {where}"
            " AND r.id < ? ORDER BY r.id DESC LIMIT ?",
            (param, before, limit + 1),
        ).fetchall()
        items = [Redemption(*row) for row in rows[:limit]]
        more = len(rows) > limit
        return Page(items, _encode_cursor(0, items[-1].id) if more else None)

    def redeemed(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT reward, redeemed FROM reward_stock").fetchall())

    def fulfil(self, redemption_id: int, actor_id: int, now: str) -> Redemption | None:
        with self._write() as db:
            row = db.execute(
                "UPDATE redemptions SET status = 'fulfilled', fulfilled_at = ?, fulfilled_by = ?"
                " WHERE id = ? AND status = 'pending' RETURNING user_id, reward",
                (now, actor_id, redemption_id),
            ).fetchone()
            if row is not None:
                self._event(
                    db,
                    "fulfilled",
                    "redemption",
                    redemption_id,
                    None,
                    now,
                    actor=actor_id,
                    affected=row[0],
                    reward=row[1],
                )
        found = self._db.execute(
            "SELECT r.id, r.user_id, u.username, r.reward, r.cost, r.status, r.created_at,"
            " r.fulfilled_at FROM redemptions r JOIN users u ON u.id = r.user_id WHERE r.id = ?",
            (redemption_id,),
        ).fetchone()
        return Redemption(*found) if found else None

    # The event log and its consumers

    def events_after(self, cursor: str | None, limit: int = 100) -> EventPage:
        after = log_position(cursor)
        rows = self._db.execute(
            f"SELECT seq, {_EVENT_COLUMNS} FROM event_log WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, limit),
        ).fetchall()
        events = [_event_from(row[1:]) for row in rows]
        return EventPage(events, str(rows[-1][0]) if rows else cursor)

    def latest_cursor(self) -> str | None:
        (seq,) = self._db.execute("SELECT max(seq) FROM event_log").fetchone()
        return None if seq is None else str(seq)

    def consumer_cursor(self, consumer: str) -> str | None:
        row = self._db.execute(
            "SELECT cursor FROM consumer_cursors WHERE name = ?", (consumer,)
        ).fetchone()
        return row[0] if row else None

    def save_consumer_cursor(self, consumer: str, cursor: str | None) -> None:
        self._write_one(_SAVE_CURSOR, (consumer, cursor))

    @staticmethod
    def _cursor_at(db: sqlite3.Connection, consumer: str, after: str | None) -> bool:
        """Whether the consumer's saved cursor is still ``after`` (in a write transaction)."""
        row = db.execute(
            "SELECT cursor FROM consumer_cursors WHERE name = ?", (consumer,)
        ).fetchone()
        return (row[0] if row else None) == after


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


# Read: marked one by one, or at or below the recipient's watermark (everything marked).
_NOTIFICATION_SELECT = (
    "SELECT n.id, n.user_id, n.kind, n.question_id, q.title, n.actor_id, u.username,"
    " n.created_at, n.read OR n.id <= r.read_through, n.page, n.page_title, n.data"
    " FROM notifications n LEFT JOIN questions q ON q.id = n.question_id"
    " LEFT JOIN users u ON u.id = n.actor_id JOIN users r ON r.id = n.user_id"
)


def _user(row: tuple | None) -> User | None:
    return User(*row[:-1], bool(row[-1])) if row else None


def _notification(row: tuple) -> Notification:
    page = award = None
    data = json.loads(row[11] or "{}")
    if row[9] is not None:
        page = PageNote(row[9], row[10], data.get("reason"), data.get("comment"))
    elif "award" in data:
        award = AwardNote(**data["award"])
    return Notification(*row[:8], bool(row[8]), page, award)


def _note_columns(note: PageNote | None, award: AwardNote | None) -> list:
    """The page, its title and the data of a notification of a page or an award."""
    if award is not None:
        return [None, None, json.dumps({"award": asdict(award)}, ensure_ascii=False)]
    if note is None:
        return [None, None, None]
    data = {"reason": note.reason, "comment": note.comment}
    return [note.page, note.title, json.dumps(data, ensure_ascii=False)]


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


_SAVE_CURSOR = (
    "INSERT INTO consumer_cursors (name, cursor) VALUES (?, ?)"
    " ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor"
)
_EVENT_COLUMNS = "id, kind, entity, entity_id, question_id, actor_id, affected_id, at, data"


_FEEDBACK_COLUMNS = "lang, page, helpful, reason, comment, at"


def _feedback(row: tuple) -> Feedback:
    return Feedback(row[0], row[1], bool(row[2]), *row[3:])


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _event_from(row: tuple) -> Event:
    return Event(*row[:8], json.loads(row[8]))


def _visible(post: dict) -> int:
    return int(not (post["hidden"] or post["deleted"]))


def _later_days(now: str, days: int) -> str:
    return later(now, days * 86_400)
