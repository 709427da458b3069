"""Questions and answers through the Flask app on a real SQLite file."""

from __future__ import annotations

import pytest
from conftest import QUESTION, flask_client, give_points

from functions import community, search_feed
from functions.store import Stale, utcnow

ANSWER = {"body": "Try another cable first; most charging faults are the cable."}


def test_ask_and_read_back(member, anonymous):
    asha = member("asha")
    # A tag in any script; one named in tag_names.yml (वारंटी) is its identifier (warranty).
    question = asha.ask(tags=["battery", "बैटरी-जीवन", "वारंटी"], lang="hi")
    assert question["status"] == "open" and question["lang"] == "hi"
    assert question["tags"] == ["battery", "बैटरी-जीवन", "warranty"]
    assert question["viewer"] == {
        "vote": 0,
        "following": True,
        "can_edit": True,
        "can_accept": True,
    }
    seen = anonymous.get(f"/api/questions/{question['id']}").json
    assert seen["body"] == QUESTION["body"] and seen["body_html"].startswith("<p>")
    assert seen["viewer"] == {"vote": 0, "following": False, "can_edit": False, "can_accept": False}
    assert anonymous.get("/api/questions/9999").status == 404


def test_view_counted_once_per_session(community_app, member):
    question = member("asha").ask()
    path = f"/api/questions/{question['id']}"
    reader, other = flask_client(community_app), flask_client(community_app)
    assert [reader.get(path).json["view_count"] for _ in range(3)] == [1, 1, 1]
    assert other.get(path).json["view_count"] == 2


def test_lists_sort_filter_and_page(member, anonymous, store):
    # Written through the store at chosen times: the API's times have one-second steps.
    asha, ravi = (
        store.user_by_username(member(name).user["username"]) for name in ("asha", "ravi")
    )
    at = "2026-11-{:02d}T10:00:00Z".format
    ids = [
        community.ask(
            store,
            asha,
            f"Question number {n} about batteries",
            QUESTION["body"],
            ["battery" if n % 2 else "screen"],
            "en" if n < 4 else "ru",
            at(n + 1),
        )
        for n in range(6)
    ]
    community.answer(store, ravi, store.question(ids[1]), ANSWER["body"], at(20))
    community.vote(store, ravi, "question", store.question(ids[2]), 1, at(20))

    def listed(query: str) -> list[int]:
        reply = anonymous.get(f"/api/questions?{query}")
        assert reply.status == 200, reply
        return [item["id"] for item in reply.json["items"]]

    assert listed("") == ids[::-1]
    assert listed("sort=active")[0] == ids[1]
    assert listed("sort=votes")[0] == ids[2]
    assert ids[1] not in listed("sort=unanswered") and len(listed("sort=unanswered")) == 5
    assert listed("tag=battery") == [ids[5], ids[3], ids[1]]
    assert listed("lang=ru") == [ids[5], ids[4]]
    assert listed(f"author={ravi.id}") == [] and len(listed("author=asha")) == 6

    seen, cursor = [], None
    while True:
        page = anonymous.get(
            "/api/questions?limit=4" + (f"&cursor={cursor}" if cursor else "")
        ).json
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ids[::-1]
    summary = anonymous.get("/api/questions?limit=1").json["items"][0]
    assert "body" not in summary and len(summary["excerpt"]) <= 200
    bad = anonymous.get("/api/questions?cursor=nonsense&limit=99&sort=best")
    assert bad.status == 422
    assert {e["field"] for e in bad.json["errors"]} == {"limit", "sort"}
    assert anonymous.get("/api/questions?cursor=nonsense").status == 422


