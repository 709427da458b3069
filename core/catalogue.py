"""Words in every language the site speaks, kept as YAML files of ``{key: {lang: text}}``:
the theme's interface words (``theme/translations``) and the API's (``functions/words``)."""

from __future__ import annotations

from pathlib import Path

from core.languages import CODES
from core.yaml_data import parse_yaml


class MissingTranslation(KeyError):
    """A key without a text for some language, or a key defined twice."""


def load(folder: Path) -> dict[str, dict[str, str]]:
    """Every key of the ``*.yml`` files in ``folder``, each with a text in every language;
    MissingTranslation says which file and key is not."""
    table: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.yml")):
        for key, texts in (parse_yaml(path.read_text(encoding="utf-8")) or {}).items():
            if key in table:
                raise MissingTranslation(f"{path.name}: {key!r} is defined in another file too.")
            missing = [code for code in CODES if not (texts or {}).get(code)]
            if missing:
                raise MissingTranslation(
                    f"{path.name}: {key!r} has no text for {', '.join(missing)}; add it."
                )
            table[key] = texts
    return table
