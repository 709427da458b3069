"""Flags, the review queue, moderator actions and the moderators' log, through the API on a
real SQLite file; the flag rules as plain functions."""

from __future__ import annotations

import doctest

import pytest
from conftest import QUESTION

from functions import flag_rules

ANSWER = {"body": "Try another cable first; most charging faults are the cable."}
LINKED = {"body": "Buy a new charger [here](https://cheap-chargers.example.com) today."}


def test_flag_rules():
    failed, attempted = doctest.testmod(flag_rules)
    assert attempted and not failed
    weight = flag_rules.flag_weight
    assert weight("moderator", 0, 0, new_account=True) == flag_rules.HIDE_AT
    assert weight("member", 0, 0, new_account=True) == 0.5
    assert weight("member", 0, 8, new_account=False) == 0.25  # flags rejected: a quarter
    assert weight("member", 50, 0, new_account=False) == 1.96  # towards twice, never more
    assert not flag_rules.hides(2.99) and flag_rules.hides(3.0)
    assert flag_rules.waits_for_review(True, 1) and not flag_rules.waits_for_review(False, 1)
    assert not flag_rules.waits_for_review(True, 0)


def flag(client, question, reason="spam", **extra):
    return client.call(
        "POST", f"/api/questions/{question['id']}/flags", {"reason": reason, **extra}
    )


def test_three_members_flags_hide_a_post_until_a_moderator_restores_it(member, anonymous, store):
    asha = member("asha")
    question = asha.ask()
    flaggers = [member(name, points=15) for name in ("f1", "f2", "f3")]
    assert flag(flaggers[0], question, note="A link to a shop").json == {"hidden": False}
    assert flag(flaggers[0], question).status == 409  # once each
    assert flag(asha, question).status == 403  # not one's own
    assert flag(flaggers[1], question, "offensive").json == {"hidden": False}
    assert flag(flaggers[2], question).json == {"hidden": True}
    path = f"/api/questions/{question['id']}"
    assert anonymous.get(path).status == 404
    assert asha.get(path).status == 200  # the author still sees it

    moderator = member("mod", role="moderator")
    (item,) = moderator.get("/api/review").json["items"]
    assert (item["post_id"], item["why"], item["flag_weight"], item["hidden"]) == (
        question["id"],
        "flagged",
        3.0,
        True,
    )
    assert [(f["flagger"]["username"], f["reason"]) for f in item["flags"]] == [
        ("f1", "spam"),
        ("f2", "offensive"),
        ("f3", "spam"),
    ]
    assert item["flags"][0]["note"] == "A link to a shop"
    assert item["revisions"][0]["body"] == QUESTION["body"]

    restore = {"action": "restore", "reason": "Not spam: a real question"}
    assert moderator.call("POST", f"{path}/moderation", restore).json == {
        "hidden": False,
        "deleted": False,
    }
    assert anonymous.get(path).status == 200
    assert moderator.get("/api/review").json["items"] == []
    assert store.user_by_username("f1").flags_rejected == 1
    # A flag the moderators rejected makes the next one weigh less.
    again = asha.ask(title="Another question about my charger")
    flag(flaggers[0], again)
    (waiting,) = moderator.get("/api/review").json["items"]
    assert waiting["flag_weight"] == pytest.approx(2 / 3, abs=0.01)


def test_a_moderators_flag_hides_at_once_and_hiding_upholds_the_flags(member, store):
    asha, ravi = member("asha", points=15), member("ravi")
    moderator = member("mod", role="moderator")
    question = asha.ask()
    answer = ravi.call("POST", f"/api/questions/{question['id']}/answers", ANSWER).json
    flagged = asha.call("POST", f"/api/answers/{answer['id']}/flags", {"reason": "incorrect"})
    assert flagged.json == {"hidden": False}
    path = f"/api/answers/{answer['id']}/moderation"
    assert moderator.call("POST", path, {"action": "hide"}).status == 422  # why?
    hidden = moderator.call("POST", path, {"action": "hide", "reason": "Wrong advice"})
    assert hidden.json == {"hidden": True, "deleted": False}
    assert store.user_by_username("asha").flags_upheld == 1
    other = asha.ask(title="A spam question to flag at once")
    assert flag(member("mod2", role="moderator"), other).json == {"hidden": True}


