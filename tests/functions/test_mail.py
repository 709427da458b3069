"""Notification emails: queued by the notifications consumer, sent by the worker through a
real SMTP server (aiosmtpd) on loopback, retried when they fail, never lost, and sent again
after a crash only if they were in flight."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter

from aiosmtpd.controller import Controller
from conftest import Inbox, app_with, members
from portal_testing import free_port, wait_for

from functions import mail
from functions.store import later, utcnow
from portal.worker import Worker


class Refusing:
    async def handle_RCPT(self, server, session, envelope, address, options):
        return "550 No such mailbox here"


def answer(client, question, body="Try another cable first."):
    reply = client.call("POST", f"/api/questions/{question['id']}/answers", {"body": body})
    assert reply.status == 201, reply
    return reply.json


def drain(app) -> None:
    """What `portal work` does, on the app's settings and store, until nothing is left."""
    worker = Worker(app.config["PORTAL_SETTINGS"], app.extensions["portal_store"])
    try:
        worker.drain()
    finally:
        worker.close()


def test_an_answer_emails_the_asker_after_the_request(community_paths, smtp):
    inbox = Inbox()
    app = app_with(community_paths, smtp(inbox))
    asha, ravi = members(app, "asha", "ravi")
    question = asha.ask()
    answer(ravi, question)
    assert inbox.messages == []  # the request sends nothing; the worker does

    drain(app)
    (message,) = inbox.messages
    assert (
        message["To"] == "asha@example.com" and message["From"] == "Nimbus Care <care@example.com>"
    )
    assert "ravi answered" in message["Subject"]
    assert f"en/community/question/?id={question['id']}" in message.get_payload()
    drain(app)  # nothing is sent twice
    assert len(inbox.messages) == 1
    app.extensions["portal_store"].close()


def test_a_dead_mail_server_delays_the_email_and_loses_nothing(community_paths, smtp, caplog):
    port = free_port()  # nothing listens here yet
    app = app_with(community_paths, f"smtp://127.0.0.1:{port}")
    store = app.extensions["portal_store"]
    asha, ravi = members(app, "asha", "ravi")
    question = asha.ask()
    answer(ravi, question)

    drain(app)
    assert "Could not send mail to asha@example.com" in caplog.text
    (waiting,) = store.due_mail(later(utcnow(), mail.RETRY_DELAYS[0] + 1))
    assert waiting.attempts == 1 and "ConnectionRefused" in waiting.last_error
    assert store.due_mail(utcnow()) == []  # it waits for its next try

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        then = later(utcnow(), mail.RETRY_DELAYS[0] + 1)
        mailer = mail.Mailer(f"smtp://127.0.0.1:{port}", "care@example.com")
        assert mail.deliver_due(store, mailer, lambda: then) == 1
        assert inbox.to() == Counter({"asha@example.com": 1})
        assert store.mail(waiting.key).status == "sent"
    finally:
        controller.stop()
    store.close()


def test_a_refused_address_is_kept_as_failed_not_retried(community_paths, smtp, caplog):
    app = app_with(community_paths, smtp(Refusing()))
    store = app.extensions["portal_store"]
    asha, ravi = members(app, "asha", "ravi")
    answer(ravi, asha.ask())

    drain(app)
    assert "giving up" in caplog.text
    (key,) = _mail_keys(store, "asha", "ravi")
    kept = store.mail(key)
    assert kept.status == "failed" and "550" in kept.last_error
    assert store.due_mail(later(utcnow(), 10 * 86_400)) == []
    store.close()


def _mail_keys(store, *names: str) -> list[str]:
    """The outbox's messages about answers to these members, by the notifications'
    key (an event and its recipient), through the store's contract."""
    answered = [e for e in store.events_after(None, limit=1000).events if e.kind == "answered"]
    people = [store.user_by_username(name) for name in names]
    keys = [f"{event.id}:{person.id}" for event in answered for person in people]
    return [key for key in keys if store.mail(key) is not None]


def test_a_title_with_line_breaks_makes_a_one_line_subject(community_paths, smtp):
    inbox = Inbox()
    app = app_with(community_paths, smtp(inbox))
    asha, ravi = members(app, "asha", "ravi")
    question = asha.ask(title="Charging stopped\nBcc: everyone@example.com")
    answer(ravi, question)
    drain(app)
    (message,) = inbox.messages
    assert message["Subject"] == "ravi answered: Charging stopped Bcc: everyone@example.com"
    assert message["Bcc"] is None
    app.extensions["portal_store"].close()


def test_a_worker_killed_midway_resends_only_the_mail_in_flight(community_paths, smtp):
    inbox = Inbox(hold_after=2)  # the third message waits for an answer that never comes
    url = smtp(inbox)
    app = app_with(community_paths, url)
    store = app.extensions["portal_store"]
    asker, helper, *followers = members(app, "asha", "ravi", "f1", "f2", "f3", "f4", "f5")
    question = asker.ask()
    for follower in followers:
        follower.call("PUT", f"/api/questions/{question['id']}/follow", {"following": True})
    answer(helper, question)
    expected = {f"{name}@example.com" for name in ("asha", "f1", "f2", "f3", "f4", "f5")}

    env = community_paths.environ(PORTAL_SMTP_URL=url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "portal", "work"], env=env, stderr=subprocess.PIPE
    )
    try:
        assert wait_for(lambda: len(inbox.messages) == 3), "the worker never got to the third"
        worker.send_signal(signal.SIGKILL)  # killed while the third message is in flight
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()
    inbox.release.set()
    in_flight = inbox.messages[2]["To"]

    # Every notification was written before any mail went out: none lost, none twice.
    # (Asha also hears of her badge for a first question, by no email.)
    for name in ("asha", "f1", "f2", "f3", "f4", "f5"):
        user = store.user_by_username(name)
        items = store.notifications(user.id).items
        assert store.unread_count(user.id) == len(items) == (2 if name == "asha" else 1)
        assert [n.kind for n in items if n.award is None] == ["answer"]

    # A new worker sends the rest at once, and the one in flight once its claim lapses.
    mailer = mail.Mailer(url, "care@example.com")
    while mail.deliver_due(store, mailer):
        pass
    assert inbox.to()[in_flight] == 1, "the message in flight was sent again too early"
    assert set(inbox.to()) == expected
    while mail.deliver_due(store, mailer, lambda: later(utcnow(), mail.CLAIM_SECONDS + 1)):
        pass
    counts = inbox.to()
    assert set(counts) == expected
    assert counts[in_flight] == 2, "the message in flight was lost"
    assert sum(counts.values()) == len(expected) + 1, f"more than one repeat: {counts}"
    keys = _mail_keys(store, "asha", "f1", "f2", "f3", "f4", "f5")
    assert len(keys) == len(expected)
    assert all(store.mail(key).status == "sent" for key in keys)
    store.close()
