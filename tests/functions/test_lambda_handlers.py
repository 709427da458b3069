"""The Lambda handlers with API Gateway's events as they arrive: HTTP API (payload 2.0) and
REST API (payload 1.0), each function's real app on a temporary SQLite store.

The events follow the samples in API Gateway's developer guide ("Create AWS Lambda proxy
integrations for HTTP APIs", "Input format of a Lambda function for proxy integration"):
2.0's lower-case headers, ``cookies`` list and ``rawQueryString``; 1.0's ``headers`` beside
``multiValueHeaders`` and ``multiValueQueryStringParameters``.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import PASSWORD, QUESTION, Client, Reply
from flask import jsonify, request

from core import settings as settings_module
from core.settings import SettingsError
from functions import accounts
from functions import lambda_handlers as handlers
from functions.app import FUNCTIONS, create_app

SOURCE_IP = "198.51.100.7"


class Context:
    """What the Lambda runtime passes beside the event (apig-wsgi only hands it on)."""

    function_name = "portal-forum"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:portal-forum"
    memory_limit_in_mb = 512
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    log_group_name = "/aws/lambda/portal-forum"
    log_stream_name = "2026/12/02/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def http_api_event(
    method: str, target: str, body: bytes | None, headers: dict[str, str], cookies: list[str]
) -> dict[str, Any]:
    """An HTTP API's event (payload 2.0)."""
    path, _, query = target.partition("?")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "content-length": str(len(body or b"")),
            "host": "api.nimbus.example.com",
            "user-agent": "Mozilla/5.0",
            "x-amzn-trace-id": "Root=1-5e7fe714-fee6909429159440eb352c40",
            "x-forwarded-for": SOURCE_IP,
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **{name.lower(): value for name, value in headers.items()},
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "api.nimbus.example.com",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": "Mozilla/5.0",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "02/Dec/2026:19:03:58 +0000",
            "timeEpoch": 1796238238390,
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:  # duplicates joined with commas, as API Gateway does
        event["queryStringParameters"] = {
            name: ",".join(values) for name, values in parse_qs(query).items()
        }
    if body is not None:
        event["body"] = body.decode()
    return event


def rest_api_event(
    method: str, target: str, body: bytes | None, headers: dict[str, str], cookies: list[str]
) -> dict[str, Any]:
    """A REST API's proxy event (payload 1.0): headers as the client spelled them, the body
    as text, and a client that writes its own X-Forwarded-For (API Gateway appends)."""
    path, _, query = target.partition("?")
    sent = {
        "Accept": "application/json",
        "Host": "api.nimbus.example.com",
        "User-Agent": "Mozilla/5.0",
        "X-Forwarded-For": f"203.0.113.99, {SOURCE_IP}",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **headers,
    }
    if cookies:
        sent["Cookie"] = "; ".join(cookies)
    values = parse_qs(query)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {name: [value] for name, value in sent.items()},
        # the last of each repeated parameter, beside all of them
        "queryStringParameters": {name: v[-1] for name, v in values.items()} or None,
        "multiValueQueryStringParameters": values or None,
        "pathParameters": {"proxy": path.removeprefix("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "api.nimbus.example.com",
            "extendedRequestId": "JKJaXmPLvHcESHA=",
            "httpMethod": method,
            "identity": {"sourceIp": SOURCE_IP, "userAgent": "Mozilla/5.0"},
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "02/Dec/2026:19:03:58 +0000",
            "requestTimeEpoch": 1796238238390,
            "resourcePath": "/{proxy+}",
            "stage": "prod",
        },
        "body": body.decode() if body is not None else None,
        "isBase64Encoded": False,
    }


EVENTS = {"2.0": http_api_event, "1.0": rest_api_event}


def set_cookies(response: dict[str, Any]) -> list[str]:
    """Every Set-Cookie of a handler's response, in either payload's shape."""
    if "cookies" in response:  # 2.0
        return response["cookies"]
    return response["multiValueHeaders"].get("Set-Cookie", [])


def header(response: dict[str, Any], name: str) -> str | None:
    if "multiValueHeaders" in response:
        found = {k.lower(): v for k, v in response["multiValueHeaders"].items()}.get(name.lower())
        return found[-1] if found else None
    return {k.lower(): v for k, v in response["headers"].items()}.get(name.lower())