def test_edit_keeps_revisions_and_checks_the_author(member, anonymous):
    asha, ravi, moderator = member("asha"), member("ravi"), member("mod", role="moderator")
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    edited = asha.call("PATCH", path, {"title": "My phone stopped charging after an update"})
    assert edited.status == 200 and edited.json["body"] == QUESTION["body"]
    assert ravi.call("PATCH", path, {"tags": ["spam"]}).status == 403
    assert moderator.call("PATCH", path, {"tags": ["charging"]}).status == 200
    revisions = anonymous.get(f"{path}/revisions").json["items"]
    assert [r["author"]["username"] for r in revisions] == ["mod", "asha", "asha"]
    assert revisions[0]["tags"] == ["charging"]
    assert revisions[-1]["title"] == QUESTION["title"]

    answer = ravi.call("POST", f"{path}/answers", ANSWER).json
    better = {"body": "Try another cable and a different wall socket first."}
    assert asha.call("PATCH", f"/api/answers/{answer['id']}", better).status == 403
    reply = ravi.call("PATCH", f"/api/answers/{answer['id']}", better)
    assert reply.status == 200 and reply.json["body"] == better["body"]
    bodies = [
        r["body"] for r in anonymous.get(f"/api/answers/{answer['id']}/revisions").json["items"]
    ]
    assert bodies == [better["body"], ANSWER["body"]]


def test_answers_order_comments_and_acceptance(member, anonymous, store):
    asha, ravi, olga, moderator = (
        member("asha"),
        member("ravi"),
        member("olga"),
        member("m", "moderator"),
    )
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    first = ravi.call("POST", f"{path}/answers", ANSWER).json
    second = olga.call(
        "POST", f"{path}/answers", {"body": "Clean the port gently with a wooden toothpick."}
    ).json
    third = olga.call(
        "POST", f"{path}/answers", {"body": "A third answer that nobody votes on."}
    ).json
    assert asha.call("PUT", f"/api/answers/{second['id']}/vote", {"value": 1}).status == 200
    assert first["viewer"] == {"vote": 0, "can_edit": True} and first["accepted"] is False

    comment = asha.call(
        "POST", f"/api/answers/{first['id']}/comments", {"body": "Tried it, no luck."}
    )
    assert comment.status == 201 and comment.json["author"]["username"] == "asha"
    refused = ravi.call("POST", f"{path}/comments", {"body": "Which model is it?"})
    assert refused.status == 403 and refused.json["code"] == "privilege_needed"
    give_points(store, ravi.user["id"], 50)  # level 3 comments on anybody's post
    assert ravi.call("POST", f"{path}/comments", {"body": "<b>Which</b> model?"}).status == 201
    assert ravi.call("POST", f"{path}/comments", {"body": "x"}).status == 422

    assert ravi.call("PUT", f"{path}/accepted-answer", {"answer_id": first["id"]}).status == 403
    accepted = asha.call("PUT", f"{path}/accepted-answer", {"answer_id": first["id"]})
    assert accepted.status == 200 and accepted.json == {"accepted_answer_id": first["id"]}
    page = anonymous.get(path).json
    assert [a["id"] for a in page["answers"]] == [first["id"], second["id"], third["id"]]
    assert page["answers"][0]["accepted"] and page["status"] == "accepted"
    assert page["answers"][0]["comments"][0]["body"] == "Tried it, no luck."
    assert page["comments"][0]["body"] == "<b>Which</b> model?"  # plain text, shown as text

    other = asha.ask(title="Another question about the screen")
    wrong = moderator.call("PUT", f"{path}/accepted-answer", {"answer_id": other["id"] + 1000})
    assert wrong.status == 404
    elsewhere = ravi.call("POST", f"/api/questions/{other['id']}/answers", ANSWER).json
    wrong = moderator.call("PUT", f"{path}/accepted-answer", {"answer_id": elsewhere["id"]})
    assert wrong.status == 422 and wrong.json["errors"][0]["field"] == "answer_id"
    assert moderator.call("PUT", f"{path}/accepted-answer", {"answer_id": None}).status == 200
    assert anonymous.get(path).json["status"] == "answered"


