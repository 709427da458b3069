"""Accounts: sign up, sign in and out, cookies, CSRF, roles and `portal user create`."""

from __future__ import annotations

import stat
import subprocess

from conftest import PASSWORD, flask_client
from portal_testing import PORTAL, run_portal

from functions import web
from functions.app import create_app
from functions.store import open_store


def sign_up(client, name="asha", email="asha@example.com", password=PASSWORD):
    return client.call(
        "POST", "/api/accounts", {"username": name, "email": email, "password": password}
    )


def test_sign_up_signs_in_and_hashes_the_password(anonymous, store):
    reply = sign_up(anonymous)
    assert reply.status == 201, reply
    assert reply.json["username"] == "asha" and reply.json["role"] == "member"
    assert reply.json["created_at"].endswith("Z")
    session = anonymous.get("/api/session").json
    assert session["user"]["id"] == reply.json["id"]
    stored = store.user_by_id(reply.json["id"])
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


def test_usernames_in_any_script_and_unique_ignoring_case(community_app, anonymous):
    assert sign_up(anonymous, "सुनीता_12", "s@example.com").status == 201
    other = flask_client(community_app)
    assert sign_up(other, "Asha-K", "a@example.com").status == 201
    taken = sign_up(flask_client(community_app), "asha-k", "b@example.com")
    assert taken.status == 409 and taken.json["errors"][0]["field"] == "username"
    email_taken = sign_up(flask_client(community_app), "someone", "A@Example.com")
    assert email_taken.status == 409 and email_taken.json["errors"][0]["field"] == "email"
    assert email_taken.json["code"] == "email_taken"
    in_russian = flask_client(community_app).call(
        "POST",
        "/api/accounts",
        {"username": "asha-k", "email": "c@example.com", "password": PASSWORD},
        headers={"Accept-Language": "ru"},
    )
    assert in_russian.status == 409 and "занято" in in_russian.json["detail"]
    assert in_russian.json["errors"][0]["code"] == "username_taken"


def test_sign_up_names_every_bad_field(anonymous):
    reply = sign_up(anonymous, "a b", "not-an-email", "short")
    assert reply.status == 422
    assert {error["field"] for error in reply.json["errors"]} == {"username", "email", "password"}
    assert all(error["message"].endswith(".") for error in reply.json["errors"])


def test_sign_in_wrong_password_and_sign_out(community_app, anonymous):
    assert sign_up(anonymous).status == 201
    other = flask_client(community_app)
    wrong = other.sign_in("asha", "not the password")
    assert wrong.status == 401 and wrong.headers["Content-Type"] == "application/problem+json"
    assert other.sign_in("nobody", PASSWORD).status == 401
    assert other.sign_in("ASHA").status == 200
    assert other.get("/api/session").json["user"]["username"] == "asha"
    assert other.call("DELETE", "/api/session").status == 204
    assert other.get("/api/session").json["user"] is None
    assert other.call("POST", "/api/questions", {}).status == 401  # the same token still works
    assert other.sign_in("asha").status == 200


def test_cookie_flags(community_app):
    client = community_app.test_client()
    cookie = client.get("/api/session").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = community_app.test_client().get("/api/session", base_url="https://portal.example")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_every_write_needs_the_csrf_token_of_this_session(community_app, member):
    asha = member("asha")
    missing = asha.call("POST", "/api/questions", {}, csrf=False)
    assert missing.status == 403 and "X-CSRF-Token" in missing.json["detail"]
    stranger = flask_client(community_app)
    wrong = asha.call("POST", "/api/questions", {}, headers={"X-CSRF-Token": stranger.csrf()})
    assert wrong.status == 403
    anonymous_login = flask_client(community_app).call(
        "POST", "/api/session", {"username": "asha", "password": PASSWORD}, csrf=False
    )
    assert anonymous_login.status == 403


def test_profile_counts_posts(member, anonymous):
    asha = member("asha")
    asha.ask()
    profile = anonymous.get(f"/api/users/{asha.user['id']}").json
    assert profile["question_count"] == 1 and profile["answer_count"] == 0
    assert "email" not in profile
    assert anonymous.get("/api/users/999").status == 404


def test_development_key_is_made_once_and_private(community_paths):
    settings = community_paths.settings()
    key_file = community_paths.root / "keys" / "secret"
    settings = settings.__class__(**{**settings.__dict__, "secret_key_file": key_file})
    first = create_app(settings)
    cookie_client = first.test_client()
    cookie_client.get("/api/session")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app(settings)  # a restart: the same key, so the session is still valid
    assert first.secret_key == second.secret_key == web.development_key(key_file)
    for app in (first, second):
        app.extensions["portal_store"].close()


def test_portal_user_create(community_paths):
    env = community_paths.environ(PORTAL_USER_PASSWORD="a long enough password")
    done = run_portal(
        "user", "create", "elena", "--role", "moderator", "--email", "e@x.io", env=env
    )
    assert done.returncode == 0, done.stderr
    assert "Created moderator elena" in done.stdout
    again = run_portal("user", "create", "Elena", env=env)
    assert again.returncode == 1 and "already taken" in again.stderr
    bad = run_portal("user", "create", "x", env=env)
    assert bad.returncode == 2 and "username" in bad.stderr
    store = open_store(community_paths.store_url)
    assert store.user_by_username("elena").role == "moderator"
    store.close()


def prompted(community_paths, typed: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in community_paths.environ().items() if k != "PORTAL_USER_PASSWORD"}
    # A new session has no terminal, so getpass reads the typed lines from stdin.
    return subprocess.run(
        [PORTAL, "user", "create", "olga", "--role", "admin"],
        input=typed,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )


def test_portal_user_create_asks_for_the_password_twice(community_paths):
    differ = prompted(community_paths, "a long enough password\nanother long password\n")
    assert differ.returncode == 2 and "differ" in differ.stderr
    done = prompted(community_paths, "a long enough password\na long enough password\n")
    assert done.returncode == 0, done.stderr
    client = flask_client(create_app(community_paths.settings()))
    assert client.sign_in("olga", "a long enough password").json["user"]["role"] == "admin"
