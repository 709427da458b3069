"""Routes that document themselves: one decorator registers a Flask route and records the
operation, and the OpenAPI 3.1 document at /api/openapi.json is built from those records
and the same pydantic models that validate requests and shape responses.

The decorator also does what every operation needs: it checks the CSRF token on writes,
requires a signed-in user where asked, applies the write rate limit, reads and validates
the query and the JSON body (400/415/422 as problem documents), and serialises the result.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from werkzeug.routing import BaseConverter

from functions import limits, models, privileges, problems, web, wording
from functions.community import limit_reached
from functions.models import FieldRule
from functions.problems import Problem
from functions.store import utcnow

REF = "#/components/schemas/{model}"
MEDIA_JSON = "application/json"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form: /api/questions/{id}
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    signed_in: bool
    staff: bool = False  # moderators and admins only...
    privilege: str | None = None  # ...or members whose level unlocks this privilege
    counted: bool = True  # a write that counts against the member's write limit

    @property
    def writes(self) -> bool:
        return self.method != "GET"


OPERATIONS: list[Operation] = []


class IdConverter(BaseConverter):
    """Positive integers that fit the store's 64-bit ids; anything else is a 404."""

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)


def install(app: Flask) -> None:
    """Route ids, and the app's own OpenAPI document at /api/openapi.json."""
    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(bp)


