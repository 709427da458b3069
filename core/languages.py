"""The languages the help centre is published in, in the order the switcher shows them."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # the language's own name for itself, as the switcher shows it


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English"),
    Language("hi", "हिन्दी"),
    Language("ru", "Русский"),
    Language("km", "ខ្មែរ"),
)
CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
DEFAULT = "en"
# The same codes as a type, for schemas (front matter, the API) that name them.
Lang = Literal["en", "hi", "ru", "km"]
assert Lang.__args__ == CODES, "Lang lists the languages of LANGUAGES, in order"
