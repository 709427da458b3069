"""The help centre's own interface words, per language.

Each feature keeps its words in ``theme/translations/<feature>.yml``: ``{key: {lang: text}}``,
every key in every published language. Templates get them as ``ui``; the widgets read the
same table from the page (``#portal-ui``).
"""

from __future__ import annotations

from functools import cache

import yaml

from core.languages import CODES
from core.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "theme" / "translations"


class MissingTranslation(KeyError):
    """A key without a text for some language, or a key defined twice."""


@cache
def _table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for path in sorted(TRANSLATIONS.glob("*.yml")):
        for key, texts in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if key in table:
                raise MissingTranslation(f"{path.name}: {key!r} is defined in another file too.")
            missing = [code for code in CODES if not (texts or {}).get(code)]
            if missing:
                raise MissingTranslation(
                    f"{path.name}: {key!r} has no text for {', '.join(missing)}; add it."
                )
            table[key] = texts
    return table


def strings(lang: str) -> dict[str, str]:
    """Every interface text in one language, by key."""
    return {key: texts[lang] for key, texts in _table().items()}