def test_a_new_members_post_with_links_waits_for_review(member, anonymous, store):
    asha = member("asha")
    question = asha.ask()
    newcomer = member("newbie", age_days=0.1)
    held = newcomer.call("POST", f"/api/questions/{question['id']}/answers", LINKED)
    assert held.status == 201
    path = f"/api/questions/{question['id']}"
    assert anonymous.get(path).json["answers"] == []
    assert anonymous.get(path).json["answer_count"] == 0
    assert len(newcomer.get(path).json["answers"]) == 1  # its author sees it
    moderator = member("mod", role="moderator")
    (item,) = moderator.get("/api/review").json["items"]
    assert (item["why"], item["post_kind"], item["flags"]) == ("waiting", "answer", [])
    approved = moderator.call(
        "POST", f"/api/answers/{held.json['id']}/moderation", {"action": "approve"}
    )
    assert approved.json == {"hidden": False, "deleted": False}
    assert anonymous.get(path).json["answer_count"] == 1
    assert store.user_by_username("newbie").answer_count == 1
    plain = member("newbie2", age_days=0.1).call(
        "POST", f"/api/questions/{question['id']}/answers", ANSWER
    )
    assert len(anonymous.get(path).json["answers"]) == 2  # no links: no wait
    assert plain.status == 201


def test_the_moderators_log_says_who_did_what_when_and_why(member, anonymous):
    asha, ravi = member("asha"), member("ravi")
    first, second = member("mod1", role="moderator"), member("mod2", role="moderator")
    question = asha.ask()
    answer = ravi.call("POST", f"/api/questions/{question['id']}/answers", ANSWER).json
    act = {
        "question": f"/api/questions/{question['id']}/moderation",
        "answer": f"/api/answers/{answer['id']}/moderation",
    }
    first.call("POST", act["answer"], {"action": "delete", "reason": "Duplicate answer"})
    assert anonymous.get(f"/api/questions/{question['id']}").json["answers"] == []
    second.call("POST", act["answer"], {"action": "undelete", "reason": "Not a duplicate"})
    assert len(anonymous.get(f"/api/questions/{question['id']}").json["answers"]) == 1
    first.call("POST", act["question"], {"action": "hide", "reason": "Off topic"})

    log = first.get("/api/moderation/log").json["items"]
    assert [(e["action"], e["moderator"]["username"], e["reason"]) for e in log] == [
        ("hidden", "mod1", "Off topic"),
        ("undeleted", "mod2", "Not a duplicate"),
        ("deleted", "mod1", "Duplicate answer"),
    ]
    assert all(e["at"] for e in log)
    by_first = first.get("/api/moderation/log?moderator=mod1").json["items"]
    assert {e["action"] for e in by_first} == {"hidden", "deleted"}
    one_post = first.get(f"/api/moderation/log?post_kind=answer&post_id={answer['id']}").json
    assert [e["action"] for e in one_post["items"]] == ["undeleted", "deleted"]
    deletions = first.get("/api/moderation/log?action=deleted&limit=1").json
    assert [e["action"] for e in deletions["items"]] == ["deleted"]
    half = first.get(f"/api/moderation/log?post_id={answer['id']}")
    assert half.status == 422
    page = first.get("/api/moderation/log?limit=2").json
    rest = first.get(f"/api/moderation/log?limit=2&cursor={page['next_cursor']}").json
    assert len(page["items"]) == 2 and len(rest["items"]) == 1


def test_a_locked_question_takes_nothing_new_but_from_moderators(member, anonymous):
    asha, ravi, moderator = member("asha"), member("ravi"), member("mod", role="moderator")
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    answer = ravi.call("POST", f"{path}/answers", ANSWER).json
    lock = {"action": "lock", "reason": "Heated thread"}
    assert moderator.call("POST", f"{path}/moderation", lock).status == 200
    assert anonymous.get(path).json["locked"] is True
    refused = ravi.call("POST", f"{path}/answers", ANSWER)
    assert refused.status == 403 and "locked" in refused.json["detail"]
    assert ravi.call("PUT", f"{path}/vote", {"value": 1}).status == 403
    assert asha.call("POST", f"/api/answers/{answer['id']}/comments", {"body": "Hi"}).status == 403
    assert asha.call("PATCH", path, {"title": "A changed title for my question"}).status == 403
    assert moderator.call("POST", f"{path}/answers", ANSWER).status == 201
    answer_action = moderator.call("POST", f"/api/answers/{answer['id']}/moderation", lock)
    assert answer_action.status == 422  # only questions lock
    unlock = {"action": "unlock", "reason": "Calmer now"}
    assert moderator.call("POST", f"{path}/moderation", unlock).status == 200
    assert ravi.call("PUT", f"{path}/vote", {"value": 1}).status == 200


