"""Passwords and sessions: strength, a reset by email through a real SMTP server on
loopback (single use, expiring, rate limited, the same answer for any address, every
session ended), changing a password or email, signing out everywhere, and the command
line's `portal user password` for a portal that sends no email."""

from __future__ import annotations

import re

from conftest import PASSWORD, Inbox, app_with, flask_client, members
from portal_testing import run_portal

from functions import mail
from functions.store import Mail, later, utcnow

NEW_PASSWORD = "violet kettle seventeen harbour"


def send_mail(store, url: str) -> None:
    mailer = mail.Mailer(url, "care@example.com")
    while mail.deliver_due(store, mailer):
        pass


def reset_token(message) -> str:
    text = message.get_payload(decode=True).decode()
    return re.search(r"\?token=([\w-]+)", text).group(1)


def test_weak_passwords_are_refused_in_the_visitors_language(anonymous):
    for password in ("aaaaaaaaaa", "password123456", "qwertyuiop12"):
        reply = anonymous.call(
            "POST",
            "/api/accounts",
            {"username": "asha_k", "email": "asha@example.com", "password": password},
            headers={"Accept-Language": "ru"},
        )
        assert reply.status == 422, password
        (error,) = reply.json["errors"]
        assert error["field"] == "password" and error["code"] == "weak_password"
        assert "пароль" in error["message"]


def test_a_reset_by_email_works_once_and_ends_every_session(community_paths, smtp):
    inbox = Inbox()
    url = smtp(inbox)
    app = app_with(community_paths, url)
    store = app.extensions["portal_store"]
    (asha,) = members(app, "asha")
    visitor = flask_client(app)

    # The same answer for an address with an account and one without; one email in all.
    for address in ("asha@example.com", "nobody@example.com"):
        assert visitor.call("POST", "/api/password-resets", {"email": address}).status == 204
    send_mail(store, url)
    (message,) = inbox.messages
    assert message["To"] == "asha@example.com" and "password" in message["Subject"]
    token = reset_token(message)
    assert token not in str(store.events_after(None, 1000).events)  # never in the event log

    weak = visitor.call(
        "POST", "/api/password-resets/confirm", {"token": token, "password": "x" * 10}
    )
    assert weak.status == 422 and weak.json["errors"][0]["code"] == "weak_password"
    done = visitor.call(
        "POST", "/api/password-resets/confirm", {"token": token, "password": NEW_PASSWORD}
    )
    assert done.status == 200 and done.json["user"]["username"] == "asha"
    assert asha.get("/api/session").json["user"] is None  # her old session is over
    again = flask_client(app).call(
        "POST", "/api/password-resets/confirm", {"token": token, "password": NEW_PASSWORD}
    )
    assert again.status == 422 and again.json["code"] == "reset_link_invalid"
    assert flask_client(app).sign_in("asha", PASSWORD).status == 401
    assert flask_client(app).sign_in("asha", NEW_PASSWORD).status == 200


def test_a_reset_link_expires(member, store):
    member("asha")
    user = store.user_by_username("asha")
    past = later(utcnow(), -7200)
    message = Mail(key="reset:test", to=user.email, subject="Reset", text="A link")
    store.add_password_reset("0" * 64, user.id, past, later(past, 3600), message)
    assert store.use_password_reset("0" * 64, utcnow()) is None
    assert store.forget_expired(utcnow()) >= 1
    store.add_password_reset("1" * 64, user.id, utcnow(), later(utcnow(), 3600), message)
    assert store.use_password_reset("1" * 64, utcnow()) == user.id
    assert store.use_password_reset("1" * 64, utcnow()) is None


def test_reset_emails_are_limited_per_address_and_per_mailbox(community_paths, smtp):
    app = app_with(community_paths, smtp(Inbox()))
    members(app, "asha")
    visitor = flask_client(app)
    replies = [
        visitor.call("POST", "/api/password-resets", {"email": "asha@example.com"}).status
        for _ in range(4)
    ]
    assert replies == [204, 204, 204, 429]  # three emails an hour to one mailbox
    others = [
        flask_client(app, address="203.0.113.9").call(
            "POST", "/api/password-resets", {"email": f"n{n}@example.com"}
        )
        for n in range(6)
    ]
    assert [r.status for r in others] == [204] * 5 + [429]
    assert "Retry-After" in others[-1].headers


