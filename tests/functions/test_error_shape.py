"""Every operation in the OpenAPI document answers bad input with a problem document.

The operations come from /api/openapi.json, so a new route is checked without editing
this file. Each gets: no CSRF token, malformed JSON, the wrong content type, a non-object
body, every field of the wrong type, a body over 64 KiB, unknown and impossible ids, and
bad query values. None may answer 5xx; every error is application/problem+json with
type, title, status and a sentence in detail, and 422s name every bad field.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import Client

from functions.app import MAX_BODY_BYTES

IMPOSSIBLE_IDS = ["0", "-1", "abc", "99999999999999999999", "1.5"]


def check_problem(reply, expected: set[int], what: str) -> dict:
    assert reply.status in expected, f"{what}: {reply}"
    assert reply.headers["Content-Type"] == "application/problem+json", what
    body = reply.json
    assert {"type", "title", "status", "detail"} <= body.keys(), what
    assert body["status"] == reply.status, what
    assert body["detail"].strip().endswith((".", "?", "!")), f"{what}: {body['detail']!r}"
    return body


@pytest.fixture
def operations(anonymous) -> list[tuple[str, str, dict]]:
    document = anonymous.get("/api/openapi.json").json
    found = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    assert len(found) >= 20
    return found


@pytest.fixture
def schemas(anonymous) -> dict:
    return anonymous.get("/api/openapi.json").json["components"]["schemas"]


@pytest.fixture
def signed_in(member) -> Client:
    # A moderator: no write limit to run into, and allowed everywhere a member is not.
    asha = member("asha", role="moderator")
    asha.ask()  # question 1 exists, so bad bodies are judged on a real target too
    return asha


def fill(path: str, value: str = "1") -> str:
    return path.replace("{id}", value)


def body_schema(operation: dict, schemas: dict) -> dict | None:
    body = operation.get("requestBody")
    if not body:
        return None
    ref = body["content"]["application/json"]["schema"]["$ref"]
    return schemas[ref.rsplit("/", 1)[1]]


def test_writes_without_csrf_token(operations, signed_in):
    for method, path, _ in operations:
        if method != "GET":
            reply = signed_in.call(method, fill(path), {}, csrf=False)
            check_problem(reply, {403}, f"{method} {path} without CSRF")


def test_unreadable_bodies(operations, signed_in):
    for method, path, operation in operations:
        if "requestBody" not in operation:
            continue
        what = f"{method} {path}"
        call = signed_in.call
        check_problem(
            call(
                method, fill(path), raw=b'{"title": ', headers={"Content-Type": "application/json"}
            ),
            {400},
            f"{what} malformed",
        )
        check_problem(
            call(method, fill(path), raw=b"title=x", headers={"Content-Type": "text/plain"}),
            {415},
            f"{what} text/plain",
        )
        check_problem(call(method, fill(path), [1, 2]), {400}, f"{what} array")
        check_problem(
            call(method, fill(path), raw=b"", headers={"Content-Type": "application/json"}),
            {400},
            f"{what} empty",
        )
        huge = json.dumps({"body": "x" * MAX_BODY_BYTES}).encode()
        check_problem(
            call(method, fill(path), raw=huge, headers={"Content-Type": "application/json"}),
            {413},
            f"{what} huge",
        )


def test_every_field_of_the_wrong_type(operations, schemas, signed_in):
    for method, path, operation in operations:
        schema = body_schema(operation, schemas)
        if schema is None:
            continue
        fields = list(schema["properties"])
        body = {name: {"not": "right"} for name in fields} | {"unknown_field": 1}
        problem = check_problem(
            signed_in.call(method, fill(path), body), {422}, f"{method} {path} wrong types"
        )
        named = {error["field"].split(".")[0] for error in problem["errors"]}
        assert named == {*fields, "unknown_field"}, f"{method} {path}: {named}"
        assert all(error["message"] for error in problem["errors"])


def test_unknown_and_impossible_ids(operations, schemas, signed_in):
    for method, path, operation in operations:
        if "{id}" not in path:
            continue
        schema = body_schema(operation, schemas)
        valid = {
            "NewAnswer": {"body": "A perfectly fine answer body."},
            "NewComment": {"body": "A fine comment."},
            "VoteRequest": {"value": 1},
            "AcceptRequest": {"answer_id": None},
            "FollowRequest": {"following": True},
            "QuestionEdit": {"title": "A perfectly fine new title"},
            "FlagRequest": {"reason": "spam"},
            "AnswerEdit": {"body": "A perfectly fine answer body."},
            "NoteRequest": {"text": "This no longer applies."},
            "PromotionRequest": {"title": "A fine title", "summary": "A fine summary here."},
            "ModerationRequest": {"action": "hide", "reason": "Spam link"},
            "GrantRequest": {"points": 10, "reason": "Helped at the meetup"},
        }.get(schema["title"] if schema else "")
        for value in ["424242", *IMPOSSIBLE_IDS]:
            reply = signed_in.call(method, fill(path, value), valid)
            check_problem(reply, {404}, f"{method} {fill(path, value)}")


def test_bad_query_values(operations, signed_in):
    for method, path, operation in operations:
        queries = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        for parameter in queries:
            for value in ("0", "-5", "x" * 300, "%00", "51"):
                reply = signed_in.call(method, f"{fill(path)}?{parameter['name']}={value}")
                if reply.status >= 400:
                    check_problem(reply, {404, 422}, f"{path}?{parameter['name']}={value}")
                else:
                    assert reply.status == 200, reply


def test_unknown_paths_and_methods(anonymous):
    check_problem(anonymous.get("/api/nothing-here"), {404}, "unknown path")
    check_problem(anonymous.call("DELETE", "/api/questions"), {405, 403}, "unknown method")
    reply = anonymous.call("PATCH", "/api/questions", {})
    assert (
        reply.status in (403, 405) and reply.headers["Content-Type"] == "application/problem+json"
    )


def test_document_is_self_consistent(anonymous):
    document = anonymous.get("/api/openapi.json").json
    text = json.dumps(document)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert refs and refs <= document["components"]["schemas"].keys()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], f"{method} {path}"
            ids = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
            assert ids == (["id"] if "{id}" in path else []), path


def test_every_moderators_route_refuses_members(operations, member, signed_in):
    """Checked before anything else: a member learns nothing of ids or bodies."""
    only_staff = [(m, p, op) for m, p, op in operations if op.get("x-moderators-only")]
    assert len(only_staff) >= 4
    ravi = member("ravi")
    for method, path, _ in only_staff:
        reply = ravi.call(method, fill(path), {} if method != "GET" else None)
        check_problem(reply, {403}, f"{method} {path} as a member")