def route(
    blueprint: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    signed_in: bool = False,
    staff: bool = False,
    privilege: str | None = None,
    counted: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Register ``path`` (under the blueprint's /api prefix) and record its operation.

    The view receives path ids as keyword arguments, plus ``body`` and ``query`` models
    when declared; it returns a model (sent with ``status``) or None (204).
    """
    operation = Operation(
        method,
        f"{blueprint.url_prefix}{path}",
        summary,
        blueprint.name,
        body,
        query,
        response,
        status,
        signed_in or staff,
        staff,
        privilege,
        counted,
    )
    OPERATIONS.append(operation)
    flask_path = re.sub(r"\{(\w+)\}", r"<id:\1>", path)

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def handle(**ids: int) -> Response:
            if operation.writes:
                web.check_csrf()
            user = web.signed_in_user() if operation.signed_in else None
            if operation.staff and not web.is_staff(user):
                if operation.privilege is None:
                    raise Problem("staff_only", status=403)
                privileges.require(user, operation.privilege)
            arguments: dict[str, Any] = dict(ids)
            if query is not None:
                arguments["query"] = _validate(query, request.args.to_dict())
            if body is not None:
                arguments["body"] = _read_body(body)
            if user and operation.writes and operation.counted and not web.is_staff(user):
                _count_write(user.id)  # only well-formed changes count against the limit
            result = view(**arguments)
            if result is None:
                return Response(status=204)
            return Response(result.model_dump_json(), status=status, mimetype=MEDIA_JSON)

        blueprint.add_url_rule(flask_path, view_func=handle, methods=[method])
        return handle

    return decorate


# Where each kind of post lives: operations that work alike on both are registered twice.
POST_PATHS = {"question": "/questions/{id}", "answer": "/answers/{id}"}


def route_on_posts(
    blueprint: Blueprint,
    method: str,
    suffix: str,
    handler: Callable[..., Any],
    *,
    summary: str,
    **options: Any,
) -> None:
    """Register ``handler(kind, id, ...)`` at ``/questions/{id}<suffix>`` and
    ``/answers/{id}<suffix>``; ``summary`` names the kind as ``{kind}``."""
    for kind, path in POST_PATHS.items():

        def view(id: int, kind: str = kind, **arguments: Any) -> Any:
            return handler(kind, id, **arguments)

        view.__name__ = f"{handler.__name__.strip('_')}_{kind}"
        route(blueprint, method, f"{path}{suffix}", summary=summary.format(kind=kind), **options)(
            view
        )


def _count_write(user_id: int) -> None:
    window_start, retry_after = limits.write_window(utcnow())
    limited = limits.writes(web.store().count_write(user_id, window_start), retry_after)
    if limited:
        raise limit_reached(limited)


def _read_body(model: type[BaseModel]) -> BaseModel:
    if request.mimetype != MEDIA_JSON:
        raise Problem("json_expected", status=415)
    raw = request.get_data(cache=False)  # over 64 KiB: Flask answers 413
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise Problem("json_invalid") from None
        if first["type"] == "model_type" or (not first["loc"] and raw.strip() == b"null"):
            raise Problem("json_object_expected") from None
        raise _unprocessable(error) from None


def _validate(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _unprocessable(error) from None


def describe(error: ValidationError, lang: str | None = None) -> list[dict[str, Any]]:
    """Every bad field of ``error``: its stable ``code`` and ``params``, and a sentence in
    ``lang`` (the client's, by default) saying what it needs."""
    described = []
    for item in error.errors(include_url=False):
        code, params = field_error(item)
        described.append(
            {
                "field": ".".join(str(part) for part in item["loc"]) or "body",
                "code": code,
                "params": params,
                "message": wording.say(code, params, lang),
            }
        )
    return described


def _unprocessable(error: ValidationError) -> Problem:
    return Problem("fields_to_fix", status=422, errors=describe(error))


def field_error(item: Any) -> tuple[str, dict[str, Any]]:
    """A pydantic error as the code of what the field needs, and its params."""
    kind, context = item["type"], item.get("ctx") or {}
    match kind:
        case "missing":
            return "missing", {}
        case "extra_forbidden":
            return "not_accepted", {}
        case "string_too_short":
            return "too_short", {"min": context["min_length"]}
        case "string_too_long":
            return "too_long", {"max": context["max_length"]}
        case "too_long":
            return "too_many", {"max": context["max_length"]}
        case "literal_error":
            return "one_of", {"choices": context["expected"]}
        case "string_type":
            return "text", {}
        case "int_type" | "int_parsing" | "int_from_float":
            return "whole_number", {}
        case "bool_type" | "bool_parsing":
            return "true_or_false", {}
        case "list_type":
            return "list", {}
        case "greater_than_equal":
            return "at_least", {"min": context["ge"]}
        case "less_than_equal":
            return "at_most", {"max": context["le"]}
        case "less_than":
            return "below", {"limit": context["lt"]}
        case "value_error" if isinstance(context.get("error"), FieldRule):
            return context["error"].code, context["error"].params
    return "invalid", {}


# The document


def openapi_document(operations: list[Operation] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations`` (every recorded one by default)."""
    operations = OPERATIONS if operations is None else operations
    inputs = {op.body for op in operations if op.body}
    outputs = {op.response for op in operations if op.response} | {models.ProblemOut}
    keys, schemas = models_json_schema(
        [(model, "validation") for model in sorted(inputs, key=lambda m: m.__name__)]
        + [(model, "serialization") for model in sorted(outputs, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item = {
            "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z]+', '_', op.path[5:]).strip('_')}",
            "summary": op.summary,
            "tags": [op.tag],
            **({"x-moderators-only": True} if op.staff and not op.privilege else {}),
            **({"x-privilege": op.privilege} if op.privilege else {}),
            "parameters": _parameters(op),
            "responses": _responses(op, keys),
        }
        if op.body:
            item["requestBody"] = {
                "required": True,
                "content": {MEDIA_JSON: {"schema": keys[(op.body, "validation")]}},
            }
        if op.signed_in or op.writes:
            item["security"] = [{"session": [], "csrf": []} if op.writes else {"session": []}]
        paths.setdefault(op.path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Nimbus Care community API",
            "version": "1.0.0",
            "description": "Accounts, questions, answers, votes and notifications. Every "
            "write needs the X-CSRF-Token header from GET /api/session.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "portal_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": web.CSRF_HEADER},
            },
        },
    }


def _parameters(op: Operation) -> list[dict[str, Any]]:
    found = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
        for name in re.findall(r"\{(\w+)\}", op.path)
    ]
    if op.query:
        schema = op.query.model_json_schema(ref_template=REF)
        for name, prop in schema["properties"].items():
            found.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": prop,
                }
            )
    return found


def _responses(op: Operation, keys: dict) -> dict[str, Any]:
    problem = {problems.MEDIA_TYPE: {"schema": keys[(models.ProblemOut, "serialization")]}}
    success: dict[str, Any] = {"description": op.summary}
    if op.response:
        success["content"] = {MEDIA_JSON: {"schema": keys[(op.response, "serialization")]}}
    codes = {str(op.status): success}
    errors = {"400": "The request could not be read."}
    if op.query or op.body:
        errors["422"] = "Some fields are not valid; errors names each."
    if op.body:
        errors |= {"413": "The body is over 64 KiB.", "415": "The body is not JSON."}
    if op.signed_in:
        errors["401"] = "Not signed in."
    if op.privilege:
        errors["403"] = "Below the level that unlocks this (or, on a write, no CSRF token)."
    elif op.staff:
        errors["403"] = "Not a moderator (or, on a write, a missing CSRF token)."
    elif op.writes:
        errors["403"] = "Missing CSRF token, or not allowed."
        errors["429"] = "Too many changes; see Retry-After."
    if "{" in op.path:
        errors["404"] = "No such id."
    for code, text in sorted(errors.items()):
        codes[code] = {"description": text, "content": problem}
    return codes


bp = Blueprint("openapi", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def document() -> Response:
    """The operations this app serves, and no others (a function deployed alone documents
    only its own)."""
    cached = current_app.extensions.get("openapi_json")
    if cached is None:
        served = frozenset(current_app.blueprints)
        cached = json.dumps(
            openapi_document([op for op in OPERATIONS if op.tag in served]), ensure_ascii=False
        )
        current_app.extensions["openapi_json"] = cached
    return Response(cached, mimetype=MEDIA_JSON)
