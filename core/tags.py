"""The tag rule. A tag is one identifier shared by every language: lowercase letters or
digits of any script, in words joined by single hyphens.

>>> valid_tag("battery-life"), valid_tag("गारंटी"), valid_tag("Battery"), valid_tag("a--b")
(True, True, False, False)
"""

import unicodedata

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