def news(client) -> list[dict]:
    """A member's notifications of the community's posts (badges and quests aside)."""
    items = client.get("/api/notifications?limit=50").json["items"]
    return [n for n in items if n["kind"] not in ("badge", "quest", "reward")]


def unread_news(client) -> int:
    return sum(not n["read"] for n in news(client))


def test_follow_and_notifications(member, deliver):
    asha, ravi, olga = member("asha"), member("ravi"), member("olga")
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    assert olga.call("PUT", f"{path}/follow", {"following": True}).json == {"following": True}
    answer = ravi.call("POST", f"{path}/answers", ANSWER).json
    assert ravi.get(path).json["viewer"]["following"] is True
    assert unread_news(asha) == 0  # nothing yet: the consumer
    deliver()  # notifies, after the change committed

    inbox = asha.get("/api/notifications").json
    assert unread_news(asha) == 1 and inbox["unread"] == len(inbox["items"])
    (note,) = news(asha)
    assert note["kind"] == "answer" and note["actor"]["username"] == "ravi"
    assert note["question_title"] == QUESTION["title"] and note["read"] is False
    assert unread_news(olga) == 1
    assert unread_news(ravi) == 0

    asha.call("PUT", f"{path}/accepted-answer", {"answer_id": answer["id"]})
    asha.call("POST", f"/api/answers/{answer['id']}/comments", {"body": "Thank you!"})
    deliver()
    assert [n["kind"] for n in news(ravi)] == ["comment", "accepted"]

    assert asha.call("POST", "/api/notifications/read", {"ids": [note["id"]]}).status == 204
    assert unread_news(asha) == 0
    assert ravi.call("POST", "/api/notifications/read", {"all": True}).status == 204
    assert unread_news(ravi) == 0
    assert ravi.call("POST", "/api/notifications/read", {}).status == 422
    olga.call("PUT", f"{path}/follow", {"following": False})
    member("dan").call("POST", f"{path}/answers", ANSWER)
    deliver()
    assert unread_news(olga) == 1


def test_notifications_page(member, deliver):
    asha = member("asha")
    question = asha.ask()
    for name in ("b1", "b2", "b3"):
        member(name).call("POST", f"/api/questions/{question['id']}/answers", ANSWER)
        deliver()
    first = asha.get("/api/notifications?limit=2").json
    rest = asha.get(f"/api/notifications?limit=2&cursor={first['next_cursor']}").json
    pages = first["items"] + rest["items"]
    while rest["next_cursor"]:  # and asha's badge for her first question
        rest = asha.get(f"/api/notifications?limit=2&cursor={rest['next_cursor']}").json
        pages += rest["items"]
    names = [n["actor"]["username"] for n in pages if n["kind"] == "answer"]
    assert names == ["b3", "b2", "b1"] and "badge" in [n["kind"] for n in pages]


def test_hidden_posts_are_gone_except_for_moderators(member, anonymous, store):
    asha, moderator = member("asha"), member("mod", role="moderator")
    question = asha.ask()
    store.set_hidden("question", question["id"], True, "2026-11-23T10:00:00Z")
    assert anonymous.get(f"/api/questions/{question['id']}").status == 404
    assert anonymous.get("/api/questions").json["items"] == []
    assert moderator.get(f"/api/questions/{question['id']}").status == 200


def test_sign_in_needed_for_writes(anonymous, member):
    question = member("asha").ask()
    for method, path, body in [
        ("POST", "/api/questions", QUESTION),
        ("POST", f"/api/questions/{question['id']}/answers", ANSWER),
        ("PUT", f"/api/questions/{question['id']}/vote", {"value": 1}),
        ("GET", "/api/notifications", None),
    ]:
        reply = anonymous.call(method, path, body)
        assert reply.status == 401 and reply.json["detail"] == "Sign in to do this.", path


