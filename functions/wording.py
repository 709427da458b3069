"""The API's words in each language: a problem answers in the language the client asks for
(``Accept-Language``), and keeps a stable ``code`` beside each sentence for programs.

The words live in ``functions/words/*.yml`` (``{code: {lang: text}}``), every code in every
language; ``{placeholders}`` are filled in from the error's ``params``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.dates import format_timedelta
from flask import has_request_context, request

from core import catalogue
from core.languages import CODES, DEFAULT

WORDS = Path(__file__).parent / "words"


@cache
def _table() -> dict[str, dict[str, str]]:
    return catalogue.load(WORDS)


def client_language() -> str:
    """The site's language the request prefers (``Accept-Language``), English by default."""
    if not has_request_context():
        return DEFAULT
    return request.accept_languages.best_match(CODES) or DEFAULT


def say(code: str, params: Mapping[str, object] | None = None, lang: str | None = None) -> str:
    """The sentence of ``code`` in ``lang`` (the client's, by default). A parameter given in
    every language (``{"en": ..., "ru": ...}``) is said in ``lang`` too."""
    lang = lang or client_language()
    text = _table()[code][lang]
    return text.format_map(
        {
            key: value[lang] if isinstance(value, Mapping) else value
            for key, value in (params or {}).items()
        }
    )


def words(key: str) -> dict[str, str]:
    """``key`` in every language, to give as a parameter: ``{"kind": words("answer")}``."""
    return _table()[key]


_UNITS = {"hour": 3600, "minute": 60, "second": 1}


def duration(seconds: int, unit: str | None = None) -> dict[str, str]:
    """``seconds`` said in every language ("24 hours", "24 часа", "24 घंटे", "24 ម៉ោង"), in
    whole ``unit``s; by default hours from two hours (or whole hours), else minutes, else
    seconds. Rounded up, so that a wait said is never too short."""
    if unit is None:
        unit = next(
            (
                name
                for name, length in _UNITS.items()
                if seconds >= 2 * length or (seconds and seconds % length == 0)
            ),
            "second",
        )
    size = _UNITS[unit]
    whole = -(-seconds // size) * size
    return {
        lang: format_timedelta(whole, granularity=unit, threshold=math.inf, locale=lang)
        for lang in CODES
    }


def codes() -> set[str]:
    return set(_table())
