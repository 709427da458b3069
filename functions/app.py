"""The deployable functions, and the factory that makes each one's app.

Each function is a few blueprints that can be deployed on its own (one Lambda each) or all
together under /api (``portal serve``). This is the one list of them; the blueprints'
modules never import it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from flask import Blueprint, Flask

from core.gamification import programme
from core.settings import Settings
from core.settings import settings as process_settings
from functions import openapi, problems, web
from functions.store import open_store

MAX_BODY_BYTES = 64 * 1024

# Each deployable function: the modules of its blueprints (each module's ``bp``).
BLUEPRINTS: dict[str, tuple[str, ...]] = {
    "health": ("functions.health",),
    "search": ("functions.search",),
    "accounts": ("functions.accounts",),
    "forum": ("functions.forum",),
    "notifications": ("functions.notifications",),
    "moderation": ("functions.moderation", "functions.promotion"),
    "feedback": ("functions.feedback",),
    "metrics": ("functions.metrics",),
    "engagement": ("functions.engagement",),
}


class _Functions(Mapping[str, tuple[Blueprint, ...]]):
    """Each function's blueprints, imported when first asked for: a Lambda's cold start
    imports its own function's modules only."""

    def __getitem__(self, name: str) -> tuple[Blueprint, ...]:
        return tuple(importlib.import_module(module).bp for module in BLUEPRINTS[name])

    def __iter__(self) -> Iterator[str]:
        return iter(BLUEPRINTS)

    def __len__(self) -> int:
        return len(BLUEPRINTS)


FUNCTIONS: Mapping[str, tuple[Blueprint, ...]] = _Functions()


def create_app(settings: Settings | None = None, function: str | None = None) -> Flask:
    """The app of one deployable ``function``, or of all of them (None) under /api."""
    if function is not None and function not in FUNCTIONS:
        choices = ", ".join(FUNCTIONS)
        raise ValueError(f"There is no function {function!r}; choose one of {choices}.")
    settings = settings or process_settings()
    programme()  # gamification.yml is checked at start-up: a mistake stops here, named
    app = Flask("portal")
    app.config.update(
        PORTAL_SETTINGS=settings, MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False
    )
    problems.register(app)
    openapi.install(app)
    web.configure(app, settings)
    app.extensions["portal_store"] = open_store(settings.store)
    chosen = [FUNCTIONS[function]] if function else FUNCTIONS.values()
    for blueprints in chosen:
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
    return app
