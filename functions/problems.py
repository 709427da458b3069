"""The one error shape of the API: ``application/problem+json`` (RFC 9457).

Raise :class:`Problem` for what the web layer refuses (or let Flask raise an HTTP error);
domain rules raise :mod:`functions.errors` and the store its own errors. :func:`register`
maps every one of them, in this one place, to a problem document whose ``detail`` is a
sentence a person can act on. Unexpected errors answer a plain 500 and are logged with
their traceback, never shown to the client.
"""

from __future__ import annotations

import logging
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
)
from functions.store.contract import BadCursor, Conflict, Stale

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

# What a person can do about the common HTTP errors, when the code said nothing more precise.
_ADVICE = {
    400: "The request could not be read; check that it is well-formed JSON.",
    401: "Sign in and try again.",
    403: "Your account is not allowed to do this.",
    404: "Nothing exists at this address; check the link or the id.",
    405: "This address does not accept that method; see /api/openapi.json for what it accepts.",
    413: "The request is too large; shorten it and try again.",
    415: "Send the body as JSON with Content-Type: application/json.",
    429: "Too many requests; wait a little and try again.",
    500: "Something went wrong on our side; try again in a moment.",
}


_DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotAllowed: 403,
    NotFound: 404,
    Invalid: 422,
    AlreadyDone: 409,
    LimitReached: 429,
}


class Problem(Exception):
    """An error the client can fix (or wait out); carries its HTTP status."""

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.detail = detail
        self.status = status or self.status
        self.title = title
        self.headers = headers or {}
        self.extra = extra


def response(status: int, detail: str, title: str | None = None, **extra: Any) -> Response:
    """Build a problem+json response."""
    from http import HTTPStatus

    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)


def register(app: Flask) -> None:
    """Make every error of ``app`` answer with a problem document."""

    @app.errorhandler(Problem)
    def _problem(error: Problem) -> Response:
        result = response(error.status, error.detail, error.title, **error.extra)
        result.headers.update(error.headers)
        return result

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        extra: dict[str, Any] = {"errors": error.errors} if error.errors else {}
        detail = error.detail
        if error.code:
            detail = wording.say(error.code, error.params)
            extra["code"] = error.code
        result = response(_DOMAIN_STATUS[type(error)], detail, **extra)
        if isinstance(error, LimitReached):
            result.headers["Retry-After"] = str(error.retry_after)
        return result

    @app.errorhandler(Conflict)
    def _taken(error: Conflict) -> Response:
        code = f"{error.field}_taken"  # username_taken, email_taken
        item = {"field": error.field, "code": code, "params": {}, "message": wording.say(code)}
        return response(409, wording.say(f"{code}_detail"), code=code, errors=[item])

    @app.errorhandler(Stale)
    def _stale(error: Stale) -> Response:
        return response(
            409, f"This {error.kind} was hidden or deleted meanwhile; reload the page to see it."
        )

    @app.errorhandler(BadCursor)
    def _bad_cursor(error: BadCursor) -> Response:
        return response(
            422,
            "This cursor is not one the list handed out; start again without it.",
            errors=[{"field": "cursor", "message": "Use a next_cursor from an earlier page."}],
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        described = error.description if error.description != type(error).description else None
        result = response(status, described or _ADVICE.get(status, error.name))
        if status == 405 and error.get_response().headers.get("Allow"):
            result.headers["Allow"] = error.get_response().headers["Allow"]
        return result

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("Unhandled error", exc_info=error)
        return response(500, _ADVICE[500])