def lambda_client(
    route: Callable[[str], Callable], payload: str, base64_bodies: bool = False
) -> Client:
    """One browser calling the API through API Gateway: ``route`` picks the handler of the
    function serving a path; the session cookie goes back as that payload carries it. With
    ``base64_bodies``, bodies come base64-encoded (as API Gateway sends what it does not
    take for text)."""
    jar: dict[str, str] = {}
    make_event = EVENTS[payload]

    def send(method: str, target: str, raw: bytes | None, headers: dict[str, str]) -> Reply:
        cookies = [f"{name}={value}" for name, value in jar.items()]
        event = make_event(method, target, raw, headers, cookies)
        if base64_bodies and raw is not None:
            event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
        response = route(urlsplit(target).path)(event, Context())
        for value in set_cookies(response):
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]
        body = response["body"].encode()
        if response["isBase64Encoded"]:
            body = base64.b64decode(body)
        names = response.get("multiValueHeaders") or response["headers"]
        return Reply(response["statusCode"], {n.lower(): header(response, n) for n in names}, body)

    return Client(send)


@pytest.fixture
def lambda_settings(community_paths):
    return settings_module.load(community_paths.environ(PORTAL_SECRET_KEY=secrets.token_hex(32)))


@pytest.fixture
def apps(lambda_settings) -> Iterator[dict[str, Any]]:
    """Each function's app as its own Lambda makes it, made when first asked for."""
    made: dict[str, Any] = {}

    class Apps(dict):
        def __missing__(self, function: str):
            made[function] = self[function] = create_app(lambda_settings, function=function)
            return made[function]

    yield Apps()
    for app in made.values():
        app.extensions["portal_store"].close()


FUNCTION_OF = {"/api/session": "accounts", "/api/accounts": "accounts"}


@pytest.fixture
def route(apps) -> Callable[[str], Callable]:
    """API Gateway's routes: the session to the accounts function, the rest to the forum."""
    handlers_made: dict[str, Callable] = {}

    def pick(path: str) -> Callable:
        function = FUNCTION_OF.get(path, "forum")
        if function not in handlers_made:
            handlers_made[function] = handlers.handler(apps[function])
        return handlers_made[function]

    return pick


@pytest.fixture
def member_named(apps):
    def make(name: str) -> None:
        store = apps["accounts"].extensions["portal_store"]
        accounts.create_user(
            store, name, f"{name}@example.com", PASSWORD, "member", "2026-01-01T00:00:00Z"
        )

    return make


@pytest.mark.parametrize("payload", EVENTS)
def test_sign_in_then_the_cookie_and_csrf_token_travel_back(route, member_named, payload):
    member_named("asha")
    browser = lambda_client(route, payload)
    assert browser.get("/api/session").json["user"] is None

    signed_in = browser.sign_in("asha")  # accounts' Lambda sets the cookie
    assert signed_in.status == 200, signed_in
    assert browser.get("/api/session").json["user"]["username"] == "asha"

    # forum's Lambda reads the same cookie and wants the token the session holds
    refused = browser.call("POST", "/api/questions", QUESTION, csrf=False)
    assert refused.status == 403 and refused.json["code"] == "csrf_token_needed"
    asked = browser.ask()
    assert asked["author"]["username"] == "asha"
    assert browser.get(f"/api/questions/{asked['id']}").json["title"] == QUESTION["title"]


