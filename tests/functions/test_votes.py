"""Votes: one per member, changed or withdrawn, never on your own post."""

from __future__ import annotations


def test_vote_change_and_withdraw(member, anonymous):
    asha, ravi, olga = member("asha"), member("ravi", points=50), member("olga", points=50)
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    assert ravi.call("PUT", f"{path}/vote", {"value": 1}).json == {"score": 1, "vote": 1}
    assert ravi.call("PUT", f"{path}/vote", {"value": 1}).json == {"score": 1, "vote": 1}
    assert olga.call("PUT", f"{path}/vote", {"value": -1}).json == {"score": 0, "vote": -1}
    assert ravi.call("PUT", f"{path}/vote", {"value": -1}).json == {"score": -2, "vote": -1}
    assert ravi.call("PUT", f"{path}/vote", {"value": 0}).json == {"score": -1, "vote": 0}
    assert olga.get(path).json["viewer"]["vote"] == -1
    assert anonymous.get(path).json["score"] == -1

    own = asha.call("PUT", f"{path}/vote", {"value": 1})
    assert own.status == 403 and "own" in own.json["detail"]
    for bad in ({"value": 2}, {"value": "1"}, {"value": True}, {}):
        assert ravi.call("PUT", f"{path}/vote", bad).status == 422, bad


def test_answer_votes(member):
    asha, ravi = member("asha"), member("ravi")
    question = asha.ask()
    answer = ravi.call(
        "POST", f"/api/questions/{question['id']}/answers", {"body": "Try a different cable."}
    ).json
    assert asha.call("PUT", f"/api/answers/{answer['id']}/vote", {"value": 1}).json["score"] == 1
    assert ravi.call("PUT", f"/api/answers/{answer['id']}/vote", {"value": 1}).status == 403
    page = asha.get(f"/api/questions/{question['id']}").json
    assert page["answers"][0]["score"] == 1 and page["answers"][0]["viewer"]["vote"] == 1
    assert asha.call("PUT", "/api/answers/999/vote", {"value": 1}).status == 404
