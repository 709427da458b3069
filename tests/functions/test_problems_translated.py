"""Every problem answers in the client's language with a stable code.

Like test_error_shape.py, this walks the operations of /api/openapi.json (so a new route is
checked without editing this file) and provokes problems on each: no CSRF token, unreadable
and wrong bodies, unknown ids, bad query values, no session, a member on moderators' routes.
Asked in Russian or Khmer, each problem must carry a ``code`` and say its ``detail`` (and
each bad field's message) in that language, not in English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from conftest import Client, Reply
from test_error_shape import IMPOSSIBLE_IDS, body_schema, fill

from functions import wording
from functions.app import MAX_BODY_BYTES

# Letters only the language uses: a detail said in it has some.
SCRIPT = {"ru": re.compile("[а-яё]", re.IGNORECASE), "km": re.compile("[\u1780-\u17ff]")}


def check_said(reply: Reply, lang: str, what: str) -> dict:
    assert reply.status >= 400 and reply.headers["Content-Type"] == "application/problem+json"
    problem = reply.json
    assert {"type", "title", "status", "detail", "code"} <= problem.keys(), what
    code = problem["code"]
    assert code in wording.codes(), f"{what}: {code}"
    # Every code's sentence differs from the English (test_wording.py checks it).
    assert SCRIPT[lang].search(problem["detail"]), f"{what}: {problem['detail']!r}"
    for error in problem.get("errors") or []:
        assert SCRIPT[lang].search(error["message"]), f"{what}: {error}"
        assert error.get("code") or code == "bad_cursor", f"{what}: {error}"  # its old shape
    return problem


def provoke(
    operations: list, schemas: dict, moderator: Client, member: Client, anonymous: Client, lang: str
) -> Iterator[tuple[str, Reply]]:
    """Bad requests to every operation, each asked in ``lang``."""
    said = {"Accept-Language": lang}
    as_json = {**said, "Content-Type": "application/json"}
    for method, path, operation in operations:
        what, at = f"{method} {path}", fill(path)
        if method != "GET":
            yield f"{what} without CSRF", moderator.call(method, at, {}, csrf=False, headers=said)
        if operation.get("x-moderators-only"):
            yield (
                f"{what} as a member",
                member.call(method, at, {} if method != "GET" else None, headers=said),
            )
        if operation.get("security"):
            yield (
                f"{what} signed out",
                anonymous.call(method, at, {} if method != "GET" else None, headers=said),
            )
        schema = body_schema(operation, schemas)
        if schema is not None:
            yield f"{what} malformed", moderator.call(method, at, raw=b'{"a": ', headers=as_json)
            yield (
                f"{what} text/plain",
                moderator.call(
                    method, at, raw=b"a=b", headers={**said, "Content-Type": "text/plain"}
                ),
            )
            yield f"{what} array", moderator.call(method, at, [1, 2], headers=said)
            huge = json.dumps({"body": "x" * MAX_BODY_BYTES}).encode()
            yield f"{what} huge", moderator.call(method, at, raw=huge, headers=as_json)
            wrong = {name: {"not": "right"} for name in schema["properties"]} | {"unknown": 1}
            yield f"{what} wrong types", moderator.call(method, at, wrong, headers=said)
        if "{id}" in path:
            for value in ["424242", *IMPOSSIBLE_IDS[:2]]:
                body = {} if method != "GET" else None
                yield (
                    f"{method} {fill(path, value)}",
                    moderator.call(method, fill(path, value), body, headers=said),
                )
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                for value in ("-5", "x" * 300):
                    yield (
                        f"{at}?{parameter['name']}={value[:8]}",
                        moderator.call(method, f"{at}?{parameter['name']}={value}", headers=said),
                    )
    yield "unknown path", anonymous.call("GET", "/api/nothing-here", headers=said)
    yield "unknown method", anonymous.call("DELETE", "/api/questions", headers=said)


@pytest.mark.parametrize("lang", ["ru", "km"])
def test_every_problem_has_a_code_and_is_said_in_the_clients_language(
    lang, anonymous, member, schemas_and_operations
):
    operations, schemas = schemas_and_operations
    moderator = member("asha", role="moderator")
    moderator.ask()  # question 1 exists, so bad bodies are judged on a real target too
    ravi = member("ravi")
    codes = set()
    for what, reply in provoke(operations, schemas, moderator, ravi, anonymous, lang):
        if reply.status >= 400:
            codes.add(check_said(reply, lang, what)["code"])
    # The walk reaches the web layer's problems and the rules' refusals alike.
    expected = {"csrf_token_needed", "json_invalid", "json_expected", "json_object_expected"}
    expected |= {"too_large", "fields_to_fix", "no_such_question", "no_such_answer"}
    expected |= {"staff_only", "sign_in_needed", "not_found", "method_not_allowed"}
    assert codes >= expected, expected - codes


@pytest.fixture
def schemas_and_operations(anonymous) -> tuple[list, dict]:
    document = anonymous.get("/api/openapi.json").json
    operations = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    return operations, document["components"]["schemas"]


def test_the_rules_refusals_are_said_in_russian(member):
    ru = {"Accept-Language": "ru"}
    asha, ravi = member("asha"), member("ravi", points=20)
    question = asha.ask()
    path = f"/api/questions/{question['id']}"
    problem = check_said(asha.call("PUT", f"{path}/vote", {"value": 1}, headers=ru), "ru", "vote")
    assert problem["code"] == "own_post_vote" and "свой вопрос" in problem["detail"]
    moderator = member("mod", role="moderator")
    assert ravi.call("POST", f"{path}/flags", {"reason": "spam"}).status < 300
    again = ravi.call("POST", f"{path}/flags", {"reason": "spam"}, headers=ru)
    assert check_said(again, "ru", "flag twice")["code"] == "flagged_already"
    lock = moderator.call("POST", f"{path}/moderation", {"action": "lock", "reason": "Done"})
    assert lock.status < 300, lock
    locked = ravi.call("POST", f"{path}/answers", {"body": "Try another cable first."}, headers=ru)
    assert check_said(locked, "ru", "locked")["code"] == "question_locked"
    wrong = asha.call("POST", "/api/session", {"username": "asha", "password": "no"}, headers=ru)
    assert check_said(wrong, "ru", "sign in")["code"] == "wrong_credentials"


def test_a_new_members_posting_limit_says_its_wait_in_hours(member):
    newcomer = member("newcomer", age_days=0)
    for number in range(3):
        newcomer.ask(title=f"Newcomer question number {number}")
    one_more = {"title": "One question too many today", "body": "x" * 30, "lang": "en"}
    for lang, hours in (("ru", "час"), ("km", "ម៉ោង")):
        reply = newcomer.call("POST", "/api/questions", one_more, headers={"Accept-Language": lang})
        assert reply.status == 429 and 0 < int(reply.headers["Retry-After"]) <= 86400
        problem = check_said(reply, lang, "fourth question")
        assert problem["code"] == "new_member_questions"
        assert hours in problem["detail"] and not re.search(r"\d{3,}", problem["detail"])


@pytest.mark.parametrize(
    ("query", "code"),
    [("q=", "search_empty"), ("q=warranty&lang=fr", "search_language"), ("page=two", None)],
)
def test_search_problems_are_said_in_russian(anonymous, query, code):
    reply = anonymous.call("GET", f"/api/search?{query}", headers={"Accept-Language": "ru"})
    problem = check_said(reply, "ru", query)
    # Without an index the index's own checks may come second to "not ready".
    assert problem["code"] in {code or "search_page_number", "search_not_ready"}
