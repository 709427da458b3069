"""Community posts reach search: a snapshot for `portal build`, the outbox for the live writer."""

from __future__ import annotations

import json

from conftest import http_client
from portal_testing import run_portal, serving, wait_for

from functions import search_feed
from search_index.documents import CommunityDoc, Deleted


def test_snapshot_holds_visible_questions_with_their_answers(member, store):
    asker, helper = member("asha"), member("boris")
    question = asker.ask(title="Screen flickers after the last update")
    reply = helper.call(
        "POST",
        f"/api/questions/{question['id']}/answers",
        {"body": "Turn off adaptive brightness, then restart."},
    )
    assert reply.status == 201
    hidden = asker.ask(title="A question a moderator will hide")
    store.set_hidden("question", hidden["id"], True, "2026-11-23T10:00:00Z")

    docs, cursor = search_feed.snapshot(store)
    assert cursor == store.latest_cursor() is not None
    by_id = {doc.id: doc for doc in docs}
    assert f"question:{hidden['id']}" not in by_id
    doc = by_id[f"question:{question['id']}"]
    assert doc.status == "answered" and doc.lang == "en"
    assert "adaptive brightness" in doc.body
    assert doc.url == f"community/question/?id={question['id']}"


def test_changes_name_each_touched_question_once(member, store):
    asker = member("chitra")
    first = asker.ask(title="Battery drains overnight in standby")
    cursor = store.latest_cursor()
    fetch = search_feed.change_source(store)
    assert fetch(cursor) == ([], cursor)

    asker.call(
        "PATCH", f"/api/questions/{first['id']}", {"title": "Battery drains fast in standby"}
    )
    asker.call("PUT", f"/api/questions/{first['id']}/follow", {"following": False})
    store.set_hidden("question", first["id"], True, "2026-11-23T10:00:00Z")
    changes, after = fetch(cursor)
    assert after == store.latest_cursor() != cursor
    assert len(changes) == 1 and isinstance(changes[0], CommunityDoc)
    assert changes[0].hidden and changes[0].title == "Battery drains fast in standby"

    store.delete_post("question", first["id"], "2026-11-23T10:01:00Z")
    changes, _ = fetch(after)
    assert changes == [Deleted(f"question:{first['id']}")]


def search(client, query: str) -> list[str]:
    reply = client.get(f"/api/search?q={query}&lang=en")
    assert reply.status == 200, reply
    return [item["url"] for item in reply.json["items"]]


def test_posts_are_searchable_on_a_real_server_and_leave_when_hidden(small_paths):
    env = small_paths.environ()
    assert run_portal("build", env=env).returncode == 0
    with serving(env, workers=2) as base:
        asker = http_client(base)
        assert (
            asker.call(
                "POST",
                "/api/accounts",
                {
                    "username": "dmitri",
                    "email": "dmitri@example.com",
                    "password": "correct horse battery",
                },
            ).status
            == 201
        )
        question = asker.ask(title="Earbuds crackle in the left ear only")
        url = f"en/community/question/?id={question['id']}"
        assert wait_for(lambda: url in search(asker, "crackle")), (
            "the new question never became searchable"
        )

        from functions.store import open_store

        store = open_store(env["PORTAL_STORE"])
        store.set_hidden("question", question["id"], True, "2026-11-23T10:00:00Z")
        store.close()
        assert wait_for(lambda: url not in search(asker, "crackle")), (
            "the hidden question stayed in results"
        )

    # A rebuild takes the store's snapshot, so the question (shown again) survives it.
    store = open_store(env["PORTAL_STORE"])
    store.set_hidden("question", question["id"], False, "2026-11-23T10:02:00Z")
    store.close()
    assert run_portal("build", env=env).returncode == 0
    found = run_portal("search", "crackle", "--lang", "en", "--json", env=env)
    assert url in [item["url"] for item in json.loads(found.stdout)["items"]]


def test_a_quiet_outbox_gives_the_writer_nothing_to_commit(store):
    assert search_feed.change_source(store)(None) == ([], None)
