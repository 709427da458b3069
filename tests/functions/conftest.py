"""Fixtures for the community functions: a real app on a temporary SQLite file, members,
and one small client that speaks to the app in-process or to a real `portal serve`."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email
import http.client
import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from portal_testing import SLOWER, PortalPaths, free_port, serving

from functions import accounts
from functions.app import create_app
from functions.consumers import AWARDS, catch_up, consumers
from functions.store import iso

PASSWORD = "correct horse battery"
QUESTION = {
    "title": "My phone stopped charging overnight",
    "body": "It was fine yesterday; today the charger does nothing at all.",
    "tags": ["battery", "charging"],
    "lang": "en",
}


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.body[:300]!r}>"


class Client:
    """One person's browser: a session cookie, and the CSRF token sent on every write."""

    def __init__(self, send: Callable[..., Reply]) -> None:
        self._send = send
        self.token: str | None = None
        self.user: dict | None = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
    ) -> Reply:
        sent = dict(headers or {})
        if method != "GET" and csrf:
            sent.setdefault("X-CSRF-Token", self.csrf())
        if body is not None:
            raw = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        reply = self._send(method, path, raw, sent)
        if method == "POST" and path in ("/api/session", "/api/accounts") and reply.status < 300:
            self.token = None  # signing in starts a new session with a new token, as a page does
        return reply

    def csrf(self) -> str:
        if self.token is None:
            self.token = self.call("GET", "/api/session").json["csrf_token"]
        return self.token

    def get(self, path: str) -> Reply:
        return self.call("GET", path)

    def sign_in(self, username: str, password: str = PASSWORD) -> Reply:
        reply = self.call("POST", "/api/session", {"username": username, "password": password})
        if reply.status == 200:
            self.user = reply.json["user"]
        return reply

    def ask(self, **changes: Any) -> dict:
        reply = self.call("POST", "/api/questions", {**QUESTION, **changes})
        assert reply.status == 201, reply
        return reply.json


def flask_client(app, address: str | None = None) -> Client:
    """A client of ``app`` in-process, coming from ``address`` (127.0.0.1 by default)."""
    test_client = app.test_client()
    if address:
        test_client.environ_base["REMOTE_ADDR"] = address

    def send(method: str, path: str, raw: bytes | None, headers: dict[str, str]) -> Reply:
        response = test_client.open(path, method=method, data=raw, headers=headers)
        return Reply(response.status_code, dict(response.headers), response.get_data())

    return Client(send)


def http_client(base: str) -> Client:
    """A client of a real server, keeping its cookie; one connection per request."""
    address = urlsplit(base)
    cookie: dict[str, str] = {}

    def send(method: str, path: str, raw: bytes | None, headers: dict[str, str]) -> Reply:
        headers = {**headers, "Connection": "close"}
        if cookie:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookie.items())
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30 * SLOWER)
        try:
            connection.request(method, path, body=raw, headers=headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie[name] = rest.split(";", 1)[0]
        return Reply(response.status, dict(response.headers), body)

    return Client(send)


@pytest.fixture
def community_paths(tmp_path) -> PortalPaths:
    return PortalPaths.under(tmp_path)


@pytest.fixture
def community_app(community_paths: PortalPaths):
    settings = community_paths.settings()
    app = create_app(settings)
    yield app
    app.extensions["portal_store"].close()


def give_points(store, user_id: int, points: int) -> None:
    """Points for a member, as an admin gives them, booked by the awards consumer."""
    store.grant_points(user_id, points, "set-up", None, iso(dt.datetime.now(dt.UTC)))
    catch_up(store, AWARDS)


# A real `portal serve` (gunicorn, two workers) on loopback, one per test module


@pytest.fixture(scope="module")
def served_paths(tmp_path_factory) -> PortalPaths:
    return PortalPaths.under(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def served(served_paths):
    served_paths.site.mkdir(parents=True)  # the API needs no built site
    with serving(served_paths.environ(PORTAL_SECRET_KEY="test-secret " * 4), workers=2) as base:
        yield base


@pytest.fixture
def store(community_app):
    return community_app.extensions["portal_store"]


@pytest.fixture
def deliver(community_app, store) -> Callable[[], int]:
    """Run every event consumer up to the newest event, as `portal work` does after each
    change; how many events they handled."""
    settings = community_app.config["PORTAL_SETTINGS"]

    def run() -> int:
        return sum(catch_up(store, consumer) for consumer in consumers(settings))

    return run


@pytest.fixture
def anonymous(community_app) -> Client:
    return flask_client(community_app)


@pytest.fixture
def member(community_app, store) -> Callable[..., Client]:
    """Make a signed-in member (a month old unless ``age_days`` says otherwise), with
    ``points`` given as an admin gives them (booked by the awards consumer)."""

    def make(name: str, role: str = "member", age_days: float = 30, points: int = 0) -> Client:
        joined = dt.datetime.now(dt.UTC) - dt.timedelta(days=age_days)
        user = accounts.create_user(store, name, f"{name}@example.com", PASSWORD, role, iso(joined))
        if points:
            give_points(store, user.id, points)
        client = flask_client(community_app)
        assert client.sign_in(name).status == 200
        return client

    return make


# Mail: a real SMTP server (aiosmtpd) on loopback


class Inbox:
    """An SMTP server's mailbox; ``hold_after`` messages, it stops answering until released."""

    def __init__(self, hold_after: int | None = None) -> None:
        self.messages: list[email.message.Message] = []
        self.hold_after = hold_after
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        if self.hold_after is not None and len(self.messages) > self.hold_after:
            while not self.release.is_set():  # the sender waits for our answer
                await asyncio.sleep(0.02)
        return "250 OK"

    def to(self) -> Counter:
        return Counter(message["To"] for message in self.messages)


@pytest.fixture
def smtp():
    servers = []

    def start(handler) -> str:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append((controller, handler))
        return f"smtp://127.0.0.1:{controller.port}"

    yield start
    for controller, handler in servers:
        if isinstance(handler, Inbox):
            handler.release.set()
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
