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
    # 3: the event log with actors and data, consumers' cursors, counters on their items,
    # soft deletes, notifications tied to their event, the mail outbox, expiring attempts.
    """
    CREATE TABLE event_log (
        seq INTEGER PRIMARY KEY,
        id INTEGER NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id INTEGER NOT NULL,
        question_id INTEGER,
        actor_id INTEGER,
        affected_id INTEGER,
        data TEXT NOT NULL DEFAULT '{}',
        at TEXT NOT NULL
    );
    INSERT INTO event_log (seq, id, kind, entity, entity_id, question_id, at)
        SELECT id, id,
            CASE WHEN kind = 'created' AND entity = 'question' THEN 'asked'
                 WHEN kind = 'created' THEN 'answered' ELSE kind END,
            entity, entity_id, question_id, at
        FROM events WHERE NOT (entity = 'question' AND kind IN ('answered', 'accepted'));
    DROP TABLE events;
    CREATE TABLE consumer_cursors (name TEXT PRIMARY KEY, cursor TEXT);
    INSERT INTO consumer_cursors (name, cursor)
        SELECT 'notifications', CAST(max(seq) AS TEXT) FROM event_log HAVING count(*) > 0;
    ALTER TABLE questions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE answers ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
    UPDATE questions SET answer_count = (
        SELECT count(*) FROM answers a WHERE a.question_id = questions.id AND a.hidden = 0);
    UPDATE questions SET accepted_answer_id = NULL WHERE accepted_answer_id IN (
        SELECT id FROM answers WHERE hidden = 1);
    ALTER TABLE users ADD COLUMN question_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN answer_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN read_through INTEGER NOT NULL DEFAULT 0;
    UPDATE users SET
        question_count = (SELECT count(*) FROM questions q
                          WHERE q.author_id = users.id AND q.hidden = 0),
        answer_count = (SELECT count(*) FROM answers a
                        WHERE a.author_id = users.id AND a.hidden = 0),
        unread_count = (SELECT count(*) FROM notifications n
                        WHERE n.user_id = users.id AND n.read = 0);
    ALTER TABLE notifications ADD COLUMN event_id INTEGER;
    CREATE UNIQUE INDEX notifications_event ON notifications(event_id, user_id);
    DROP INDEX notifications_unread;
    CREATE TABLE mail_outbox (
        key TEXT PRIMARY KEY,
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX mail_due ON mail_outbox(next_attempt_at) WHERE status = 'pending';
    CREATE INDEX mail_expires ON mail_outbox(expires_at) WHERE expires_at IS NOT NULL;
    ALTER TABLE attempts ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
    UPDATE attempts SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', at, '+1 hour');
    CREATE INDEX attempts_expires ON attempts(expires_at);
    DROP INDEX attempts_at
    """,
    # 4: flags, the review queue, flaggers' records, the event log read by actor, post and
    # kind (the moderators' audit log), locked and duplicate questions, moderators' notes on
    # answers, the reason of an edit, and answers promoted into the knowledge base.
    """
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        post_kind TEXT NOT NULL,
        post_id INTEGER NOT NULL,
        question_id INTEGER NOT NULL REFERENCES questions(id),
        flagger_id INTEGER NOT NULL REFERENCES users(id),
        reason TEXT NOT NULL,
        note TEXT,
        weight REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
        created_at TEXT NOT NULL,
        UNIQUE (post_kind, post_id, flagger_id)
    );
    CREATE TABLE review_queue (
        post_kind TEXT NOT NULL,
        post_id INTEGER NOT NULL,
        question_id INTEGER NOT NULL,
        why TEXT NOT NULL CHECK (why IN ('flagged', 'waiting')),
        since TEXT NOT NULL,
        flag_weight REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (post_kind, post_id)
    ) WITHOUT ROWID;
    CREATE INDEX review_oldest ON review_queue(since, post_kind, post_id);
    ALTER TABLE users ADD COLUMN flags_upheld INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN flags_rejected INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX events_actor ON event_log(actor_id, seq);
    CREATE INDEX events_entity ON event_log(entity, entity_id, seq);
    CREATE INDEX events_kind ON event_log(kind, seq);
    ALTER TABLE questions ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE questions ADD COLUMN duplicate_of INTEGER;
    ALTER TABLE answers ADD COLUMN note TEXT;
    ALTER TABLE answers ADD COLUMN note_by INTEGER REFERENCES users(id);
    ALTER TABLE answers ADD COLUMN note_at TEXT;
    ALTER TABLE revisions ADD COLUMN reason TEXT;
    CREATE TABLE promotions (
        answer_id INTEGER PRIMARY KEY REFERENCES answers(id),
        question_id INTEGER NOT NULL REFERENCES questions(id),
        lang TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        tags TEXT NOT NULL,
        promoted_by INTEGER NOT NULL REFERENCES users(id),
        promoted_at TEXT NOT NULL,
        body_html TEXT NOT NULL
    );
    CREATE INDEX promotions_question ON promotions(question_id);
    ALTER TABLE questions ADD COLUMN promoted_answer_id INTEGER;
    ALTER TABLE questions ADD COLUMN promoted_lang TEXT
    """,
    # 5: feedback on pages, notifications of pages (feedback for their owners) besides
    # questions, and the counters the community-health figures are read from.
    """
    CREATE TABLE feedback (
        lang TEXT NOT NULL,
        page TEXT NOT NULL,
        visitor TEXT NOT NULL,
        id INTEGER NOT NULL UNIQUE,
        helpful INTEGER NOT NULL,
        reason TEXT,
        comment TEXT,
        user_id INTEGER REFERENCES users(id),
        at TEXT NOT NULL,
        PRIMARY KEY (lang, page, visitor)
    ) WITHOUT ROWID;
    CREATE INDEX feedback_comments ON feedback(lang, page, at) WHERE comment IS NOT NULL;
    CREATE TABLE notifications_new (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        question_id INTEGER REFERENCES questions(id) ON DELETE CASCADE,
        actor_id INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        event_id INTEGER,
        page TEXT,
        page_title TEXT,
        data TEXT
    );
    INSERT INTO notifications_new (id, user_id, kind, question_id, actor_id, created_at, read,
                                   event_id)
        SELECT id, user_id, kind, question_id, actor_id, created_at, read, event_id
        FROM notifications;
    DROP TABLE notifications;
    ALTER TABLE notifications_new RENAME TO notifications;
    CREATE INDEX notifications_user ON notifications(user_id, id);
    CREATE UNIQUE INDEX notifications_event ON notifications(event_id, user_id);
    CREATE TABLE metric_counts (
        name TEXT NOT NULL,
        lang TEXT NOT NULL,
        period TEXT NOT NULL,
        key TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (name, lang, period, key)
    ) WITHOUT ROWID;
    CREATE TABLE metric_questions (
        question_id INTEGER PRIMARY KEY,
        lang TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        answered_at TEXT,
        held INTEGER NOT NULL,
        deleted INTEGER NOT NULL
    );
    CREATE INDEX questions_waiting ON questions(lang, created_at)
        WHERE hidden = 0 AND deleted = 0 AND answer_count = 0;
    CREATE TABLE metric_active (
        month TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        PRIMARY KEY (month, user_id)
    ) WITHOUT ROWID
    """,
    # 6: engagement. Reputation, the spendable balance and badge counts are counters on the
    # member, kept with the ledger they are derived from; member_stats holds the numbers
    # badges, quests and leaderboards count (period totals kept as points are booked, so a
    # leaderboard is one index range, however many members there are).
    """
    ALTER TABLE users ADD COLUMN reputation INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN balance INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN gold INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN silver INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN bronze INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        points INTEGER NOT NULL,
        spendable INTEGER NOT NULL,
        reason TEXT NOT NULL,
        key TEXT NOT NULL,
        post TEXT,
        event_id INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX ledger_event ON ledger(event_id, user_id, key);
    CREATE INDEX ledger_key ON ledger(key, user_id);
    CREATE INDEX ledger_post ON ledger(post, user_id, key) WHERE post IS NOT NULL;
    CREATE INDEX ledger_user ON ledger(user_id, seq);
    CREATE TABLE member_stats (
        user_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        period TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (user_id, name, period)
    ) WITHOUT ROWID;
    CREATE INDEX member_stats_top ON member_stats(name, period, value DESC, user_id);
    CREATE TABLE awards (
        user_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        tier TEXT NOT NULL,
        period TEXT NOT NULL,
        event_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (user_id, kind, name, tier, period)
    ) WITHOUT ROWID;
    CREATE TABLE redemptions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        reward TEXT NOT NULL,
        cost INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        fulfilled_at TEXT,
        fulfilled_by INTEGER REFERENCES users(id)
    );
    CREATE INDEX redemptions_user ON redemptions(user_id, id);
    CREATE INDEX redemptions_status ON redemptions(status, id);
    CREATE TABLE reward_stock (reward TEXT PRIMARY KEY, redeemed INTEGER NOT NULL) WITHOUT ROWID
    """,
    # 7: accounts. A session carries the member's session version: raising it ends every
    # session at once (sign out everywhere, a new password). Password resets keep only the
    # hash of their token, used once before it expires.
    """
    ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN email_notifications INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE password_resets (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX password_resets_expiry ON password_resets(expires_at)
    """,
]
