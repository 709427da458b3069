"""The help centre's own interface words, per language.

Each feature keeps its words in ``theme/translations/<feature>.yml``: ``{key: {lang: text}}``,
every key in every published language. Templates get them as ``ui``; the widgets read the
same table from the page (``#portal-ui``), with each tag's name in the page's language
under ``tag.<identifier>`` (from ``site_config/tag_names.yml``), so the widgets show
"гарантия" for ``warranty`` and know which names mean which tag.
"""

from __future__ import annotations

from functools import cache

from core import catalogue
from core.catalogue import MissingTranslation
from core.settings import PROJECT_ROOT
from core.tags import tag_names

TRANSLATIONS = PROJECT_ROOT / "theme" / "translations"
TAG_PREFIX = "tag."
__all__ = ["TAG_PREFIX", "TRANSLATIONS", "MissingTranslation", "strings"]


@cache
def _table() -> dict[str, dict[str, str]]:
    return catalogue.load(TRANSLATIONS)


def strings(lang: str) -> dict[str, str]:
    """Every interface text in one language, by key, and every named tag's name.

    >>> strings("ru")["tag.warranty"]
    'гарантия'
    """
    words = {key: texts[lang] for key, texts in _table().items()}
    clash = sorted(key for key in words if key.startswith(TAG_PREFIX))
    if clash:  # the prefix belongs to tag names
        raise MissingTranslation(f"{clash[0]!r}: keys starting {TAG_PREFIX!r} are tags' names.")
    return {**words, **{TAG_PREFIX + tag: names[lang] for tag, names in tag_names().items()}}
