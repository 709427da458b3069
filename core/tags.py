"""The tag rule, and tags' names. A tag is one identifier shared by every language:
lowercase letters or digits of any script, in words joined by single hyphens; each
language may call it by its own name (``site_config/tag_names.yml``).

>>> valid_tag("battery-life"), valid_tag("गारंटी"), valid_tag("Battery"), valid_tag("a--b")
(True, True, False, False)
"""

import unicodedata
from functools import cache

from core.languages import CODES
from core.settings import PROJECT_ROOT
from core.yaml_data import parse_yaml

MAX_TAG_CHARS = 30


def is_word_character(char: str) -> bool:
    """Letters, combining marks (Devanagari and Khmer vowel signs) and digits of any script."""
    return unicodedata.category(char)[0] in "LMN"


def valid_tag(tag: str) -> bool:
    return (
        0 < len(tag) <= MAX_TAG_CHARS
        and tag == tag.lower()
        and all(part and all(is_word_character(char) for char in part) for part in tag.split("-"))
    )


# What each tag is called in each language (site_config/tag_names.yml); a tag not listed
# there is shown as it is written.
TAG_NAMES_FILE = PROJECT_ROOT / "site_config" / "tag_names.yml"


@cache
def tag_names() -> dict[str, dict[str, str]]:
    """Every named tag's name in each language, checked: a valid tag, every language given,
    no name meaning two tags."""
    data = parse_yaml(TAG_NAMES_FILE.read_text(encoding="utf-8")) or {}
    owners: dict[str, str] = {}
    for tag, names in data.items():
        if not valid_tag(tag):
            raise ValueError(f"tag_names.yml: {tag!r} is not a tag (lowercase words and hyphens)")
        missing = [code for code in CODES if not (names or {}).get(code)]
        if missing:
            raise ValueError(f"tag_names.yml: {tag!r} has no name in {', '.join(missing)}")
        for name in names.values():
            if owners.setdefault(name.casefold(), tag) != tag:
                raise ValueError(
                    f"tag_names.yml: {name!r} names both {owners[name.casefold()]!r} and {tag!r}"
                )
    return data


def tag_name(tag: str, lang: str) -> str:
    """What ``tag`` is called in ``lang``.

    >>> tag_name("warranty", "ru"), tag_name("no-such-tag", "ru")
    ('гарантия', 'no-such-tag')
    """
    return tag_names().get(tag, {}).get(lang, tag)


@cache
def _by_name() -> dict[str, str]:
    return {name.casefold(): tag for tag, names in tag_names().items() for name in names.values()}


def tag_for(text: str) -> str:
    """The tag a visitor means by ``text``: its identifier, or its name in any language.

    >>> tag_for("гарантия"), tag_for("Warranty"), tag_for("warranty"), tag_for("new-tag")
    ('warranty', 'warranty', 'warranty', 'new-tag')
    """
    text = " ".join(text.split())
    return _by_name().get(text.casefold(), text)
