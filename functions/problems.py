"""The one error shape of the API: ``application/problem+json`` (RFC 9457).

Raise :class:`Problem` for what the web layer refuses (or let Flask raise an HTTP error);
domain rules raise :mod:`functions.errors` and the store its own errors. :func:`register`
maps every one of them, in this one place, to a problem document with a stable ``code`` and
a ``detail`` that says, in the client's language (:mod:`functions.wording`), what the person
can do. Unexpected errors answer a plain 500 and are logged with their traceback, never
shown to the client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from functions import wording
from functions.errors import (
    AlreadyDone,
    DomainError,
    Invalid,
    LimitReached,
    NotAllowed,
    NotFound,
    field,
)
from functions.store.contract import BadCursor, Conflict, Stale

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

# What a person can do about the common HTTP errors, when the code said nothing more precise
# (the sentences are in functions/words/http.yml); any other status gets "http_error".
_ADVICE = {
    400: "bad_request",
    401: "sign_in_again",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "json_expected",
    429: "too_many_requests",
    500: "server_error",
}


_DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotAllowed: 403,
    NotFound: 404,
    Invalid: 422,
    AlreadyDone: 409,
    LimitReached: 429,
}


class Problem(Exception):
    """An error the client can fix (or wait out): the ``code`` of its sentence, the
    ``params`` that fill it in, its HTTP status, and the bad fields when there are any."""

    status = 400

    def __init__(
        self,
        code: str,
        params: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ):
        super().__init__(code)
        self.code = code
        self.params = params or {}
        self.status = status or self.status
        self.title = title
        self.headers = headers or {}
        self.errors = errors


def response(
    status: int,
    code: str,
    params: dict[str, Any] | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    sentence: str | None = None,
) -> Response:
    """Build a problem+json response, said in the client's language (with the words of
    ``sentence`` when they are not ``code``'s own)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": wording.say(sentence or code, params),
        "code": code,
    }
    if errors:
        body["errors"] = [
            {**item, "message": item.get("message") or wording.say(item["code"], item["params"])}
            for item in errors
        ]
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)


def register(app: Flask) -> None:
    """Make every error of ``app`` answer with a problem document."""

    @app.errorhandler(Problem)
    def _problem(error: Problem) -> Response:
        result = response(
            error.status, error.code, error.params, title=error.title, errors=error.errors
        )
        result.headers.update(error.headers)
        return result

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        result = response(
            _DOMAIN_STATUS[type(error)], error.code, error.params, errors=error.errors
        )
        if isinstance(error, LimitReached):
            result.headers["Retry-After"] = str(error.retry_after)
        return result

    @app.errorhandler(Conflict)
    def _taken(error: Conflict) -> Response:
        code = f"{error.field}_taken"  # username_taken, email_taken
        return response(409, code, errors=[field(error.field, code)], sentence=f"{code}_detail")

    @app.errorhandler(Stale)
    def _stale(error: Stale) -> Response:
        return response(409, "stale", {"kind": wording.words(error.kind)})

    @app.errorhandler(BadCursor)
    def _bad_cursor(error: BadCursor) -> Response:
        # The item keeps the shape clients (and tests/functions/test_forum.py) know: no code.
        item = {"field": "cursor", "message": wording.say("cursor_from_next_page")}
        return response(422, "bad_cursor", errors=[item])

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        code = _ADVICE.get(status, "http_error")
        result = response(status, code, {"status": status, "name": error.name})
        if status == 405 and error.get_response().headers.get("Allow"):
            result.headers["Allow"] = error.get_response().headers["Allow"]
        return result

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("Unhandled error", exc_info=error)
        return response(500, _ADVICE[500])
