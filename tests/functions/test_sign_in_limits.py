"""Password guessing and mass sign-up: failed sign-ins per username and per address, and
sign-ups per address, counted in the store (so every worker process sees them)."""

from __future__ import annotations

import dataclasses

from conftest import PASSWORD, flask_client

from functions import accounts, limits
from functions.app import create_app
from functions.store import Attempts

NOW = "2026-11-23T09:30:00Z"


def test_rules():
    none = Attempts(0, None)
    almost = Attempts(limits.SIGN_IN_FAILURES_PER_USERNAME - 1, "2026-11-23T09:20:00Z")
    assert limits.sign_in_failures(none, none, NOW) is None
    assert limits.sign_in_failures(almost, none, NOW) is None
    full = Attempts(limits.SIGN_IN_FAILURES_PER_USERNAME, "2026-11-23T09:20:00Z")
    limited = limits.sign_in_failures(full, none, NOW)
    assert limited.retry_after == 5 * 60 and "wait 5 minutes" in limited.detail
    crowded = Attempts(limits.SIGN_IN_FAILURES_PER_ADDRESS, "2026-11-23T09:29:30Z")
    by_address = limits.sign_in_failures(none, crowded, NOW)
    assert by_address.retry_after == 14 * 60 + 30 and "your network" in by_address.detail
    assert limits.sign_ups(Attempts(limits.SIGN_UPS_PER_ADDRESS - 1, NOW), NOW) is None
    signed_up = limits.sign_ups(Attempts(limits.SIGN_UPS_PER_ADDRESS, "2026-11-23T09:00:00Z"), NOW)
    assert signed_up.retry_after == 30 * 60 and "wait 30 minutes" in signed_up.detail
    assert limits.since(limits.SIGN_IN_WINDOW, NOW) == "2026-11-23T09:15:00Z"


def test_address_keys():
    assert limits.address_key("203.0.113.7") == "203.0.113.7"
    assert limits.address_key("::ffff:203.0.113.7") == "203.0.113.7"
    # One IPv6 client holds a /64: every address in it counts as one.
    assert limits.address_key("2001:db8:1:2::7") == limits.address_key("2001:db8:1:2:ffff::1")
    assert limits.address_key("2001:db8:1:2::7") != limits.address_key("2001:db8:1:3::7")
    assert limits.address_key(None) == "unknown"


def failures(client, username: str, count: int) -> list[int]:
    return [client.sign_in(username, "not the password").status for _ in range(count)]


def test_failed_sign_ins_per_username(community_app, store):
    accounts.create_user(store, "asha", "asha@example.com", PASSWORD)
    guesser = flask_client(community_app, "203.0.113.7")
    allowed = limits.SIGN_IN_FAILURES_PER_USERNAME
    assert failures(guesser, "asha", allowed) == [401] * allowed
    stopped = guesser.sign_in("asha")  # even the right password waits now
    assert stopped.status == 429 and stopped.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(stopped.headers["Retry-After"]) <= limits.SIGN_IN_WINDOW.total_seconds()
    assert "failed sign-ins" in stopped.json["detail"] and "wait" in stopped.json["detail"]
    # Any capitalisation is the same username; from another address too.
    assert flask_client(community_app, "198.51.100.2").sign_in("ASHA").status == 429
    # Nothing tells an unknown username from a known one.
    assert failures(guesser, "nobody", allowed + 1)[-1] == 429
    assert guesser.sign_in("nobody").json["detail"] == stopped.json["detail"]


def test_a_right_password_clears_the_usernames_failures(community_app, store):
    accounts.create_user(store, "asha", "asha@example.com", PASSWORD)
    client = flask_client(community_app)
    almost = limits.SIGN_IN_FAILURES_PER_USERNAME - 1
    assert failures(client, "asha", almost) == [401] * almost
    assert client.sign_in("asha").status == 200
    assert failures(client, "asha", almost) == [401] * almost
    assert client.sign_in("asha").status == 200


