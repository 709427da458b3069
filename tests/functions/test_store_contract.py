"""The store contract, run against every backend in ``BACKENDS``.

Only contract methods are used here, so a new backend (DynamoDB) joins by adding itself to
``BACKENDS``. Backend details (SQLite's migrations, WAL, locks) are tested beside the
backend (test_store_sqlite.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aws_testing import new_table_name

from functions.store import (
    Award,
    AwardUpdate,
    BadCursor,
    Booking,
    Conflict,
    Event,
    Mail,
    NewNotifications,
    NotEnoughPoints,
    OutOfStock,
    Store,
    open_store,
)
from functions.store.dynamodb import create_table

NOW = "2026-11-23T09:30:00Z"
LATER = "2026-11-23T10:30:00Z"


def _dynamodb(folder: Path) -> Store:
    """A new table on moto's server (the test's environment points boto3 there)."""
    name = new_table_name()
    create_table(name, stream=False)
    return open_store(f"dynamodb://{name}")


# Each backend: how to open an empty store in a temporary folder.
BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda folder: open_store(f"sqlite:///{folder}/portal.db"),
    "dynamodb": _dynamodb,
}


def notify(db, event_id, kind, question_id, actor_id, user_ids, at=NOW) -> int:
    """Notifications of one event, as the notifications consumer writes them."""
    return db.add_notifications(
        [NewNotifications(event_id, kind, question_id, actor_id, tuple(user_ids), at)]
    )


@pytest.fixture(params=sorted(BACKENDS))
def db(request, tmp_path) -> Store:
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
    store = BACKENDS[request.param](tmp_path)
    yield store
    store.close()
    if request.param == "dynamodb":
        store.table.drop()  # moto keeps every table in its memory


def events(db: Store, cursor: str | None = None) -> list[Event]:
    found, page = [], db.events_after(cursor, limit=1000)
    found += page.events
    return found


def kinds(db: Store, cursor: str | None = None) -> list[tuple[str, str]]:
    return [(event.kind, event.entity) for event in events(db, cursor)]


def people(db: Store, *names: str):
    return [db.create_user(name, f"{name}@example.com", "hash", "member", NOW) for name in names]


def ask(db: Store, author_id: int, title: str = "A title here", **fields) -> int:
    values = {"tags": ["battery"], "lang": "en", "now": NOW, **fields}
    return db.create_question(
        author_id,
        title,
        "Body",
        "<p>Body</p>",
        "Body",
        values["tags"],
        values["lang"],
        values["now"],
    )


# Users and ids


def test_users_are_unique_by_name_and_email_whatever_the_case(db):
    (asha,) = people(db, "Asha")
    with pytest.raises(Conflict) as caught:
        db.create_user("ASHA", "other@example.com", "hash", "member", NOW)
    assert caught.value.field == "username"
    with pytest.raises(Conflict) as caught:
        db.create_user("other", "Asha@Example.com", "hash", "member", NOW)
    assert caught.value.field == "email"
    assert db.user_by_username("asha") == asha == db.user_by_id(asha.id)
    assert db.user_by_id(asha.id + 1) is None
    (signed_up,) = events(db)
    assert (signed_up.kind, signed_up.entity_id, signed_up.actor_id) == (
        "signed_up",
        asha.id,
        asha.id,
    )


def test_ids_grow_with_time_and_are_safe_in_javascript(db):
    users = people(db, "a1", "a2", "a3")
    ids = [ask(db, users[0].id, f"Question number {n}") for n in range(20)]
    assert all(0 < i < 2**53 for i in ids + [u.id for u in users])
    assert len(set(ids)) == 20
    assert ids[0] < ids[-1]
    assert [u.id for u in db.users_by_id([users[2].id, users[0].id])] == sorted(
        [users[0].id, users[2].id]
    )


# Questions and lists


def test_asking_counts_on_the_author_follows_and_records_the_event(db):
    (asha,) = people(db, "asha")
    question_id = ask(db, asha.id, tags=["battery", "charging"], lang="hi")
    question = db.question(question_id)
    assert (question.author_name, question.tags, question.lang) == (
        "asha",
        ("battery", "charging"),
        "hi",
    )
    assert question.visible and question.answer_count == 0
    assert db.user_by_id(asha.id).question_count == 1
    assert db.is_following(asha.id, question_id)
    asked = events(db)[-1]
    assert (asked.kind, asked.question_id, asked.actor_id, asked.affected_id) == (
        "asked",
        question_id,
        asha.id,
        asha.id,
    )
    assert asked.data == {"lang": "hi", "tags": ["battery", "charging"]}


def all_pages(fetch) -> list[int]:
    seen, cursor = [], None
    while True:
        page = fetch(cursor)
        seen += [question.id for question in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_lists_follow_the_access_patterns_page_by_page(db):
    asha, ravi = people(db, "asha", "ravi")
    made = []
    for number in range(7):
        made.append(
            ask(
                db,
                asha.id if number % 2 else ravi.id,
                f"Question number {number}",
                tags=["battery"] if number < 4 else ["screen"],
                lang="en" if number % 3 else "ru",
                now=f"2026-11-2{number}T09:00:00Z",
            )
        )
    db.set_vote(asha.id, "question", made[0], 1, NOW)
    db.create_answer(made[4], asha.id, "Answer", "<p>Answer</p>", "2026-11-28T09:00:00Z")
    newest = list(reversed(made))

    def listed(sort="newest", **scope):
        return all_pages(lambda cursor: db.list_questions(sort, cursor=cursor, limit=2, **scope))

    assert listed() == newest
    assert listed("votes")[0] == made[0]
    assert listed("active")[:2] == [made[4], made[6]]
    assert listed("unanswered") == [made[6], made[5], made[3], made[2], made[1], made[0]]
    assert listed(lang="ru") == [made[6], made[3], made[0]]
    assert listed(tag="battery") == [made[3], made[2], made[1], made[0]]
    assert listed(tag="battery", lang="ru") == [made[3], made[0]]
    assert all_pages(lambda cursor: db.questions_by(asha.id, cursor=cursor, limit=2)) == [
        made[5],
        made[3],
        made[1],
    ]
    db.set_hidden("question", made[5], True, NOW)
    db.delete_post("question", made[3], NOW)
    assert listed() == [made[6], made[4], made[2], made[1], made[0]]
    assert all_pages(lambda cursor: db.questions_by(asha.id, cursor=cursor)) == [made[1]]
    for cursor in ("nonsense", "WyJ4IiwxXQ", "WzEsLTFd", "e30", "!!"):
        with pytest.raises(BadCursor):
            db.list_questions("votes", cursor=cursor)


def test_edits_keep_revisions_and_say_who_edited(db):
    asha, mod = people(db, "asha", "mod")
    question_id = ask(db, asha.id)
    db.edit_question(question_id, mod.id, "A new title", "Two", "<p>Two</p>", "Two", ["x"], LATER)
    question = db.question(question_id)
    assert (question.title, question.tags, question.updated_at) == ("A new title", ("x",), LATER)
    assert [r.body for r in db.revisions("question", question_id)] == ["Two", "Body"]
    edited = events(db)[-1]
    assert (edited.kind, edited.actor_id, edited.affected_id) == ("edited", mod.id, asha.id)
    assert edited.data["revision"] == db.revisions("question", question_id)[0].id


# Answers, acceptance and visibility


def test_answer_counts_are_of_visible_answers_and_acceptance_follows(db):
    asha, ravi, mod = people(db, "asha", "ravi", "mod")
    question_id = ask(db, asha.id)
    answer_id = db.create_answer(question_id, ravi.id, "Answer", "<p>Answer</p>", NOW)
    assert db.question(question_id).answer_count == 1
    assert db.user_by_id(ravi.id).answer_count == 1
    assert db.is_following(ravi.id, question_id)
    answered = events(db)[-1]
    assert (answered.kind, answered.entity_id, answered.actor_id, answered.affected_id) == (
        "answered",
        answer_id,
        ravi.id,
        asha.id,
    )

    db.accept_answer(question_id, answer_id, asha.id, NOW)
    db.accept_answer(question_id, answer_id, asha.id, NOW)  # no change: no event
    assert db.question(question_id).accepted_answer_id == answer_id
    db.set_hidden("answer", answer_id, True, LATER, actor_id=mod.id, reason="spam")
    db.set_hidden("answer", answer_id, True, LATER, actor_id=mod.id)  # already hidden
    question = db.question(question_id)
    assert question.answer_count == 0 and question.accepted_answer_id is None
    assert db.user_by_id(ravi.id).answer_count == 0
    assert db.answer(answer_id).hidden and not db.answer(answer_id).visible
    tail = events(db)[-3:]
    assert [(e.kind, e.actor_id, e.affected_id) for e in tail] == [
        ("accepted", asha.id, ravi.id),
        ("hidden", mod.id, ravi.id),
        ("unaccepted", mod.id, ravi.id),
    ]
    assert tail[0].data == {"previous": None, "asker": asha.id}
    assert tail[1].data == {"reason": "spam"} and tail[2].data == {"reason": "hidden"}

    db.set_hidden("answer", answer_id, False, LATER, actor_id=mod.id)
    question = db.question(question_id)
    assert question.answer_count == 1 and question.accepted_answer_id is None
    assert events(db)[-1].kind == "shown"


def test_accepting_another_answer_names_the_previous_one(db):
    asha, ravi, olga = people(db, "asha", "ravi", "olga")
    question_id = ask(db, asha.id)
    first = db.create_answer(question_id, ravi.id, "One", "<p>One</p>", NOW)
    second = db.create_answer(question_id, olga.id, "Two", "<p>Two</p>", NOW)
    db.accept_answer(question_id, first, asha.id, NOW)
    db.accept_answer(question_id, second, asha.id, NOW)
    db.accept_answer(question_id, None, asha.id, NOW)
    tail = events(db)[-4:]
    assert [(e.kind, e.entity_id, e.affected_id, dict(e.data)) for e in tail] == [
        ("accepted", first, ravi.id, {"previous": None, "asker": asha.id}),
        # The earlier answer loses its acceptance (its author's counts follow), then...
        ("unaccepted", first, ravi.id, {"reason": "replaced"}),
        ("accepted", second, olga.id, {"previous": first, "asker": asha.id}),
        ("unaccepted", second, olga.id, {"reason": "withdrawn"}),
    ]


def test_deletes_are_soft_and_keep_votes_and_revisions(db):
    asha, ravi, mod = people(db, "asha", "ravi", "mod")
    question_id = ask(db, asha.id)
    answer_id = db.create_answer(question_id, ravi.id, "Answer", "<p>Answer</p>", NOW)
    db.set_vote(asha.id, "answer", answer_id, 1, NOW)
    db.accept_answer(question_id, answer_id, asha.id, NOW)
    db.delete_post("answer", answer_id, LATER, actor_id=mod.id, reason="off topic")
    answer = db.answer(answer_id)
    assert answer.deleted and not answer.visible and answer.score == 1
    assert db.votes_on(asha.id, question_id) == {("answer", answer_id): 1}
    assert [r.body for r in db.revisions("answer", answer_id)] == ["Answer"]
    question = db.question(question_id)
    assert question.answer_count == 0 and question.accepted_answer_id is None
    assert db.user_by_id(ravi.id).answer_count == 0
    assert kinds(db)[-2:] == [("deleted", "answer"), ("unaccepted", "answer")]
    assert events(db)[-2].data == {"reason": "off topic"}

    db.delete_post("question", question_id, LATER, actor_id=mod.id)
    db.delete_post("question", question_id, LATER, actor_id=mod.id)  # once is enough
    assert db.question(question_id).deleted
    assert db.user_by_id(asha.id).question_count == 0
    assert kinds(db)[-1] == ("deleted", "question")
    assert len([e for e in events(db) if e.kind == "deleted"]) == 2


def test_votes_record_old_and_new_values_for_the_author(db):
    asha, ravi = people(db, "asha", "ravi")
    question_id = ask(db, asha.id)
    assert db.set_vote(ravi.id, "question", question_id, 1, NOW) == 1
    assert db.set_vote(ravi.id, "question", question_id, 1, NOW) == 1  # no change
    assert db.set_vote(ravi.id, "question", question_id, -1, NOW) == -1
    assert db.set_vote(ravi.id, "question", question_id, 0, NOW) == 0
    votes = [e for e in events(db) if e.kind == "voted"]
    assert [(dict(e.data), e.actor_id, e.affected_id) for e in votes] == [
        ({"old": 0, "new": 1}, ravi.id, asha.id),
        ({"old": 1, "new": -1}, ravi.id, asha.id),
        ({"old": -1, "new": 0}, ravi.id, asha.id),
    ]
    assert db.votes_on(ravi.id, question_id) == {}


def test_comments_affect_the_post_author(db):
    asha, ravi = people(db, "asha", "ravi")
    question_id = ask(db, asha.id)
    answer_id = db.create_answer(question_id, ravi.id, "Answer", "<p>Answer</p>", NOW)
    comment = db.add_comment("answer", answer_id, question_id, asha.id, "Thanks!", NOW)
    assert [c.body for c in db.comments_of(question_id)] == ["Thanks!"]
    commented = events(db)[-1]
    assert (commented.kind, commented.entity_id, commented.affected_id) == (
        "commented",
        comment.id,
        ravi.id,
    )
    assert commented.data == {"on": "answer", "post_id": answer_id}


# Following and notifications


def test_followers_come_in_pages_and_following_is_an_event_when_it_changes(db):
    asker, *others = people(db, "asker", *(f"f{n}" for n in range(5)))
    question_id = ask(db, asker.id)
    for other in others:
        db.set_following(other.id, question_id, True, NOW)
    db.set_following(others[0].id, question_id, True, NOW)  # already following
    db.set_following(others[1].id, question_id, False, NOW)
    db.set_following(others[1].id, question_id, False, NOW)  # already not
    expected = sorted([asker.id] + [o.id for o in others if o is not others[1]])
    seen, after = [], 0
    while batch := db.followers(question_id, after, limit=2):
        seen += batch
        after = batch[-1]
    assert seen == expected
    assert [k for k, _ in kinds(db) if k.endswith("followed")] == ["followed"] * 5 + ["unfollowed"]


def test_notifications_once_per_event_and_recipient_with_an_unread_counter(db):
    asha, ravi, olga = people(db, "asha", "ravi", "olga")
    question_id = ask(db, asha.id)
    assert (
        db.add_notifications(
            [
                NewNotifications(
                    1,
                    "answer",
                    question_id,
                    ravi.id,
                    (
                        asha.id,
                        olga.id,
                    ),
                    NOW,
                )
            ]
        )
        == 2
    )
    assert (
        db.add_notifications(
            [
                NewNotifications(
                    1,
                    "answer",
                    question_id,
                    ravi.id,
                    (
                        asha.id,
                        olga.id,
                    ),
                    NOW,
                )
            ]
        )
        == 0
    )
    assert (
        db.add_notifications(
            [NewNotifications(2, "comment", question_id, ravi.id, (asha.id,), LATER)]
        )
        == 1
    )
    assert db.unread_count(asha.id) == 2 and db.unread_count(olga.id) == 1
    page = db.notifications(asha.id, limit=1)
    (newest,) = page.items
    assert (newest.kind, newest.actor_name, newest.question_title, newest.read) == (
        "comment",
        "ravi",
        "A title here",
        False,
    )
    (older,) = db.notifications(asha.id, cursor=page.next_cursor, limit=1).items
    db.mark_read(asha.id, [older.id, older.id, 999])
    assert db.unread_count(asha.id) == 1
    db.mark_read(asha.id, [older.id])  # already read: the counter stays
    assert db.unread_count(asha.id) == 1
    db.mark_read(asha.id, None)  # everything
    assert db.unread_count(asha.id) == 0
    assert all(n.read for n in db.notifications(asha.id).items)
    assert db.unread_count(olga.id) == 1  # only asha's
    notify(db, 3, "accepted", question_id, ravi.id, [asha.id], LATER)
    assert db.unread_count(asha.id) == 1
    assert [n.read for n in db.notifications(asha.id).items] == [False, True, True]
    unread = db.notifications(asha.id).items[0]
    db.mark_read(asha.id, [unread.id])
    assert db.unread_count(asha.id) == 0
    assert all(n.read for n in db.notifications(asha.id).items)


# The mail outbox


def test_mail_is_queued_once_claimed_by_one_sender_and_kept_as_sent(db):
    message = Mail("7:1", "asha@example.com", "Subject", "Text")
    db.queue_mail([message], NOW)
    db.queue_mail([Mail("7:1", "other@example.com", "Other", "Other")], NOW)  # same key
    (due,) = db.due_mail(NOW)
    assert (due.to, due.subject, due.attempts, due.status) == (
        "asha@example.com",
        "Subject",
        0,
        "pending",
    )
    assert db.claim_mail("7:1", NOW, LATER)
    assert not db.claim_mail("7:1", NOW, LATER)  # claimed: nobody else takes it
    assert db.due_mail(NOW) == []
    assert [m.key for m in db.due_mail(LATER)] == ["7:1"]  # the claim lapsed
    assert db.finish_mail("7:1", LATER, NOW, error="timed out", retry_at=LATER)
    assert db.mail("7:1").last_error == "timed out" and db.mail("7:1").attempts == 1
    assert db.due_mail(NOW) == [] and len(db.due_mail(LATER)) == 1
    taken = "2026-11-23T11:00:00Z"
    assert db.claim_mail("7:1", LATER, taken)
    assert not db.finish_mail("7:1", LATER, LATER)  # an older claim: another sender has it
    assert db.finish_mail("7:1", taken, LATER)
    assert db.mail("7:1").status == "sent" and db.due_mail("2027-01-01T00:00:00Z") == []
    assert not db.finish_mail("7:1", taken, LATER, error="late")  # sent stays sent
    assert db.mail("7:1").status == "sent"
    db.queue_mail([Mail("8:1", "x@example.com", "S", "T")], NOW)
    assert db.claim_mail("8:1", NOW, LATER)
    db.finish_mail("8:1", LATER, NOW, error="550 no such mailbox")
    assert db.mail("8:1").status == "failed"
    assert db.forget_expired("2027-06-01T00:00:00Z") == 1  # the sent one, after its time
    assert db.mail("7:1") is None and db.mail("8:1").status == "failed"


# Limits


def test_attempts_expire_in_bounded_batches(db):
    ids = db.add_attempts([("sign-in:username", "asha")] * 5, NOW, expires=LATER)
    db.add_attempts([("sign-in:username", "asha")], LATER, expires="2026-11-24T00:00:00Z")
    assert db.attempts("sign-in:username", "asha", NOW).count == 6
    assert db.attempts("sign-in:username", "asha", NOW).oldest == NOW
    db.remove_attempts(ids[:1])
    assert db.attempts("sign-in:username", "asha", NOW).count == 5
    assert db.forget_expired("2026-11-23T11:00:00Z", limit=3) == 3
    assert db.forget_expired("2026-11-23T11:00:00Z", limit=3) == 1
    assert db.attempts("sign-in:username", "asha", NOW).count == 1
    db.clear_attempts("sign-in:username", "asha")
    assert db.attempts("sign-in:username", "asha", NOW).count == 0


def test_write_counts_and_new_member_posts(db):
    (asha,) = people(db, "asha")
    assert [db.count_write(asha.id, "2026-11-23T09:30:00Z") for _ in range(3)] == [1, 2, 3]
    assert db.count_write(asha.id, "2026-11-23T09:31:00Z") == 1
    ask(db, asha.id)
    assert db.posts_since(asha.id, "question", NOW) == 1
    assert db.posts_since(asha.id, "question", LATER) == 0


# The event log


def test_the_log_pages_by_opaque_cursor_in_commit_order(db):
    (asha,) = people(db, "asha")
    assert db.events_after(db.latest_cursor()).events == []
    start = db.latest_cursor()
    questions = [ask(db, asha.id, f"Question number {n}") for n in range(5)]
    first = db.events_after(start, limit=2)
    second = db.events_after(first.cursor, limit=2)
    third = db.events_after(second.cursor, limit=2)
    assert [e.entity_id for e in first.events + second.events + third.events] == questions
    assert db.events_after(third.cursor).events == [] and third.cursor == db.latest_cursor()
    assert db.events_after(third.cursor).cursor == third.cursor
    assert all(isinstance(page.cursor, str) for page in (first, second, third))
    with pytest.raises(BadCursor):
        db.events_after("not a cursor")


def test_consumers_keep_their_own_cursors(db):
    (asha,) = people(db, "asha")
    ask(db, asha.id)
    assert db.consumer_cursor("notifications") is None
    db.save_consumer_cursor("notifications", db.latest_cursor())
    ask(db, asha.id, "Another question")
    assert db.consumer_cursor("awards") is None
    (newer,) = db.events_after(db.consumer_cursor("notifications")).events
    assert newer.kind == "asked"
    db.save_consumer_cursor("notifications", None)
    assert db.consumer_cursor("notifications") is None


def test_every_change_writes_an_event_with_its_actor(db):
    asha, ravi, mod = people(db, "asha", "ravi", "mod")
    start = db.latest_cursor()
    question_id = ask(db, asha.id)
    answer_id = db.create_answer(question_id, ravi.id, "Answer", "<p>Answer</p>", NOW)
    db.edit_answer(answer_id, ravi.id, "Better", "<p>Better</p>", NOW)
    db.add_comment("question", question_id, question_id, ravi.id, "Which model?", NOW)
    db.set_vote(asha.id, "answer", answer_id, 1, NOW)
    db.accept_answer(question_id, answer_id, asha.id, NOW)
    db.set_following(mod.id, question_id, True, NOW)
    db.set_hidden("question", question_id, True, NOW, actor_id=mod.id)
    db.set_hidden("question", question_id, False, NOW, actor_id=mod.id)
    db.delete_post("question", question_id, NOW, actor_id=mod.id)
    logged = events(db, start)
    assert [e.kind for e in logged] == [
        "asked",
        "answered",
        "edited",
        "commented",
        "voted",
        "accepted",
        "followed",
        "hidden",
        "shown",
        "deleted",
    ]
    actors = [asha.id, ravi.id, ravi.id, ravi.id, asha.id, asha.id, mod.id, mod.id, mod.id, mod.id]
    assert [e.actor_id for e in logged] == actors
    assert all(e.question_id == question_id and e.at == NOW for e in logged)
    assert len({e.id for e in logged}) == len(logged)


# Flags, the review queue and the moderators' log


def test_flags_queue_a_post_and_a_review_moves_the_flaggers_records(db):
    asha, ravi, olga, mod = people(db, "asha", "ravi", "olga", "mod")
    question_id = ask(db, asha.id)
    assert db.add_flag("question", question_id, ravi.id, "spam", "A shop link", 1.0, NOW) == 1.0
    assert db.add_flag("question", question_id, olga.id, "offensive", None, 0.5, LATER) == 1.5
    with pytest.raises(Conflict):
        db.add_flag("question", question_id, ravi.id, "spam", None, 1.0, LATER)
    (item,) = db.review_queue().items
    assert (item.post_kind, item.post_id, item.why, item.since, item.flag_weight) == (
        "question",
        question_id,
        "flagged",
        NOW,
        1.5,
    )
    flags = db.flags_on("question", question_id)
    assert [(f.flagger_name, f.reason, f.note, f.status) for f in flags] == [
        ("ravi", "spam", "A shop link", "open"),
        ("olga", "offensive", None, "open"),
    ]
    assert kinds(db)[-2:] == [("flagged", "question")] * 2
    assert events(db)[-1].data == {"reason": "offensive", "weight": 0.5}

    assert db.resolve_review("question", question_id, False, mod.id, LATER, "Fine as it is")
    assert not db.resolve_review("question", question_id, False, mod.id, LATER)  # done
    assert db.review_queue().items == []
    assert {f.status for f in db.flags_on("question", question_id)} == {"rejected"}
    assert db.user_by_id(ravi.id).flags_rejected == 1 and db.user_by_id(olga.id).flags_upheld == 0
    reviewed = events(db)[-1]
    assert (reviewed.kind, reviewed.actor_id, dict(reviewed.data)) == (
        "reviewed",
        mod.id,
        {"upheld": False, "reason": "Fine as it is"},
    )


def test_held_posts_wait_hidden_and_uncounted_in_the_queue_oldest_first(db):
    asha, newbie = people(db, "asha", "newbie")
    question_id = ask(db, asha.id)
    held_question = db.create_question(
        newbie.id, "A held question", "B", "<p>B</p>", "B", [], "en", NOW, held=True
    )
    held_answer = db.create_answer(question_id, newbie.id, "A", "<p>A</p>", LATER, held=True)
    assert db.question(held_question).hidden and db.answer(held_answer).hidden
    assert db.question(question_id).answer_count == 0
    assert (db.user_by_id(newbie.id).question_count, db.user_by_id(newbie.id).answer_count) == (
        0,
        0,
    )
    first = db.review_queue(limit=1)
    (second,) = db.review_queue(cursor=first.next_cursor, limit=1).items
    assert [(i.post_kind, i.why) for i in [*first.items, second]] == [
        ("question", "waiting"),
        ("answer", "waiting"),
    ]
    assert events(db)[-1].data == {"held": True}
    db.set_hidden("answer", held_answer, False, LATER, actor_id=asha.id)
    assert db.question(question_id).answer_count == 1


def test_the_moderators_log_reads_by_moderator_post_and_action(db):
    (asha,) = people(db, "asha")
    mod1, mod2 = (
        db.create_user(name, f"{name}@example.com", "hash", "moderator", NOW)
        for name in ("mod1", "mod2")
    )
    question_id = ask(db, asha.id)
    db.delete_post("question", ask(db, asha.id, "Mine to delete"), NOW, actor_id=asha.id)
    db.set_hidden("question", question_id, True, NOW, reason="flagged")  # by the flags
    db.set_hidden("question", question_id, False, NOW, actor_id=mod1.id, reason="Fine")
    db.delete_post("question", question_id, NOW, actor_id=mod2.id, reason="Spam")
    db.undelete_post("question", question_id, LATER, actor_id=mod1.id, reason="Not spam")
    assert not db.question(question_id).deleted

    def actions(**filters) -> list[str]:
        return [event.kind for event in db.moderation_log(**filters).items]

    # Newest first; not the flags' hide, nor a member deleting their own question.
    assert actions() == ["undeleted", "deleted", "shown"]
    assert actions(actor_id=mod1.id) == ["undeleted", "shown"]
    assert actions(post=("question", question_id), kind="deleted") == ["deleted"]
    assert actions(post=("answer", question_id)) == []
    page = db.moderation_log(limit=2)
    assert [e.kind for e in db.moderation_log(cursor=page.next_cursor).items] == ["shown"]


def test_notifications_of_many_events_in_one_write(db):
    asha, ravi, olga = people(db, "asha", "ravi", "olga")
    question_id = ask(db, asha.id)
    batches = [
        NewNotifications(7, "answer", question_id, ravi.id, (asha.id, olga.id), NOW),
        NewNotifications(8, "comment", question_id, olga.id, (asha.id, asha.id), LATER),
    ]
    assert db.add_notifications(batches) == 3  # asha once for event 8
    assert db.add_notifications(batches) == 0
    assert (db.unread_count(asha.id), db.unread_count(olga.id)) == (2, 1)
    assert [n.kind for n in db.notifications(asha.id).items] == ["comment", "answer"]


def test_locks_duplicates_notes_and_holds(db):
    asha, ravi, mod = people(db, "asha", "ravi", "mod")
    original, repeat = ask(db, asha.id), ask(db, asha.id, "Asked again")
    answer_id = db.create_answer(repeat, ravi.id, "A", "<p>A</p>", NOW)
    db.set_locked(repeat, True, NOW, actor_id=mod.id, reason="Heated")
    db.mark_duplicate(repeat, original, NOW, actor_id=mod.id, reason="Asked before")
    db.set_note(answer_id, "No longer applies.", LATER, actor_id=mod.id)
    question, answer = db.question(repeat), db.answer(answer_id)
    assert (question.locked, question.duplicate_of) == (True, original)
    assert (answer.note.text, answer.note.moderator_name, answer.note.at) == (
        "No longer applies.",
        "mod",
        LATER,
    )
    assert kinds(db)[-3:] == [
        ("locked", "question"),
        ("marked_duplicate", "question"),
        ("noted", "answer"),
    ]
    db.set_note(answer_id, None, LATER, actor_id=mod.id)
    db.mark_duplicate(repeat, None, LATER, actor_id=mod.id, reason="Different model")
    assert db.answer(answer_id).note is None and db.question(repeat).duplicate_of is None
    db.hold_for_review("answer", answer_id, LATER)
    assert db.answer(answer_id).hidden and db.question(repeat).answer_count == 0
    assert [(i.post_kind, i.why) for i in db.review_queue().items] == [("answer", "waiting")]


def test_a_promotion_keeps_the_text_as_promoted_and_follows_the_answer(db):
    asha, ravi, mod = people(db, "asha", "ravi", "mod")
    question_id = ask(db, asha.id)
    answer_id = db.create_answer(question_id, ravi.id, "A", "<p>First</p>", NOW)
    db.promote(answer_id, "en", "A page", "A summary", ["battery"], NOW, actor_id=mod.id)
    db.edit_answer(answer_id, ravi.id, "B", "<p>Later</p>", LATER)
    db.promote(answer_id, "ru", "Страница", "Кратко", [], LATER, actor_id=mod.id)
    promoted = db.promotion(answer_id)
    assert (promoted.lang, promoted.title, promoted.promoted_by, promoted.body_html) == (
        "ru",
        "Страница",
        "mod",
        "<p>Later</p>",
    )
    question = db.question(question_id)
    assert (question.promoted_answer_id, question.promoted_lang) == (answer_id, "ru")
    first, second = [e for e in events(db) if e.kind == "promoted"]
    assert (first.affected_id, dict(first.data)) == (ravi.id, {"lang": "en", "title": "A page"})
    assert second.data["previous_lang"] == "en"

    db.set_hidden("answer", answer_id, True, LATER, actor_id=mod.id, reason="Spam")
    assert db.promotion(answer_id) is None
    assert db.question(question_id).promoted_answer_id is None
    unpromoted = events(db)[-1]
    assert (unpromoted.kind, dict(unpromoted.data)) == (
        "unpromoted",
        {"lang": "ru", "reason": "hidden"},
    )
    assert not db.unpromote(answer_id, LATER, actor_id=mod.id, reason=None)


# Engagement


def award_batch(db: Store, user_id: int, points: int, key: str = "answer:1", **award):
    """A batch the awards consumer could apply: one entry and a badge, on the newest event."""
    (event,) = events(db)[-1:]
    booking = Booking(user_id, points, "answered", key, key, event.id, NOW, (("points", "all"),))
    badges = [Award(user_id, "badge", "answerer", "bronze", "", event.id, NOW)] if award else []
    return AwardUpdate([booking], {(user_id, "answers", "all"): 1}, badges)


def test_awards_apply_once_and_move_the_cursor_with_them(db):
    (asha,) = people(db, "asha")
    update = award_batch(db, asha.id, 5, award=True)
    assert db.apply_awards(update, "awards", None, "c1")
    assert db.consumer_cursor("awards") == "c1"
    after = db.user_by_id(asha.id)
    assert (after.reputation, after.balance, after.bronze) == (5, 5, 1)
    assert db.member_stats([asha.id], ["all"]) == {(asha.id, "answers", "all"): 1}
    assert [(e.kind, e.name, e.tier, e.period) for e in db.earned(asha.id)] == [
        ("badge", "answerer", "bronze", "")
    ]
    awarded = [e for e in events(db) if e.kind == "awarded"]
    assert [(e.affected_id, e.data["name"], e.data["tier"]) for e in awarded] == [
        (asha.id, "answerer", "bronze")
    ]
    # The same batch from a cursor that has moved on: refused whole.
    assert not db.apply_awards(update, "awards", None, "c1")
    # Met again past the cursor: the entry (event, member, key) and the badge are kept once.
    assert db.apply_awards(AwardUpdate(update.entries, {}, update.awards), "awards", "c1", "c2")
    again = db.user_by_id(asha.id)
    assert (again.reputation, again.balance, again.bronze) == (5, 5, 1)
    assert len(db.ledger_of(asha.id).items) == 1
    assert len([e for e in events(db) if e.kind == "awarded"]) == 1
    assert db.consumer_cursor("awards") == "c2"


def test_the_balance_stops_at_zero_and_reputation_does_not(db):
    (asha,) = people(db, "asha")
    db.apply_awards(award_batch(db, asha.id, 20, "granted:1"), "awards", None, "c1")
    db.apply_awards(award_batch(db, asha.id, -50, "granted:2"), "awards", "c1", "c2")
    user = db.user_by_id(asha.id)
    assert (user.reputation, user.balance) == (-30, 0)
    entries = db.ledger_of(asha.id).items
    assert [(e.points, e.spendable) for e in entries] == [(-50, -20), (20, 20)]
    assert db.leaderboard("points", "all", 10) == []  # only members above 0 are on a board


def test_leaderboards_are_ordered_by_the_period_points(db):
    asha, ravi, olga = people(db, "asha", "ravi", "olga")
    cursor = None
    for n, (user, points) in enumerate([(asha, 30), (ravi, 70), (olga, 30), (ravi, -10)]):
        update = award_batch(db, user.id, points, f"granted:{n}")
        assert db.apply_awards(update, "awards", cursor, str(n))
        cursor = str(n)
    leaders = db.leaderboard("points", "all", 10)
    assert [(x.username, x.points) for x in leaders] == [("ravi", 60), ("asha", 30), ("olga", 30)]
    assert [x.username for x in db.leaderboard("points", "all", 1)] == ["ravi"]
    assert db.points_of(ravi.id, [("points", "all"), ("points", "w2026-W48")]) == {
        ("points", "all"): 60
    }


def test_a_redemption_needs_the_stock_and_the_balance(db):
    asha, ravi, mia = people(db, "asha", "ravi", "mia")
    db.apply_awards(award_batch(db, asha.id, 700, "granted:1"), "awards", None, "c1")
    made = db.redeem(asha.id, "priority_service", 300, 2, NOW)
    assert (made.user_id, made.reward, made.cost, made.status) == (
        asha.id,
        "priority_service",
        300,
        "pending",
    )
    assert db.user_by_id(asha.id).balance == 400
    assert db.user_by_id(asha.id).reputation == 700  # spending keeps reputation
    with pytest.raises(NotEnoughPoints):
        db.redeem(ravi.id, "priority_service", 300, 2, NOW)
    assert db.redeemed() == {"priority_service": 1}  # a refusal takes no stock
    db.redeem(asha.id, "priority_service", 300, 2, NOW)
    with pytest.raises(OutOfStock):
        db.redeem(asha.id, "priority_service", 300, 2, NOW)
    assert db.user_by_id(asha.id).balance == 100 and db.redeemed() == {"priority_service": 2}
    assert [e.spendable for e in db.ledger_of(asha.id).items] == [-300, -300, 700]
    mine = db.redemptions(user_id=asha.id).items
    assert [r.status for r in mine] == ["pending", "pending"]
    assert [r.id for r in db.redemptions(status="pending").items] == [r.id for r in mine]
    # Fulfilled once: the second time finds it done and writes no event.
    done = db.fulfil(made.id, mia.id, LATER)
    assert (done.status, done.fulfilled_at) == ("fulfilled", LATER)
    assert db.fulfil(made.id, mia.id, LATER).status == "fulfilled"
    assert [e.entity_id for e in events(db) if e.kind == "fulfilled"] == [made.id]
    assert db.fulfil(made.id + 1000, mia.id, LATER) is None
    assert [r.id for r in db.redemptions(status="pending").items] == [mine[0].id]


def test_booked_reads_keys_and_posts_with_what_deletions_undid(db):
    (asha,) = people(db, "asha")
    (event,) = events(db)[-1:]
    entries = [
        Booking(asha.id, 5, "answered", "answer:1", "answer:1", event.id, NOW),
        Booking(asha.id, -5, "answered:deleted", "answer:1", "answer:1", event.id + 1, NOW),
        Booking(asha.id, 10, "upvoted", "vote:9:answer:1", "answer:1", event.id, NOW),
        Booking(asha.id, 2, "asked", "question:3", "question:3", event.id, NOW),
    ]
    db.apply_awards(AwardUpdate(entries), "awards", None, "c1")
    found = {(b.key, b.points, b.undone) for b in db.booked([], ["answer:1"])}
    assert found == {("answer:1", 0, -5), ("vote:9:answer:1", 10, 0)}
    found = {(b.key, b.points) for b in db.booked(["question:3"], [])}
    assert found == {("question:3", 2)}
