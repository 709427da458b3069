"""The API app factory: every function's blueprint, or a chosen few for one deployment."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask, Response

from core.settings import Settings
from core.settings import settings as process_settings
from functions import problems

MAX_BODY_BYTES = 64 * 1024


def all_blueprints() -> list[Blueprint]:
    from functions import accounts, forum, health, notifications, search

    return [health.bp, search.bp, accounts.bp, forum.bp, notifications.bp]


def create_app(
    settings: Settings | None = None, blueprints: Iterable[Blueprint] | None = None
) -> Flask:
    """A Flask app serving ``blueprints`` (all of them by default) under /api."""
    app = Flask("portal")
    app.config.update(
        PORTAL_SETTINGS=settings or process_settings(),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
    )
    problems.register(app)
    _community(app, app.config["PORTAL_SETTINGS"])
    for blueprint in all_blueprints() if blueprints is None else blueprints:
        app.register_blueprint(blueprint)
    return app


def _community(app: Flask, settings: Settings) -> None:
    """The store, signed sessions, mail and the OpenAPI document every function shares."""
    from functions import openapi, web
    from functions.mail import Mailer
    from functions.store import BadCursor, open_store

    openapi.install(app)
    web.configure(app, settings)
    app.extensions["portal_store"] = open_store(settings.store)

    @app.errorhandler(BadCursor)
    def _bad_cursor(error: BadCursor) -> Response:
        return problems.response(
            422,
            "This cursor is not one the list handed out; start again without it.",
            errors=[{"field": "cursor", "message": "Use a next_cursor from an earlier page."}],
        )

    if settings.smtp_url:
        app.extensions["portal_mailer"] = Mailer(settings)
    app.register_blueprint(openapi.bp)