def test_without_mail_a_reset_says_to_ask_an_administrator(anonymous):
    reply = anonymous.call("POST", "/api/password-resets", {"email": "asha@example.com"})
    assert reply.status == 503 and "administrator" in reply.json["detail"]
    assert reply.json["code"] == "no_email"
    assert anonymous.get("/api/session").json["mail"] is False


def test_signing_out_everywhere_ends_a_copied_cookie(member, community_app):
    asha = member("asha")
    laptop = flask_client(community_app)
    signed_in = laptop.sign_in("asha")
    cookie = re.search(r"portal_session=([^;]+)", signed_in.headers["Set-Cookie"]).group(1)

    def with_copied_cookie():
        elsewhere = community_app.test_client()  # another machine, with the cookie copied
        elsewhere.set_cookie("portal_session", cookie)
        return elsewhere.get("/api/session").json["user"]

    assert with_copied_cookie()["username"] == "asha"
    assert laptop.get("/api/session").json["user"]["username"] == "asha"
    assert asha.call("POST", "/api/account/sign-out-everywhere").status == 204
    assert laptop.get("/api/session").json["user"] is None
    assert asha.get("/api/session").json["user"] is None
    assert with_copied_cookie() is None
    assert laptop.call("PUT", "/api/questions/1/follow", {"following": True}).status == 401


def test_the_account_page_changes_email_settings_and_password(member, community_app, store):
    asha = member("asha")
    phone = flask_client(community_app)
    phone.sign_in("asha")
    assert asha.get("/api/account").json == {
        "username": "asha",
        "email": "asha@example.com",
        "email_notifications": True,
    }
    no_password = asha.call("PATCH", "/api/account", {"email": "asha@new.example.com"})
    assert no_password.status == 422
    assert no_password.json["errors"][0]["field"] == "current_password"
    changed = asha.call(
        "PATCH",
        "/api/account",
        {
            "email": "asha@new.example.com",
            "current_password": PASSWORD,
            "email_notifications": False,
        },
    )
    assert changed.json == {
        "username": "asha",
        "email": "asha@new.example.com",
        "email_notifications": False,
    }
    member("ravi")
    taken = asha.call(
        "PATCH", "/api/account", {"email": "ravi@example.com", "current_password": PASSWORD}
    )
    assert taken.status == 409

    wrong = asha.call(
        "PUT", "/api/account/password", {"current_password": "not it", "new_password": NEW_PASSWORD}
    )
    assert wrong.status == 422 and wrong.json["errors"][0]["code"] == "password_needed"
    named = asha.call(
        "PUT",
        "/api/account/password",
        {"current_password": PASSWORD, "new_password": "asha@new.example.com1"},
    )
    assert named.status == 422 and named.json["errors"][0]["code"] == "weak_password"
    done = asha.call(
        "PUT", "/api/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert done.status == 200 and done.json["user"]["username"] == "asha"
    assert asha.get("/api/session").json["user"]["username"] == "asha"  # this one goes on
    assert phone.get("/api/session").json["user"] is None  # the others are over
    kinds = [e.kind for e in store.events_after(None, 1000).events]
    assert "password_changed" in kinds and "account_changed" in kinds


def test_portal_user_password_sets_one_and_ends_sessions(
    community_paths, community_app, member, store
):
    asha = member("asha")
    environ = community_paths.environ
    weak = run_portal("user", "password", "asha", env=environ(PORTAL_USER_PASSWORD="a" * 12))
    assert weak.returncode == 2 and "guess" in weak.stderr
    done = run_portal("user", "password", "asha", env=environ(PORTAL_USER_PASSWORD=NEW_PASSWORD))
    assert done.returncode == 0, done.stderr
    assert store.user_by_username("asha").session_version == 1
    assert asha.get("/api/session").json["user"] is None
    assert flask_client(community_app).sign_in("asha", NEW_PASSWORD).status == 200
    missing = run_portal("user", "password", "nobody", env=environ(PORTAL_USER_PASSWORD="x"))
    assert missing.returncode == 1
