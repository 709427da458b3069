"""The SQLite schema as numbered migrations; a store applies the missing ones on open.

Append a new entry to change the schema; never edit one that has shipped.
"""

MIGRATIONS: list[str] = [
    # 1: users, posts, votes, follows, notifications, limits and the outbox.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        username_key TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('member', 'moderator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        author_id INTEGER NOT NULL REFERENCES users(id),
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        body_html TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        tags TEXT NOT NULL,
        lang TEXT NOT NULL,
        score INTEGER NOT NULL DEFAULT 0,
        answer_count INTEGER NOT NULL DEFAULT 0,
        accepted_answer_id INTEGER,
        view_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0
    );
    -- One index per list order, so every page of every list is an index range scan.
    CREATE INDEX questions_newest ON questions(hidden, created_at, id);
    CREATE INDEX questions_active ON questions(hidden, last_activity_at, id);
    CREATE INDEX questions_votes ON questions(hidden, score, id);
    CREATE INDEX questions_unanswered ON questions(hidden, answer_count, created_at, id);
    CREATE INDEX questions_lang ON questions(lang, hidden, created_at, id);
    CREATE INDEX questions_author ON questions(author_id, created_at);
    CREATE TABLE question_tags (
        tag TEXT NOT NULL,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        PRIMARY KEY (tag, question_id)
    ) WITHOUT ROWID;
    CREATE INDEX question_tags_question ON question_tags(question_id);
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        author_id INTEGER NOT NULL REFERENCES users(id),
        body TEXT NOT NULL,
        body_html TEXT NOT NULL,
        score INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX answers_question ON answers(question_id);
    CREATE INDEX answers_author ON answers(author_id, created_at);
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        post_kind TEXT NOT NULL,
        post_id INTEGER NOT NULL,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        author_id INTEGER NOT NULL REFERENCES users(id),
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX comments_question ON comments(question_id, id);
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        post_kind TEXT NOT NULL,
        post_id INTEGER NOT NULL,
        title TEXT,
        body TEXT NOT NULL,
        tags TEXT NOT NULL,
        author_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL
    );
    CREATE INDEX revisions_post ON revisions(post_kind, post_id, id);
    CREATE TABLE votes (
        user_id INTEGER NOT NULL REFERENCES users(id),
        post_kind TEXT NOT NULL,
        post_id INTEGER NOT NULL,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        value INTEGER NOT NULL CHECK (value IN (-1, 1)),
        PRIMARY KEY (user_id, post_kind, post_id)
    ) WITHOUT ROWID;
    CREATE INDEX votes_viewer ON votes(user_id, question_id);
    CREATE TABLE follows (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (question_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        actor_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX notifications_user ON notifications(user_id, id);
    CREATE INDEX notifications_unread ON notifications(user_id, read);
    CREATE TABLE write_counts (
        user_id INTEGER NOT NULL,
        window_start TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (user_id, window_start)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id INTEGER NOT NULL,
        question_id INTEGER NOT NULL,
        at TEXT NOT NULL
    )
    """,
    # 2: sign-in failures and sign-up attempts, counted per username or client address.
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX attempts_key ON attempts(scope, key, at);
    CREATE INDEX attempts_at ON attempts(at)
    """,
]
