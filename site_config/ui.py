"""The help centre's own interface words (theme/translations.yml), per language."""

from __future__ import annotations

from functools import cache

import yaml

from site_config.languages import CODES
from site_config.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "theme" / "translations.yml"


class MissingTranslation(KeyError):
    """A key without a text for some language."""


@cache
def _table() -> dict[str, dict[str, str]]:
    table = yaml.safe_load(TRANSLATIONS.read_text(encoding="utf-8"))
    for key, texts in table.items():
        missing = [code for code in CODES if not (texts or {}).get(code)]
        if missing:
            raise MissingTranslation(
                f"{TRANSLATIONS.name}: {key!r} has no text for {', '.join(missing)}; add it."
            )
    return table


def strings(lang: str) -> dict[str, str]:
    """Every interface text in one language, by key."""
    return {key: texts[lang] for key, texts in _table().items()}
