"""The API through a real `portal serve` (gunicorn, two workers) on loopback."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from conftest import PASSWORD, QUESTION, http_client
from portal_testing import wait_for

from functions import accounts
from functions.store import open_store, utcnow

VOTERS = 50


def signed_up(base: str, name: str):
    client = http_client(base)
    reply = client.call(
        "POST",
        "/api/accounts",
        {"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    assert reply.status == 201, reply
    return client


def test_ask_answer_and_read_over_http(served):
    asha, ravi = signed_up(served, "asha"), signed_up(served, "ravi")
    question = asha.ask()
    answer = ravi.call(
        "POST", f"/api/questions/{question['id']}/answers", {"body": "Try a different cable."}
    )
    assert answer.status == 201
    page = http_client(served).get(f"/api/questions/{question['id']}")
    assert page.status == 200 and page.headers["Content-Type"] == "application/json"
    assert page.json["answers"][0]["id"] == answer.json["id"]
    assert page.json["title"] == QUESTION["title"]
    # The worker `portal serve` runs beside the web workers writes the notification.
    assert wait_for(
        lambda: (
            sorted(n["kind"] for n in asha.get("/api/notifications").json["items"])
            == ["answer", "badge"]
        )  # and her badge for a first question
    )
    document = http_client(served).get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")


def signed_in(base: str, name: str):
    client = http_client(base)
    assert client.sign_in(name).status == 200
    return client


def test_fifty_members_vote_at_once(served, served_paths):
    asker = signed_up(served, "asker")
    question = asker.ask(title="Which charger is safe for the Nimbus X5?")
    path = f"/api/questions/{question['id']}/vote"
    # Made in the store: one address may sign up only a few accounts an hour. Each gets the
    # points that let them vote down, as an admin gives them (booked by the server's worker).
    store = open_store(served_paths.settings().store)
    try:
        made = [
            accounts.create_user(store, f"voter{n}", f"voter{n}@example.com", PASSWORD)
            for n in range(VOTERS)
        ]
        for user in made:
            store.grant_points(user.id, 50, "set-up", None, utcnow())
        assert wait_for(
            lambda: all(u.reputation >= 50 for u in store.users_by_id([u.id for u in made]))
        )
    finally:
        store.close()
    with ThreadPoolExecutor(10) as pool:
        voters = list(pool.map(lambda n: signed_in(served, f"voter{n}"), range(VOTERS)))
    for voter in voters:
        voter.csrf()
    start = threading.Barrier(VOTERS)

    def vote(client, value):
        start.wait()
        return client.call("PUT", path, {"value": value}).status

    def all_vote(values):
        with ThreadPoolExecutor(VOTERS) as pool:
            return list(pool.map(vote, voters, values))

    assert all_vote([1] * VOTERS) == [200] * VOTERS
    assert http_client(served).get(f"/api/questions/{question['id']}").json["score"] == VOTERS
    # Half change their mind, half vote again the same way: still one vote each.
    assert all_vote([-1, 1] * (VOTERS // 2)) == [200] * VOTERS
    assert http_client(served).get(f"/api/questions/{question['id']}").json["score"] == 0
    assert all_vote([0] * VOTERS) == [200] * VOTERS
    assert http_client(served).get(f"/api/questions/{question['id']}").json["score"] == 0
