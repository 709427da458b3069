"""The API app factory: every function's blueprint, or a chosen few for one deployment."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask

from functions import problems
from site_config.settings import Settings
from site_config.settings import settings as process_settings

MAX_BODY_BYTES = 64 * 1024


def all_blueprints() -> list[Blueprint]:
    from functions import health

    return [health.bp]


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
    for blueprint in all_blueprints() if blueprints is None else blueprints:
        app.register_blueprint(blueprint)
    return app