@pytest.mark.parametrize("payload", EVENTS)
def test_cookie_is_secure_behind_api_gateway(route, payload):
    response = route("/api/session")(
        EVENTS[payload]("GET", "/api/session", None, {}, []), Context()
    )
    (cookie,) = set_cookies(response)
    assert cookie.startswith("portal_session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}


@pytest.mark.parametrize("payload", EVENTS)
def test_json_bodies_sent_base64_encoded(route, member_named, payload):
    member_named("bopha")
    browser = lambda_client(route, payload, base64_bodies=True)
    assert browser.sign_in("bopha").status == 200
    asked = browser.ask()
    assert asked["title"] == QUESTION["title"] and asked["tags"] == QUESTION["tags"]


@pytest.fixture
def probe(apps):
    """The health function's app with one more route that tells what the app saw, and a
    response carrying two cookies (the portal itself sets only its session's)."""
    app = apps["health"]

    @app.get("/api/probe")
    def _probe():
        answer = jsonify(
            remote_addr=request.remote_addr,
            scheme=request.scheme,
            tags=request.args.getlist("tag"),
            csrf=request.headers.get("X-CSRF-Token"),
            cookies=dict(request.cookies),
        )
        answer.set_cookie("first", "1", secure=True)
        answer.set_cookie("second", "2", secure=True)
        return answer

    return handlers.handler(app)


@pytest.mark.parametrize("payload", EVENTS)
def test_what_the_app_sees(probe, payload):
    event = EVENTS[payload](
        "GET", "/api/probe?tag=a&tag=b", None, {"X-CSRF-Token": "t0ken"}, ["one=1", "two=2"]
    )
    response = probe(event, Context())
    assert response["statusCode"] == 200
    seen = json.loads(response["body"])
    assert seen == {
        "remote_addr": SOURCE_IP,  # API Gateway's sourceIp, never the client's own X-Forwarded-For
        "scheme": "https",
        "tags": ["a", "b"],  # a repeated parameter arrives whole in both payloads
        "csrf": "t0ken",
        "cookies": {"one": "1", "two": "2"},
    }
    assert [cookie.split(";")[0] for cookie in set_cookies(response)] == ["first=1", "second=2"]


@pytest.mark.parametrize("payload", EVENTS)
def test_a_repeated_tag_lists_as_it_does_behind_gunicorn(route, member_named, apps, payload):
    member_named("chan")
    browser = lambda_client(route, payload)
    browser.sign_in("chan")
    browser.ask(tags=["battery"])
    browser.ask(title="My screen flickers after the update", tags=["screen"])
    through_lambda = browser.get("/api/questions?tag=battery&tag=screen")
    in_process = apps["forum"].test_client().get("/api/questions?tag=battery&tag=screen")
    assert through_lambda.json == in_process.get_json()
    # the query model takes one tag: the first, as with any WSGI server
    assert [item["tags"] for item in through_lambda.json["items"]] == [["battery"]]


@pytest.mark.parametrize("payload", EVENTS)
def test_problems_keep_their_shape(route, member_named, payload):
    member_named("dara")
    browser = lambda_client(route, payload)
    browser.sign_in("dara")

    missing = browser.get("/api/questions/999999")
    assert missing.status == 404 and missing.json["code"] == "no_such_question"
    assert missing.headers["content-type"].startswith("application/problem+json")

    not_here = browser.get("/api/notifications")  # served by another function
    assert not_here.status == 404 and not_here.json["status"] == 404

    short = browser.call("POST", "/api/questions", {**QUESTION, "title": "Help"})
    assert short.status == 422
    assert [error["field"] for error in short.json["errors"]] == ["title"]


@pytest.mark.parametrize("payload", EVENTS)
def test_an_unexpected_error_is_a_plain_500(route, apps, payload, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("table questions_by_tag is corrupt at /var/task/secret")

    monkeypatch.setattr(apps["forum"].extensions["portal_store"], "list_questions", broken)
    response = route("/api/questions")(
        EVENTS[payload]("GET", "/api/questions", None, {}, []), Context()
    )
    assert response["statusCode"] == 500
    assert header(response, "Content-Type").startswith("application/problem+json")
    problem = json.loads(response["body"])
    assert problem["status"] == 500 and problem["code"]
    assert "corrupt" not in response["body"] and "Traceback" not in response["body"]
    assert "corrupt" in caplog.text  # logged, for CloudWatch


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_a_handler(lambda_settings, function, monkeypatch):
    made = []

    def create_and_keep(settings, function):
        made.append(create_app(settings, function=function))
        return made[-1]

    monkeypatch.setattr(handlers, "create_app", create_and_keep)
    handle = handlers.handler_for(function, lambda_settings)
    try:
        response = handle(http_api_event("GET", "/api/openapi.json", None, {}, []), Context())
    finally:
        made[0].extensions["portal_store"].close()
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["openapi"].startswith("3.1")
    assert function in dir(handlers) and function in handlers.__all__


@pytest.fixture
def process_environment(monkeypatch):
    """The process's settings read afresh from the environment this test sets."""

    def use(**environ: str) -> None:
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        settings_module.settings.cache_clear()

    yield use
    settings_module.settings.cache_clear()


def test_a_lambda_refuses_a_store_on_one_machine(process_environment, tmp_path):
    process_environment(PORTAL_STORE=f"sqlite:///{tmp_path}/portal.db", PORTAL_SECRET_KEY="k" * 64)
    with pytest.raises(SettingsError, match="dynamodb://TABLE"):
        handlers.forum  # noqa: B018 - the runtime's getattr at init


def test_a_lambda_needs_the_secret_key(process_environment, monkeypatch):
    process_environment(PORTAL_STORE="dynamodb://portal")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    settings_module.settings.cache_clear()
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY is required on Lambda"):
        handlers.lambda_settings()


def test_only_functions_are_handlers():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        handlers.nope  # noqa: B018
