"""The Lambda entry points: one handler per deployable function, through apig-wsgi.

``template.yaml`` names each one ``functions.lambda_handlers.<function>``, one for every
entry of :data:`functions.app.FUNCTIONS` (``functions.lambda_handlers.forum``, ...). The
Python runtime imports this module and looks that name up during the init phase, so that is
when the function's app is made: once per container, with the process's settings, and only
the app of the function the container serves. Every invocation then reuses it. The same
handler answers API Gateway's HTTP API (payload 2.0) and REST API (payload 1.0).

What Lambda changes, and how the handlers meet it:

- Many containers at once, none sharing a disk. SQLite is the one-machine store: its
  writers take turns by ``flock`` on a file beside the database
  (``functions/store/sqlite.py``, ``_WriterTurn``), which means nothing between containers,
  and each container would write a database of its own in its ``/tmp``. On Lambda
  ``PORTAL_STORE`` is ``dynamodb://TABLE``; a ``sqlite:///`` store is refused at init.
- No key on disk. Development's key, made once and kept in ``var/secret_key``, would be
  made again by every container, and one container's cookies refused by the next:
  ``PORTAL_SECRET_KEY`` is required.
- Nothing runs after the response: the apps start no thread, and the event consumers run
  from DynamoDB Streams, not in the request's container.
- The client's address (sign-in and sign-up limits) is API Gateway's ``sourceIp``.
  apig-wsgi takes payload 1.0's from the first entry of ``X-Forwarded-For``, which the
  client writes, so the handler puts the request context's there instead (payload 2.0's
  already is). ``PORTAL_PROXY_HOPS`` still applies for proxies in front of API Gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

from core.settings import Settings, SettingsError
from core.settings import settings as process_settings
from functions.app import FUNCTIONS, create_app

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

__all__ = ["handler", "handler_for", "lambda_settings", *FUNCTIONS]


def handler(app: Flask) -> LambdaHandler:
    """The Lambda handler of ``app``: API Gateway's event in, its response out."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        identity = environ.get("apig_wsgi.request_context", {}).get("identity") or {}
        if identity.get("sourceIp"):  # payload 1.0: API Gateway's word, not the client's
            environ["REMOTE_ADDR"] = identity["sourceIp"]
        return app(environ, start_response)

    # Binary bodies as apig-wsgi chooses: base64 in 2.0 for what is not text or JSON, never
    # in 1.0 (a REST API would need binaryMediaTypes); every answer here is JSON.
    return make_lambda_handler(wsgi)


def handler_for(function: str, settings: Settings) -> LambdaHandler:
    """The handler of one deployable ``function`` (a name in FUNCTIONS) with ``settings``."""
    return handler(create_app(settings, function=function))


def lambda_settings() -> Settings:
    """The process's settings, refused when they cannot work across containers."""
    settings = process_settings()
    if settings.store.startswith("sqlite:"):
        raise SettingsError(
            f"PORTAL_STORE {settings.store!r} is a file on one machine; each Lambda container "
            "would keep a database of its own. Set PORTAL_STORE=dynamodb://TABLE."
        )
    if not settings.secret_key:
        raise SettingsError(
            "PORTAL_SECRET_KEY is required on Lambda: a key made by one container signs "
            "cookies that the others refuse. Set it (the same for every function)."
        )
    return settings


def __getattr__(name: str) -> LambdaHandler:
    # PEP 562: the runtime's getattr(module, "forum") makes that function's app, once.
    if name not in FUNCTIONS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = globals()[name] = handler_for(name, lambda_settings())
    return made


def __dir__() -> list[str]:
    return sorted({*globals(), *FUNCTIONS})
