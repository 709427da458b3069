"""The engagement programme through the API and a real SQLite store: the ledger, replays,
privileges, leaderboards, quests, the badge catalogue and notifications in-process; awards
and redemptions under concurrent requests against a real `portal serve` on loopback."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import PASSWORD, flask_client, http_client
from portal_testing import PortalPaths, wait_for

from core.gamification import ACTS, PRIVILEGES, programme
from core.languages import CODES
from functions import accounts, awards
from functions.app import create_app
from functions.consumers import catch_up, consumers
from functions.engagement_rules import month_of, period_keys, week_of
from functions.store import Store, iso, open_store, utcnow

RULES = programme()


def me(client) -> int:
    return client.user["id"]


def ledger(store: Store, user_id: int) -> list:
    """Every ledger entry of a member, page by page."""
    entries, cursor = [], None
    while True:
        page = store.ledger_of(user_id, cursor, 50)
        entries += page.items
        if not (cursor := page.next_cursor):
            return entries


def answer(client, question_id: int, body: str = "Try another cable and a wall socket.") -> dict:
    reply = client.call("POST", f"/api/questions/{question_id}/answers", {"body": body})
    assert reply.status == 201, reply
    return reply.json


def vote(client, kind: str, post_id: int, value: int):
    return client.call("PUT", f"/api/{kind}s/{post_id}/vote", {"value": value})


def accept(client, question_id: int, answer_id: int | None):
    return client.call(
        "PUT", f"/api/questions/{question_id}/accepted-answer", {"answer_id": answer_id}
    )


def moderate(client, kind: str, post_id: int, action: str, reason: str | None = "Cleaning up"):
    body = {"action": action, **({"reason": reason} if reason else {})}
    return client.call("POST", f"/api/{kind}s/{post_id}/moderation", body)


def snapshot(store) -> dict[str, object]:
    """What the awards consumer and the notifications after it have written, members named
    (to compare two stores), read through the store's contract."""
    events = store.events_after(None, 10_000).events
    ids = sorted({event.entity_id for event in events if event.kind == "signed_up"})
    members = store.users_by_id(ids)
    named = {user.id: user.username for user in members}
    periods = {"all"} | {period for event in events for period in period_keys(event.at)}
    stats = store.member_stats(ids, sorted(periods))
    return {
        "users": sorted(
            (u.username, u.reputation, u.balance, u.gold, u.silver, u.bronze) for u in members
        ),
        "ledger": sorted(
            Counter(
                (named[user], entry.points, entry.spendable, entry.reason)
                for user in ids
                for entry in store.ledger_of(user, None, 1000).items
            ).items()
        ),
        "stats": sorted(
            (named[user], name, period, value)
            for (user, name, period), value in stats.items()
            if value and not name.startswith("streak_day")
        ),
        "awards": sorted(
            (named[user], a.kind, a.name, a.tier, a.period)
            for user in ids
            for a in store.earned(user)
        ),
        "notifications": sorted(
            (named[user], n.kind, n.question_id is not None, n.read)
            for user in ids
            for n in store.notifications(user, None, 1000).items
        ),
        "events": len(events),
    }


# A day in the community: asking, answering, voting, accepting and taking it back, a
# deletion and its undoing, points a moderator gives and takes, a redemption.


def community_day(member, store, deliver) -> dict:
    asha, ravi = member("asha"), member("ravi")
    olga, mia = member("olga", points=60), member("mia", role="moderator")
    question = asha.ask()
    first = answer(ravi, question["id"])
    second = answer(olga, question["id"], "Clean the port with a dry toothbrush.")
    deliver()
    assert vote(olga, "answer", first["id"], 1).status == 200
    assert vote(olga, "question", question["id"], -1).status == 200
    assert vote(asha, "answer", second["id"], 1).status == 200
    assert accept(asha, question["id"], first["id"]).status == 200
    deliver()
    assert accept(asha, question["id"], second["id"]).status == 200  # replaces the first
    assert vote(olga, "question", question["id"], 1).status == 200  # changes her mind
    deliver()
    assert moderate(mia, "answer", second["id"], "delete").status == 200
    deliver()
    assert moderate(mia, "answer", second["id"], "undelete").status == 200
    assert accept(asha, question["id"], first["id"]).status == 200
    deliver()
    grant = {"points": 400, "reason": "Helped at the service desk"}
    assert mia.call("POST", f"/api/users/{me(ravi)}/points", grant).status == 204
    deliver()
    assert ravi.call("POST", "/api/redemptions", {"reward": "priority_service"}).status == 201
    take = {"points": -1000, "reason": "Points farmed with a second account"}
    assert mia.call("POST", f"/api/users/{me(ravi)}/points", take).status == 204
    deliver()
    return {"asha": asha, "ravi": ravi, "olga": olga, "mia": mia, "question": question}


