"""The help centre's own interface words, per language.

Each feature keeps its words in ``theme/translations/<feature>.yml``: ``{key: {lang: text}}``,
every key in every published language. Templates get them as ``ui``; the widgets read the
same table from the page (``#portal-ui``).
"""

from __future__ import annotations

from functools import cache

from core import catalogue
from core.catalogue import MissingTranslation
from core.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "theme" / "translations"
__all__ = ["TRANSLATIONS", "MissingTranslation", "strings"]


@cache
def _table() -> dict[str, dict[str, str]]:
    return catalogue.load(TRANSLATIONS)


def strings(lang: str) -> dict[str, str]:
    """Every interface text in one language, by key."""
    return {key: texts[lang] for key, texts in _table().items()}
