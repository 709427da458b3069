"""Notification emails through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import dataclasses
import email
import threading

import pytest
from aiosmtpd.controller import Controller
from conftest import PASSWORD, flask_client
from portal_testing import free_port

from functions import accounts
from functions.app import create_app


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


def app_with(community_paths, smtp_url: str):
    settings = dataclasses.replace(
        community_paths.settings(), smtp_url=smtp_url, mail_from="Nimbus Care <care@example.com>"
    )
    return create_app(settings)


def members(app, *names):
    store = app.extensions["portal_store"]
    clients = []
    for name in names:
        accounts.create_user(
            store, name, f"{name}@example.com", PASSWORD, "member", "2026-01-01T00:00:00Z"
        )
        client = flask_client(app)
        client.sign_in(name)
        clients.append(client)
    return clients


def test_an_answer_emails_the_asker(community_paths, smtp):
    inbox, url = smtp
    app = app_with(community_paths, url)
    asha, ravi = members(app, "asha", "ravi")
    question = asha.ask()
    reply = ravi.call(
        "POST", f"/api/questions/{question['id']}/answers", {"body": "Try another cable first."}
    )
    assert reply.status == 201
    app.extensions["portal_mailer"].wait()
    (message,) = inbox.messages
    assert (
        message["To"] == "asha@example.com" and message["From"] == "Nimbus Care <care@example.com>"
    )
    assert "ravi answered" in message["Subject"]
    assert f"community/question/?id={question['id']}" in message.get_payload()
    app.extensions["portal_store"].close()


def test_a_dead_mail_server_does_not_break_the_request(community_paths, caplog):
    app = app_with(community_paths, f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    asha, ravi = members(app, "asha", "ravi")
    question = asha.ask()
    reply = ravi.call(
        "POST", f"/api/questions/{question['id']}/answers", {"body": "Try another cable first."}
    )
    assert reply.status == 201
    app.extensions["portal_mailer"].wait()
    assert "Could not send mail to asha@example.com" in caplog.text
    app.extensions["portal_store"].close()


def test_a_title_with_line_breaks_makes_a_one_line_subject(community_paths, smtp):
    inbox, url = smtp
    app = app_with(community_paths, url)
    asha, ravi = members(app, "asha", "ravi")
    question = asha.ask(title="Charging stopped\nBcc: everyone@example.com")
    reply = ravi.call(
        "POST", f"/api/questions/{question['id']}/answers", {"body": "Try another cable first."}
    )
    assert reply.status == 201, reply  # was a 500: a header cannot hold a line break
    app.extensions["portal_mailer"].wait()
    (message,) = inbox.messages
    assert message["Subject"] == "ravi answered: Charging stopped Bcc: everyone@example.com"
    assert message["Bcc"] is None
    app.extensions["portal_store"].close()