def test_failed_sign_ins_per_address(community_app, store):
    accounts.create_user(store, "asha", "asha@example.com", PASSWORD)
    guesser = flask_client(community_app, "203.0.113.7")
    per_name = limits.SIGN_IN_FAILURES_PER_USERNAME - 1
    names = [f"name{n}" for n in range(limits.SIGN_IN_FAILURES_PER_ADDRESS // per_name + 1)]
    statuses = [status for name in names for status in failures(guesser, name, per_name)]
    assert statuses[: limits.SIGN_IN_FAILURES_PER_ADDRESS] == [401] * (
        limits.SIGN_IN_FAILURES_PER_ADDRESS
    )
    assert set(statuses[limits.SIGN_IN_FAILURES_PER_ADDRESS :]) == {429}
    assert "your network" in guesser.sign_in("asha").json["detail"]
    # Signing in to one's own account does not reset the address's count.
    assert flask_client(community_app, "203.0.113.7").sign_in("asha").status == 429
    assert flask_client(community_app, "198.51.100.2").sign_in("asha").status == 200


def sign_up(client, name: str):
    return client.call(
        "POST",
        "/api/accounts",
        {"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )


def test_sign_ups_per_address(community_app):
    network = flask_client(community_app, "2001:db8::1")
    allowed = limits.SIGN_UPS_PER_ADDRESS
    statuses = [sign_up(network, f"member{n}").status for n in range(allowed - 1)]
    assert sign_up(network, "member0").status == 409  # taken names count too
    assert statuses == [201] * (allowed - 1)
    same_network = flask_client(community_app, "2001:db8::2")
    stopped = sign_up(same_network, "latecomer")
    assert stopped.status == 429 and "sign-ups" in stopped.json["detail"]
    assert 1 <= int(stopped.headers["Retry-After"]) <= limits.SIGN_UP_WINDOW.total_seconds()
    assert sign_up(flask_client(community_app, "2001:db8:0:1::1"), "latecomer").status == 201


def test_counts_hold_across_processes(community_paths, store):
    """Two apps on one store file, as two worker processes are."""
    accounts.create_user(store, "asha", "asha@example.com", PASSWORD)
    other_worker = create_app(community_paths.settings())
    try:
        half = limits.SIGN_IN_FAILURES_PER_USERNAME // 2
        first = create_app(community_paths.settings())
        try:
            assert failures(flask_client(first), "asha", half) == [401] * half
        finally:
            first.extensions["portal_store"].close()
        rest = limits.SIGN_IN_FAILURES_PER_USERNAME - half
        assert failures(flask_client(other_worker), "asha", rest + 1)[-1] == 429
    finally:
        other_worker.extensions["portal_store"].close()


def test_forwarded_for_only_with_proxy_hops(community_paths):
    def app_with(hops: int):
        return create_app(dataclasses.replace(community_paths.settings(), proxy_hops=hops))

    direct, proxied = app_with(0), app_with(1)
    try:
        forged = {"X-Forwarded-For": "192.0.2.50"}
        for n in range(limits.SIGN_UPS_PER_ADDRESS):
            reply = flask_client(direct).call(
                "POST",
                "/api/accounts",
                {"username": f"member{n}", "email": f"m{n}@example.com", "password": PASSWORD},
                headers={"X-Forwarded-For": f"192.0.2.{n}"},
            )
            assert reply.status == 201
        # Without trusted proxies the header is the client's word, and changes nothing.
        assert sign_up(flask_client(direct), "another").status == 429
        behind = flask_client(proxied)
        reply = behind.call(
            "POST",
            "/api/accounts",
            {"username": "another", "email": "another@example.com", "password": PASSWORD},
            headers=forged,
        )
        assert reply.status == 201
    finally:
        direct.extensions["portal_store"].close()
        proxied.extensions["portal_store"].close()
