"""The API's words in each language: a problem answers in the language the client asks for
(``Accept-Language``), and keeps a stable ``code`` beside each sentence for programs.

The words live in ``functions/words/*.yml`` (``{code: {lang: text}}``), every code in every
language; ``{placeholders}`` are filled in from the error's ``params``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml
from flask import has_request_context, request

from core.languages import CODES, DEFAULT

WORDS = Path(__file__).parent / "words"


class MissingWords(KeyError):
    """A code without a text in some language."""


@cache
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for path in sorted(WORDS.glob("*.yml")):
        for code, texts in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            missing = [lang for lang in CODES if not (texts or {}).get(lang)]
            if missing or code in table:
                raise MissingWords(f"{path.name}: {code!r} is missing {missing} or defined twice.")
            table[code] = texts
    return table


def client_language() -> str:
    """The site's language the request prefers (``Accept-Language``), English by default."""
    if not has_request_context():
        return DEFAULT
    return request.accept_languages.best_match(CODES) or DEFAULT


def say(code: str, params: Mapping[str, object] | None = None, lang: str | None = None) -> str:
    """The sentence of ``code`` in ``lang`` (the client's, by default)."""
    text = _table()[code][lang or client_language()]
    return text.format_map(dict(params or {}))


def codes() -> set[str]:
    return set(_table())