def test_reputation_and_balance_are_the_sums_of_the_ledger(member, store, deliver):
    people = community_day(member, store, deliver)
    for name in ("asha", "ravi", "olga", "mia"):
        user = store.user_by_username(name)
        entries = ledger(store, user.id)
        assert user.reputation == sum(e.points for e in entries), name
        assert user.balance == sum(e.spendable for e in entries) >= 0, name
    # Ravi: more taken than he had left to spend: the balance stops at 0, reputation does not.
    ravi = store.user_by_username("ravi")
    assert ravi.balance == 0 and ravi.reputation < 0
    assert [e.reason for e in ledger(store, ravi.id)][:2] == ["granted", "redeemed"]
    # The member reads the same through the API, page by page.
    client, total, spendable, path = people["olga"], 0, 0, f"/api/users/{me(people['olga'])}"
    cursor = ""
    while True:
        page = client.get(f"{path}/points?limit=2{cursor}").json
        total += sum(e["points"] for e in page["items"])
        spendable += sum(e["spendable"] for e in page["items"])
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    profile = client.get(path).json
    assert profile["standing"]["reputation"] == total
    assert profile["balance"] == spendable
    # Asha: asked 2, accepting 2 (the first answer's acceptance replaced and given again).
    asha = store.user_by_username("asha")
    assert asha.reputation == RULES.points["asked"] + RULES.points["accepting"]


def test_the_ledger_is_for_the_member_and_moderators(member, store, deliver):
    people = community_day(member, store, deliver)
    path = f"/api/users/{me(people['ravi'])}/points"
    assert people["olga"].get(path).status == 403
    assert people["mia"].get(path).status == 200
    refused = people["olga"].call("POST", path, {"points": 5, "reason": "Thanks a lot"})
    assert refused.status == 403
    assert people["mia"].call("POST", path, {"points": 0, "reason": "Nothing"}).status == 422
    missing = people["mia"].call(
        "POST", "/api/users/999999/points", {"points": 5, "reason": "Thanks a lot"}
    )
    assert missing.status == 404 and missing.json["code"] == "no_such_member"


def test_a_stale_batch_changes_nothing(member, store, deliver):
    community_day(member, store, deliver)
    before = snapshot(store)
    page = store.events_after(None, 10_000)
    # The batch from the start of the log, as a runner that read the cursor before another
    # runner moved it would apply it: the store refuses it whole.
    awards.handle(store, page.events, None, page.cursor)
    deliver()
    assert snapshot(store) == before


def test_replaying_the_log_changes_nothing(member, store, deliver):
    community_day(member, store, deliver)
    before = snapshot(store)
    cursor = store.consumer_cursor(awards.CONSUMER)
    events = store.events_after(None, 10_000).events
    # The whole log again, past the cursor check (a stream's retry has no cursor to check),
    # then with every event twice in one batch.
    awards.handle(store, events, cursor, cursor)
    awards.handle(store, [e for e in events for _ in (0, 1)], cursor, cursor)
    deliver()
    after = snapshot(store)
    for table in ("ledger", "users", "awards", "notifications", "events", "stats"):
        assert after[table] == before[table], table