def test_a_cursor_no_list_handed_out_is_a_422_on_every_list(member):
    reader = member("ines")
    for path in ("/api/questions?cursor=nonsense", "/api/notifications?cursor=nonsense"):
        reply = reader.get(path)
        assert reply.status == 422, path
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert reply.json["errors"] == [
            {"field": "cursor", "message": "Use a next_cursor from an earlier page."}
        ]


def test_a_question_whose_only_answer_is_hidden_is_open_everywhere(member, anonymous, store):
    """One rule, from the visible answers: the API, the unanswered list and search agree."""
    asha, ravi = member("asha"), member("ravi")
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    answer = ravi.call("POST", f"{path}/answers", ANSWER).json
    assert asha.call("PUT", f"{path}/accepted-answer", {"answer_id": answer["id"]}).status == 200
    assert anonymous.get(path).json["status"] == "accepted"

    moderator = store.user_by_username("asha")  # whoever hides it; the rule is the same
    store.set_hidden("answer", answer["id"], True, utcnow(), actor_id=moderator.id)
    seen = anonymous.get(path).json
    assert (seen["status"], seen["answer_count"], seen["answers"]) == ("open", 0, [])
    unanswered = anonymous.get("/api/questions?sort=unanswered").json["items"]
    assert question["id"] in [item["id"] for item in unanswered]
    doc = search_feed.question_doc(store, store.question(question["id"]))
    assert doc.status == "open" and "cable first" not in doc.body
    profile = anonymous.get(f"/api/users/{ravi.user['id']}").json
    assert profile["answer_count"] == 0


def test_a_member_list_is_newest_first_and_on_its_own(member, anonymous):
    asha = member("asha")
    first, second = asha.ask(), asha.ask(title="Another question about charging")
    mine = anonymous.get("/api/questions?author=asha").json["items"]
    assert [item["id"] for item in mine] == [second["id"], first["id"]]
    mixed = anonymous.get("/api/questions?author=asha&sort=votes")
    assert mixed.status == 422 and mixed.json["errors"][0]["field"] == "author"


def test_deleted_posts_are_gone_for_moderators_too(member, store):
    asha, ravi, moderator = member("asha"), member("ravi"), member("mod", role="moderator")
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    answer = ravi.call("POST", f"{path}/answers", ANSWER).json
    store.delete_post("answer", answer["id"], utcnow())
    assert moderator.get(path).json["answers"] == []
    assert moderator.get(f"/api/answers/{answer['id']}/revisions").status == 404
    comment = moderator.call("POST", f"/api/answers/{answer['id']}/comments", {"body": "Hm."})
    assert comment.status == 404
    store.delete_post("question", question["id"], utcnow())
    assert moderator.get(path).status == 404
    assert moderator.call("POST", f"{path}/answers", ANSWER).status == 404


def test_an_answer_hidden_while_it_was_being_accepted_is_not_accepted(member, store):
    """The store checks the answer is still visible in the transaction that accepts it."""
    asha, ravi = member("asha"), member("ravi")
    question = asha.ask()
    answer = ravi.call("POST", f"/api/questions/{question['id']}/answers", ANSWER).json
    seen = store.question(question["id"])
    store.set_hidden("answer", answer["id"], True, utcnow())  # a moderator, meanwhile
    with pytest.raises(Stale):
        store.accept_answer(seen.id, answer["id"], seen.author_id, utcnow())
    assert store.question(question["id"]).accepted_answer_id is None


def test_a_tag_is_found_by_its_name_in_any_language(member, anonymous):
    asha = member("asha")
    asked = asha.ask(tags=["гарантия", "battery"])  # a tag given by its Russian name...
    assert asked["tags"] == ["warranty", "battery"]  # ...is the one tag, warranty
    for name in ("гарантия", "Warranty", "वारंटी", "ការធានា", "warranty"):
        found = anonymous.get(f"/api/questions?tag={name}").json["items"]
        assert [q["id"] for q in found] == [asked["id"]], name
    assert anonymous.get("/api/questions?tag=доставка").json["items"] == []
