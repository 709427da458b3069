"""Security fixes found in review: session renewal on sign-in, the Secure cookie behind a
TLS proxy, answers of hidden questions, and odd digits that used to answer a 500."""

from __future__ import annotations

import dataclasses

from conftest import PASSWORD, flask_client

from functions import accounts
from functions.app import create_app
from functions.store import utcnow


def test_signing_in_starts_a_new_session(community_app, store):
    accounts.create_user(store, "asha", "asha@example.com", PASSWORD)
    test_client = community_app.test_client()
    before = test_client.get("/api/session").json["csrf_token"]
    planted = test_client.get_cookie("portal_session").value
    signed_in = test_client.post(
        "/api/session",
        json={"username": "asha", "password": PASSWORD},
        headers={"X-CSRF-Token": before},
    )
    assert signed_in.status_code == 200
    after = signed_in.json["csrf_token"]
    assert after != before and test_client.get_cookie("portal_session").value != planted
    # A token known before sign-in (say, planted by someone else) no longer writes.
    old = test_client.put("/api/questions/1/follow", json={}, headers={"X-CSRF-Token": before})
    assert old.status_code == 403
    assert test_client.get("/api/session").json["csrf_token"] == after


def test_unknown_username_and_wrong_password_read_the_same(anonymous, store):
    accounts.create_user(store, "asha", "asha@example.com", PASSWORD)
    wrong = anonymous.sign_in("asha", "not the password")
    unknown = anonymous.sign_in("nobody", "not the password")
    assert wrong.status == unknown.status == 401 and wrong.body == unknown.body


def test_secure_cookie_when_the_site_is_https(community_paths):
    settings = dataclasses.replace(
        community_paths.settings(), site_url="https://help.nimbus.example/"
    )
    app = create_app(settings)
    try:
        # The TLS proxy in front speaks plain http to the portal.
        cookie = app.test_client().get("/api/session").headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        app.extensions["portal_store"].close()


def test_answers_of_a_hidden_question_are_hidden_too(community_app, member, store):
    asha, ravi = member("asha"), member("ravi")
    question = asha.ask()
    reply = ravi.call(
        "POST", f"/api/questions/{question['id']}/answers", {"body": "Try another cable first."}
    )
    answer_id = reply.json["id"]
    store.set_hidden("question", question["id"], True, utcnow())
    for path in (f"/api/answers/{answer_id}/revisions", f"/api/questions/{question['id']}"):
        assert flask_client(community_app).get(path).status == 404
        assert ravi.get(path).status == 404
    edit = ravi.call("PATCH", f"/api/answers/{answer_id}", {"body": "Changed after hiding it."})
    assert edit.status == 404
    moderator = member("mod", role="moderator")
    assert moderator.get(f"/api/answers/{answer_id}/revisions").status == 200


def test_digits_int_refuses_are_bad_input_not_errors(anonymous):
    listed = anonymous.get("/api/questions?author=%C2%B2")  # "²" is a digit to str.isdigit
    assert listed.status == 200 and listed.json["items"] == []
    searched = anonymous.get("/api/search?q=battery&page=%C2%B2")
    assert searched.status == 400 and "page" in searched.json["detail"]
