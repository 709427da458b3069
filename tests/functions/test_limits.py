"""Writing limits: the rules alone, then through the API with 429 and Retry-After."""

from __future__ import annotations

from functions import limits

ANSWER = {"body": "Try a different cable, then another socket."}


def test_rules():
    joined, later = "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"
    assert limits.is_new_account("member", joined, later)
    assert not limits.is_new_account("moderator", joined, later)
    assert not limits.is_new_account("member", joined, "2026-11-24T09:00:00Z")
    assert limits.new_account_posts("question", 2, joined, later) is None
    limited = limits.new_account_posts("question", 3, joined, later)
    assert limited.retry_after == 23 * 3600 and "3 questions" in limited.detail
    assert limits.new_account_links(2, joined, later) is None
    assert limits.new_account_links(3, joined, later).retry_after == 23 * 3600
    assert limits.write_window("2026-11-23T10:00:45Z") == ("2026-11-23T10:00:00Z", 15)
    assert limits.writes(limits.WRITES_PER_WINDOW, 15) is None
    assert limits.writes(limits.WRITES_PER_WINDOW + 1, 15).retry_after == 15


def test_new_accounts_ask_three_questions_a_day(member):
    newcomer = member("newcomer", age_days=0)
    for number in range(3):
        newcomer.ask(title=f"Newcomer question number {number}")
    reply = newcomer.call(
        "POST",
        "/api/questions",
        {"title": "One question too many today", "body": "x" * 30, "lang": "en"},
    )
    assert reply.status == 429 and reply.headers["Content-Type"] == "application/problem+json"
    assert 0 < int(reply.headers["Retry-After"]) <= 86400
    assert "first day" in reply.json["detail"]
    assert member("regular").ask()["id"]  # established members are not limited


def test_new_accounts_post_two_links(member):
    newcomer = member("newcomer", age_days=0)
    links = " ".join(f"[site {n}](https://nimbus.example.com/{n})" for n in range(3))
    reply = newcomer.call(
        "POST",
        "/api/questions",
        {"title": "Which of these pages is right?", "body": links, "lang": "en"},
    )
    assert reply.status == 429 and "links" in reply.json["detail"]
    assert member("regular").ask(body=links)["id"]


def test_write_limit_per_minute(member):
    asker, busy = member("asker"), member("busy")
    question = asker.ask()
    path = f"/api/questions/{question['id']}/vote"
    # Twice the limit and two more: a minute boundary can split the burst once, and one
    # of the two windows still gets more than the limit.
    replies = [
        busy.call("PUT", path, {"value": n % 2}) for n in range(2 * limits.WRITES_PER_WINDOW + 2)
    ]
    limited = [reply for reply in replies if reply.status == 429]
    assert limited and {reply.status for reply in replies} == {200, 429}
    assert 1 <= int(limited[-1].headers["Retry-After"]) <= 60
    assert "wait" in limited[-1].json["detail"]
    moderator = member("mod", role="moderator")
    assert all(
        moderator.call("PUT", path, {"value": 1}).status == 200
        for _ in range(limits.WRITES_PER_WINDOW + 2)
    )