def test_a_batch_with_duplicates_books_what_a_batch_without_them_does(tmp_path):
    """The same day in two stores: one's awards consumer gets every batch with its events
    two or three times over, the other's gets it as the log has it."""
    states = []
    for doubled in (False, True):
        paths = PortalPaths.under(tmp_path / str(doubled))
        app = create_app(paths.settings())
        store = app.extensions["portal_store"]
        try:

            def member(name, role="member", points=0, store=store, app=app):
                joined = iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
                user = accounts.create_user(
                    store, name, f"{name}@example.com", PASSWORD, role, joined
                )
                if points:
                    store.grant_points(user.id, points, "set-up", None, utcnow())
                client = flask_client(app)
                assert client.sign_in(name).status == 200
                return client

            def deliver(store=store, app=app, doubled=doubled):
                after = store.consumer_cursor(awards.CONSUMER)
                page = store.events_after(after, 10_000)
                if page.events:
                    events = page.events
                    if doubled:
                        events = [*events, *reversed(events[: len(events) // 2]), *events]
                        events = sorted(events, key=lambda e: e.id)  # repeats side by side
                    awards.handle(store, events, after, page.cursor)
                for consumer in consumers(app.config["PORTAL_SETTINGS"]):
                    catch_up(store, consumer)

            community_day(member, store, deliver)
            states.append(snapshot(store))
        finally:
            store.close()
    plain, doubled = states
    assert plain == doubled
    assert plain["awards"] and plain["ledger"]


def test_a_deletion_in_the_same_batch_as_the_points_takes_them_back(member, store, deliver):
    asha, ravi = member("asha"), member("ravi")
    olga, mia = member("olga", points=60), member("mia", role="moderator")
    question = asha.ask()
    deliver()
    given = answer(ravi, question["id"])
    assert vote(olga, "answer", given["id"], 1).status == 200
    assert moderate(mia, "answer", given["id"], "delete").status == 200
    deliver()  # the worker meets all three in one batch
    assert store.user_by_id(me(ravi)).reputation == 0


# Acceptance


def test_the_asker_accepting_earns_and_unaccepting_takes_back(member, store, deliver):
    asha, ravi = member("asha"), member("ravi")
    question = asha.ask()
    given = answer(ravi, question["id"])
    deliver()
    assert accept(asha, question["id"], given["id"]).status == 200
    deliver()
    p = RULES.points
    assert store.user_by_id(me(ravi)).reputation == p["answered"] + p["accepted"]
    assert store.user_by_id(me(asha)).reputation == p["asked"] + p["accepting"]
    assert accept(asha, question["id"], None).status == 200
    deliver()
    assert store.user_by_id(me(ravi)).reputation == p["answered"]
    assert store.user_by_id(me(asha)).reputation == p["asked"]
    assert ledger(store, me(ravi))[0].reason == "accepted:unaccepted"  # newest first


def test_a_moderator_accepting_for_the_asker_earns_no_accepting_points(member, store, deliver):
    asha, ravi, mia = member("asha"), member("ravi"), member("mia", role="moderator")
    question = asha.ask()
    given = answer(ravi, question["id"])
    assert accept(mia, question["id"], given["id"]).status == 200
    deliver()
    assert (
        store.user_by_id(me(ravi)).reputation == RULES.points["answered"] + RULES.points["accepted"]
    )
    assert store.user_by_id(me(mia)).reputation == 0


def test_accepting_ones_own_answer_earns_nothing(member, store, deliver):
    asha = member("asha")
    question = asha.ask()
    own = answer(asha, question["id"])
    deliver()
    before = store.user_by_id(me(asha)).reputation
    assert accept(asha, question["id"], own["id"]).status == 200
    deliver()
    assert store.user_by_id(me(asha)).reputation == before


def test_helpful_on_a_promoted_page_pays_the_author_not_the_reader(member, store, deliver):
    asha, ravi, olga = member("asha"), member("ravi"), member("olga")
    question = asha.ask()
    given = answer(ravi, question["id"])
    deliver()
    page = f"community/answer-{given['id']}/"
    store.give_feedback("visitor-1", "en", page, True, None, None, me(olga), utcnow())
    store.give_feedback("visitor-2", "ru", page, True, None, None, me(ravi), utcnow())  # his own
    store.give_feedback("visitor-3", "en", "faq/refunds/", True, None, None, me(olga), utcnow())
    deliver()
    p = RULES.points
    assert store.user_by_id(me(ravi)).reputation == p["answered"] + p["helpful"]
    assert store.user_by_id(me(olga)).reputation == 0
    assert ("badge", "useful", "bronze") in {
        (e.kind, e.name, e.tier) for e in store.earned(me(ravi))
    }
    store.give_feedback("visitor-1", "en", page, False, "outdated", None, me(olga), utcnow())
    deliver()
    assert store.user_by_id(me(ravi)).reputation == p["answered"]


# Privileges by level


def refusal(reply, number: int):
    assert reply.status == 403, reply
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    assert reply.json["code"] == "privilege_needed"
    assert f" {number}" in reply.json["detail"]
    return reply.json["detail"]


LEVEL = {p: RULES.unlocked_at(p) for p in PRIVILEGES}


def test_flagging_needs_level_2(member):
    asha, high = member("asha"), member("high", points=LEVEL["flag"].points)
    low = member("low", points=LEVEL["flag"].points - 1)
    question = asha.ask()
    path = f"/api/questions/{question['id']}/flags"
    detail = refusal(low.call("POST", path, {"reason": "spam"}), 2)
    assert "Member" in detail and "flag posts for moderators" in detail
    russian = low.call("POST", path, {"reason": "spam"}, headers={"Accept-Language": "ru"})
    detail = refusal(russian, 2)
    assert "уровня 2" in detail and "«Участник»" in detail and "отмечать записи" in detail
    assert high.call("POST", path, {"reason": "spam"}).status == 201


def test_voting_down_and_commenting_anywhere_need_level_3(member):
    asha, ravi = member("asha"), member("ravi")
    below = member("below", points=LEVEL["vote_down"].points - 1)
    at = member("at", points=LEVEL["vote_down"].points)
    question = asha.ask()
    given = answer(ravi, question["id"])
    detail = refusal(vote(below, "answer", given["id"], -1), 3)
    assert (
        "Regular" in detail
        and "vote down" in detail
        and f"({LEVEL['vote_down'].points} points)" in detail
    )
    assert vote(below, "answer", given["id"], 1).status == 200  # voting up needs no level
    assert vote(at, "answer", given["id"], -1).status == 200
    # Comments: on anyone's post from level 3; on one's own posts and answers to one's own
    # question at any level.
    comment = {"body": "Which charger model is it, exactly?"}
    refused = below.call("POST", f"/api/questions/{question['id']}/comments", comment)
    detail = refusal(refused, 3)
    hindi = below.call(
        "POST",
        f"/api/answers/{given['id']}/comments",
        comment,
        headers={"Accept-Language": "hi"},
    )
    assert "स्तर 3" in refusal(hindi, 3)
    assert asha.call("POST", f"/api/answers/{given['id']}/comments", comment).status == 201
    assert ravi.call("POST", f"/api/answers/{given['id']}/comments", comment).status == 201
    assert at.call("POST", f"/api/questions/{question['id']}/comments", comment).status == 201


def test_editing_others_posts_needs_level_4(member, store):
    asha, ravi = member("asha"), member("ravi")
    below = member("below", points=LEVEL["edit_others"].points - 1)
    at = member("at", points=LEVEL["edit_others"].points)
    question = asha.ask()
    given = answer(ravi, question["id"])
    edit = {"body": "It stopped charging overnight, after the latest update."}
    detail = refusal(below.call("PATCH", f"/api/questions/{question['id']}", edit), 4)
    assert "Trusted" in detail
    russian = below.call(
        "PATCH", f"/api/answers/{given['id']}", edit, headers={"Accept-Language": "ru"}
    )
    assert "«Надёжный участник»" in refusal(russian, 4)
    assert at.call("PATCH", f"/api/questions/{question['id']}", edit).status == 200
    assert at.call("PATCH", f"/api/answers/{given['id']}", edit).status == 200
    assert store.question(question["id"]).body == edit["body"]


def test_the_review_queue_needs_level_5(member, store, deliver):
    asha = member("asha")
    newcomer = member("newcomer", age_days=0)
    below = member("below", points=LEVEL["review_queue"].points - 1)
    expert = member("expert", points=LEVEL["review_queue"].points)
    mia = member("mia", role="moderator")
    question = asha.ask()
    # A new member's answer with a link waits for review.
    held = answer(
        newcomer, question["id"], "See [the list](https://example.com/chargers) of chargers."
    )
    visible = answer(asha, question["id"], "My own answer, visible at once.")
    detail = refusal(below.get("/api/review"), 5)
    assert "Expert" in detail and "work the review queue" in detail
    khmer = below.call("GET", "/api/review", headers={"Accept-Language": "km"})
    assert "កម្រិត 5" in refusal(khmer, 5)
    queue = expert.get("/api/review")
    assert queue.status == 200
    assert [item["post_id"] for item in queue.json["items"]] == [held["id"]]
    assert mia.get("/api/review").status == 200  # staff bypass
    # A reviewer approves what waits, but may not hide what does not wait, nor delete.
    refusal(moderate(below, "answer", held["id"], "approve", None), 5)
    assert moderate(expert, "answer", visible["id"], "hide").status == 403
    assert moderate(expert, "answer", held["id"], "delete").status == 403
    assert moderate(expert, "answer", held["id"], "approve", None).status == 200
    assert store.answer(held["id"]).visible
    deliver()
    # Let through, the held answer earns its points then.
    assert store.user_by_username("newcomer").reputation == RULES.points["answered"]


def test_moderators_have_every_privilege_at_any_level(member):
    asha, ravi, mia = member("asha"), member("ravi"), member("mia", role="moderator")
    question = asha.ask()
    given = answer(ravi, question["id"])
    assert vote(mia, "answer", given["id"], -1).status == 200
    assert mia.call("POST", f"/api/answers/{given['id']}/flags", {"reason": "spam"}).status == 201
    assert mia.get(f"/api/users/{me(mia)}").json["standing"]["privileges"] == list(PRIVILEGES)
    assert mia.get(f"/api/users/{me(mia)}").json["standing"]["reputation"] == 0


def test_a_profile_shows_the_level_privileges_and_badges(member, store, deliver, anonymous):
    asha = member("asha", points=LEVEL["vote_down"].points)
    ravi = member("ravi")
    asha.ask()
    deliver()
    path = f"/api/users/{me(asha)}"
    own = asha.get(path).json
    standing = own["standing"]
    assert standing["reputation"] == LEVEL["vote_down"].points + RULES.points["asked"]
    assert standing["level"]["number"] == 3 and standing["level"]["name"] == "Regular"
    assert standing["next_level"]["number"] == 4
    assert standing["points_to_next_level"] == 250 - standing["reputation"]
    assert standing["privileges"] == ["flag", "vote_down", "comment_everywhere"]
    assert standing["badge_counts"] == {"gold": 0, "silver": 0, "bronze": 1}
    assert [(b["id"], b["tier"]) for b in own["badges"]] == [("asker", "bronze")]
    assert own["balance"] == standing["reputation"]
    assert own["next_badges"] and all(b["have"] < b["need"] for b in own["next_badges"])
    # Others see the standing, not the balance; in their language.
    assert ravi.get(path).json["balance"] is None
    seen = anonymous.call("GET", path, headers={"Accept-Language": "ru"}).json
    assert seen["balance"] is None and seen["standing"]["level"]["name"] == "Постоянный участник"
    assert seen["badges"][0]["name"] == "Любознательный"
    assert anonymous.get("/api/users/999999").status == 404


# Leaderboards


def test_leaderboards_by_week_month_all_time_and_tag(member, store, deliver, anonymous):
    now = dt.datetime.now(dt.UTC)
    old, last_week = iso(now - dt.timedelta(days=70)), iso(now - dt.timedelta(days=7))
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    dave = member("dave")
    store.grant_points(me(alice), 300, "long ago", None, old)
    store.grant_points(me(bob), 40, "last week", None, last_week)
    store.grant_points(me(bob), 30, "this week", None, utcnow())
    question = dave.ask(tags=["warranty"])
    given = answer(carol, question["id"])  # 5, on the warranty board too
    deliver()
    assert vote(dave, "answer", given["id"], 1).status == 200  # 10 more
    deliver()

    def board(client=anonymous, **query):
        text = "&".join(f"{k}={v}" for k, v in query.items())
        reply = client.get(f"/api/leaderboard?{text}")
        assert reply.status == 200, reply
        return reply.json

    def ranks(found):
        return [(leader["user"]["username"], leader["points"]) for leader in found["items"]]

    week = board(period="week")
    assert week["period_key"] == week_of(utcnow()) and week["viewer_points"] is None
    assert ranks(week) == [("bob", 30), ("carol", 15), ("dave", 2)]
    assert [leader["rank"] for leader in week["items"]] == [1, 2, 3]
    month = board(period="month")
    assert month["period_key"] == month_of(utcnow())
    bob_month = 30 + (40 if month_of(last_week) == month_of(utcnow()) else 0)
    assert dict(ranks(month))["bob"] == bob_month and "alice" not in dict(ranks(month))
    everything = board(period="all")
    assert ranks(everything) == [("alice", 300), ("bob", 70), ("carol", 15), ("dave", 2)]
    assert everything["items"][0]["level"] == RULES.level_for(300).number
    assert ranks(board(period="all", tag="warranty")) == [("carol", 15), ("dave", 2)]
    assert ranks(board(period="week", tag="Warranty"))[0] == ("carol", 15)
    assert board(period="all", tag="battery")["items"] == []
    assert ranks(board(period="all", limit=2)) == [("alice", 300), ("bob", 70)]
    # The viewer's own points on the board, on it or not.
    assert board(bob, period="all")["viewer_points"] == 70
    assert board(carol, period="week", tag="warranty")["viewer_points"] == 15
    assert board(alice, period="week")["viewer_points"] == 0
    assert anonymous.get("/api/leaderboard?period=year").status == 422


# Quests


def test_quest_progress_and_its_reward_once(member, store, deliver, anonymous):
    quest = RULES.quests["curator"]
    asha, ravi = member("asha"), member("ravi")
    now = utcnow()
    questions = [
        store.create_question(
            me(asha),
            f"Question number {n} about chargers",
            "Body",
            "<p>Body</p>",
            "Body",
            ["battery"],
            "en",
            now,
        )
        for n in range(quest.target + 2)
    ]

    def curator(client):
        found = {q["id"]: q for q in client.get("/api/quests").json["items"]}
        return found["curator"]

    assert curator(ravi)["progress"] == 0 and not curator(ravi)["done"]
    for question_id in questions[: quest.target - 1]:
        assert vote(ravi, "question", question_id, 1).status == 200
    deliver()
    progress = curator(ravi)
    assert progress["progress"] == quest.target - 1 and not progress["done"]
    assert progress["period_key"] == week_of(now) and progress["reward"] == quest.reward
    for question_id in questions[quest.target - 1 :]:
        assert vote(ravi, "question", question_id, 1).status == 200
    deliver()
    progress = curator(ravi)
    assert progress["done"] and progress["progress"] == quest.target
    paid = [e for e in ledger(store, me(ravi)) if e.reason == "quest"]
    assert [e.points for e in paid] == [quest.reward]
    assert store.user_by_id(me(ravi)).reputation == quest.reward
    # Withdrawing and voting again does not pay it twice.
    assert vote(ravi, "question", questions[0], 0).status == 200
    assert vote(ravi, "question", questions[0], 1).status == 200
    deliver()
    assert [e.points for e in ledger(store, me(ravi)) if e.reason == "quest"] == [quest.reward]
    # A notification of kind "quest" names it with its points.
    notes = [n for n in ravi.get("/api/notifications").json["items"] if n["kind"] == "quest"]
    assert [(n["award"]["id"], n["award"]["points"]) for n in notes] == [("curator", quest.reward)]
    # Signed out: the quests without progress.
    assert curator(anonymous)["progress"] is None and not curator(anonymous)["done"]


# The badge catalogue and notifications


@pytest.mark.parametrize("lang", CODES)
def test_the_badge_catalogue_is_complete_in_every_language(anonymous, lang):
    reply = anonymous.call("GET", "/api/badges", headers={"Accept-Language": lang})
    assert reply.status == 200
    found = reply.json
    assert [(p["act"], p["points"]) for p in found["points"]] == [
        (act, RULES.points[act]) for act in ACTS
    ]
    # The cap limits what is earned: the uncapped acts and what costs points pass it.
    costs = {act for act, points in RULES.points.items() if points < 0}
    assert {p["act"] for p in found["points"] if not p["capped"]} == {*RULES.uncapped, *costs}
    assert found["daily_cap"] == RULES.daily_cap
    assert found["privileges"] == {p: RULES.privileges[p][lang] for p in PRIVILEGES}
    assert [(lv["number"], lv["name"], lv["points"]) for lv in found["levels"]] == [
        (lv.number, lv.name[lang], lv.points) for lv in RULES.levels
    ]
    assert [b["id"] for b in found["badges"]] == list(RULES.badges)
    for shown in found["badges"]:
        badge = RULES.badges[shown["id"]]
        assert shown["name"] == badge.name[lang] and shown["per"] == badge.per
        assert [(t["tier"], t["need"]) for t in shown["tiers"]] == list(badge.tiers.items())
        for tier in shown["tiers"]:
            assert tier["description"] == badge.description[lang].format(n=tier["need"])
            assert "{" not in tier["description"] and str(tier["need"]) in tier["description"]


def test_quests_and_rewards_speak_the_clients_language(anonymous):
    for lang in CODES:
        headers = {"Accept-Language": lang}
        quests = anonymous.call("GET", "/api/quests", headers=headers).json["items"]
        assert [(q["id"], q["name"], q["progress"]) for q in quests] == [
            (q.id, q.name[lang], None) for q in RULES.quests.values()
        ]
        rewards = anonymous.call("GET", "/api/rewards", headers=headers).json
        assert rewards["balance"] is None
        assert [(r["id"], r["name"], r["left"]) for r in rewards["items"]] == [
            (r.id, r.name[lang], r.stock) for r in RULES.rewards.values()
        ]


def test_a_badge_is_a_notification_once(member, store, deliver):
    asha = member("asha")
    asha.ask()
    asha.ask(title="A second question about the charger")
    deliver()
    deliver()
    notes = [n for n in asha.get("/api/notifications").json["items"] if n["kind"] == "badge"]
    assert len(notes) == 1
    (note,) = notes
    assert note["award"] == {
        "kind": "badge",
        "id": "asker",
        "name": "Curious",
        "tier": "bronze",
        "points": 0,
    }
    russian = asha.call("GET", "/api/notifications", headers={"Accept-Language": "ru"}).json
    assert [n["award"]["name"] for n in russian["items"] if n["kind"] == "badge"] == [
        "Любознательный"
    ]


# Against a real `portal serve`


@pytest.fixture
def served_store(served_paths):
    store = open_store(served_paths.settings().store)
    yield store
    store.close()


def made(store: Store, prefix: str, count: int, points: int = 0, role: str = "member") -> list:
    """Members made in the store (sign-ups per address are limited), with ``points`` as an
    admin gives them, booked by the server's own worker."""
    joined = iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    users = [
        accounts.create_user(
            store, f"{prefix}{n}", f"{prefix}{n}@example.com", PASSWORD, role, joined
        )
        for n in range(count)
    ]
    if points:
        for user in users:
            store.grant_points(user.id, points, "set-up", None, utcnow())
        ids = [user.id for user in users]
        assert wait_for(lambda: all(u.reputation >= points for u in store.users_by_id(ids)))
    return users


def signed_in(base: str, name: str):
    client = http_client(base)
    assert client.sign_in(name).status == 200
    client.csrf()
    return client


def at_once(calls) -> list:
    """Run every call on its own thread, all let go together."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_fifty_upvotes_at_once_award_each_badge_once(served, served_store):
    store = served_store
    (asker,) = made(store, "asker", 1)
    (author,) = made(store, "author", 1)
    made(store, "fan", 50)
    asha = signed_in(served, asker.username)
    question = asha.ask()
    given = answer(signed_in(served, author.username), question["id"])
    with ThreadPoolExecutor(10) as pool:
        fans = list(pool.map(lambda n: signed_in(served, f"fan{n}"), range(50)))
    replies = at_once([lambda fan=fan: vote(fan, "answer", given["id"], 1).status for fan in fans])
    assert replies == [200] * 50
    tiers = list(RULES.badges["good_answer"].tiers)
    ravi = signed_in(served, author.username)

    def good_answer_notes():
        items = ravi.get("/api/notifications?limit=50").json["items"]
        return sorted(
            n["award"]["tier"]
            for n in items
            if n["kind"] == "badge" and n["award"]["id"] == "good_answer"
        )

    assert wait_for(lambda: good_answer_notes() == sorted(tiers), 30)
    earned = [(e.name, e.tier) for e in store.earned(author.id) if e.name == "good_answer"]
    assert sorted(earned) == sorted(("good_answer", t) for t in tiers)
    # Once the worker has caught up: each vote booked once, the day's cap kept.
    assert wait_for(lambda: store.consumer_cursor("awards") == store.latest_cursor(), 30)
    entries = ledger(store, author.id)
    votes = [e for e in entries if e.reason == "upvoted"]
    assert len({e.key for e in votes}) == len(votes)  # no vote booked twice
    assert sum(e.points for e in votes) == RULES.daily_cap - RULES.points["answered"]
    assert sum(e.points for e in entries) == store.user_by_id(author.id).reputation
    assert store.user_by_id(author.id).reputation == RULES.daily_cap
    user = store.user_by_id(author.id)
    assert (user.gold, user.silver, user.bronze) == (1, 1, 2)  # and "answerer" bronze
    assert good_answer_notes() == sorted(tiers)


def test_fifty_identical_acceptances_at_once_accept_once(served, served_store):
    store = served_store
    (asker,) = made(store, "asker2-", 1)
    (author,) = made(store, "author2-", 1)
    (moderator,) = made(store, "moderator2-", 1, role="moderator")
    question = signed_in(served, asker.username).ask()
    given = answer(signed_in(served, author.username), question["id"])
    mia = signed_in(served, moderator.username)  # moderators' writes are not limited
    replies = at_once([lambda: accept(mia, question["id"], given["id"]).status] * 50)
    assert replies == [200] * 50
    accepted = [e for e in store.events_after(None, 10_000).events if e.kind == "accepted"]
    assert [e.entity_id for e in accepted] == [given["id"]]
    ravi = signed_in(served, author.username)

    def solver_notes():
        items = ravi.get("/api/notifications").json["items"]
        return [n for n in items if n["kind"] == "badge" and n["award"]["id"] == "solver"]

    assert wait_for(lambda: len(solver_notes()) == 1, 30)
    assert wait_for(lambda: store.consumer_cursor("awards") == store.latest_cursor(), 30)
    paid = [e for e in ledger(store, author.id) if e.reason == "accepted"]
    assert [e.points for e in paid] == [RULES.points["accepted"]]
    assert len(solver_notes()) == 1


def test_twenty_redemptions_at_once_never_overspend(served, served_store):
    store = served_store
    reward = RULES.rewards["priority_service"]
    affordable = 3
    (buyer,) = made(store, "buyer", 1, points=reward.cost * affordable + reward.cost // 2)
    client = signed_in(served, buyer.username)
    before = client.get("/api/rewards").json
    left = {r["id"]: r["left"] for r in before["items"]}[reward.id]
    balance = before["balance"]
    assert balance == reward.cost * affordable + reward.cost // 2
    replies = at_once([lambda: client.call("POST", "/api/redemptions", {"reward": reward.id})] * 20)
    statuses = Counter(reply.status for reply in replies)
    assert statuses == {201: affordable, 422: 20 - affordable}
    refused = [reply.json for reply in replies if reply.status == 422]
    assert {r["code"] for r in refused} == {"not_enough_points"}
    after = store.user_by_id(buyer.id)
    assert after.balance == reward.cost // 2 >= 0
    entries = ledger(store, buyer.id)
    assert sum(e.spendable for e in entries) == after.balance
    assert sum(e.points for e in entries) == after.reputation  # spending keeps reputation
    now = client.get("/api/rewards").json
    assert {r["id"]: r["left"] for r in now["items"]}[reward.id] == left - affordable
    assert now["balance"] == after.balance
    mine = client.get("/api/redemptions").json["items"]
    assert [(r["reward"], r["status"]) for r in mine] == [(reward.id, "pending")] * affordable


def test_twenty_redemptions_at_once_never_take_more_than_the_stock(served, served_store):
    store = served_store
    reward = RULES.rewards["extended_warranty"]
    spare = 3
    # All but three taken already, by one rich member, as the store takes them.
    (stocker,) = made(store, "stocker", 1, points=1000)
    taken = store.redeemed().get(reward.id, 0)
    for _ in range(reward.stock - taken - spare):
        store.grant_points(stocker.id, reward.cost, "set-up", None, utcnow())
    assert wait_for(
        lambda: (
            store.user_by_id(stocker.id).balance
            >= 1000 + reward.cost * (reward.stock - taken - spare)
        ),
        30,
    )
    for _ in range(reward.stock - taken - spare):
        store.redeem(stocker.id, reward.id, reward.cost, reward.stock, utcnow())
    buyers = made(store, "rich", 20, points=reward.cost)
    with ThreadPoolExecutor(10) as pool:
        clients = list(pool.map(lambda u: signed_in(served, u.username), buyers))
    replies = at_once(
        [lambda c=c: c.call("POST", "/api/redemptions", {"reward": reward.id}) for c in clients]
    )
    statuses = Counter(reply.status for reply in replies)
    assert statuses == {201: spare, 422: 20 - spare}
    assert {r.json["code"] for r in replies if r.status == 422} == {"out_of_stock"}
    assert store.redeemed()[reward.id] == reward.stock
    left = {r["id"]: r["left"] for r in clients[0].get("/api/rewards").json["items"]}
    assert left[reward.id] == 0
    # Those refused kept their points; those served paid once.
    balances = Counter(store.user_by_id(u.id).balance for u in buyers)
    assert balances == {0: spare, reward.cost: 20 - spare}
    # A moderator hands them over, each once.
    (moderator,) = made(store, "handler", 1, role="moderator")
    mia = signed_in(served, moderator.username)
    pending = mia.get("/api/redemptions/pending?limit=50").json["items"]
    ours = [
        r
        for r in pending
        if r["reward"] == reward.id and r["member"]["username"].startswith("rich")
    ]
    assert len(ours) == spare
    done = at_once(
        [lambda r=r: mia.call("POST", f"/api/redemptions/{r['id']}/fulfilled") for r in ours] * 2
    )
    assert all(reply.status == 200 for reply in done)
    fulfilled = [e for e in store.events_after(None, 100_000).events if e.kind == "fulfilled"]
    assert sorted(e.entity_id for e in fulfilled) == sorted(r["id"] for r in ours)
    assert clients[0].call("POST", "/api/redemptions/1/fulfilled").status == 403