def test_a_duplicate_links_to_its_original(member, anonymous):
    asha, moderator = member("asha"), member("mod", role="moderator")
    original, repeat = asha.ask(), asha.ask(title="My phone stopped charging again")
    path = f"/api/questions/{repeat['id']}/moderation"
    mark = {"action": "mark_duplicate", "reason": "Asked before"}
    assert moderator.call("POST", path, mark).status == 422  # which one?
    itself = moderator.call("POST", path, {**mark, "duplicate_of": repeat["id"]})
    assert itself.status == 422
    assert moderator.call("POST", path, {**mark, "duplicate_of": original["id"]}).status == 200
    seen = anonymous.get(f"/api/questions/{repeat['id']}").json
    assert seen["duplicate_of"] == original["id"]
    unmark = {"action": "unmark_duplicate", "reason": "Different model"}
    assert moderator.call("POST", path, unmark).status == 200
    assert anonymous.get(f"/api/questions/{repeat['id']}").json["duplicate_of"] is None


def test_a_moderators_note_and_an_edit_with_a_reason(member, anonymous):
    asha, ravi, moderator = member("asha"), member("ravi"), member("mod", role="moderator")
    question = asha.ask()
    answer = ravi.call("POST", f"/api/questions/{question['id']}/answers", ANSWER).json
    note_path = f"/api/answers/{answer['id']}/moderator-note"
    text = "This no longer applies since firmware 4.2; see the charging guide."
    assert ravi.call("PUT", note_path, {"text": text}).status == 403
    assert moderator.call("PUT", note_path, {"text": text}).json == {"text": text}
    (shown,) = anonymous.get(f"/api/questions/{question['id']}").json["answers"]
    assert shown["moderator_note"]["text"] == text
    assert shown["moderator_note"]["moderator"]["username"] == "mod"
    assert moderator.call("PUT", note_path, {"text": None}).json == {"text": None}
    (shown,) = anonymous.get(f"/api/questions/{question['id']}").json["answers"]
    assert shown["moderator_note"] is None

    edit = {"body": "Try another cable first; then the socket.", "reason": "Safer advice"}
    assert moderator.call("PATCH", f"/api/answers/{answer['id']}", edit).status == 200
    revisions = anonymous.get(f"/api/answers/{answer['id']}/revisions").json["items"]
    assert [r["reason"] for r in revisions] == ["Safer advice", None]
    log = moderator.get("/api/moderation/log?action=noted").json["items"]
    assert [entry["reason"] for entry in log] == [None, text]


def test_a_new_member_who_edits_links_in_waits_for_review_again(member, anonymous):
    asha = member("asha")
    question = asha.ask()
    newcomer = member("newbie", age_days=0.1)
    answer = newcomer.call("POST", f"/api/questions/{question['id']}/answers", ANSWER).json
    path = f"/api/questions/{question['id']}"
    assert len(anonymous.get(path).json["answers"]) == 1  # no links: shown at once
    assert newcomer.call("PATCH", f"/api/answers/{answer['id']}", LINKED).status == 200
    assert anonymous.get(path).json["answers"] == []
    moderator = member("mod", role="moderator")
    (item,) = moderator.get("/api/review").json["items"]
    assert (item["post_id"], item["why"]) == (answer["id"], "waiting")


def test_approve_is_for_what_waits_and_moderators_edits_are_logged(member):
    asha, moderator = member("asha"), member("mod", role="moderator")
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    hidden = moderator.call("POST", f"{path}/moderation", {"action": "hide", "reason": "Rude"})
    assert hidden.status == 200
    approve = moderator.call("POST", f"{path}/moderation", {"action": "approve"})
    assert approve.status == 422 and "restore" in approve.json["detail"]
    edit = {"title": "A kinder title for this question", "reason": "Rude title"}
    assert moderator.call("PATCH", path, edit).status == 200
    asha.call("PATCH", path, {"title": "My own better title for the question"})  # not logged
    log = moderator.get("/api/moderation/log").json["items"]
    assert [(e["action"], e["reason"]) for e in log] == [
        ("edited", "Rude title"),
        ("hidden", "Rude"),
    ]
    # The review queue shows each revision with the reason its editor gave.
    restore = {"action": "restore", "reason": "Kinder now"}
    assert moderator.call("POST", f"{path}/moderation", restore).status == 200
    flag(member("ravi", points=15), question, "offensive")
    (item,) = moderator.get("/api/review").json["items"]
    assert [r["reason"] for r in item["revisions"]][:2] == [None, "Rude title"]
