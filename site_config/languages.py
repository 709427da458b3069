"""The languages the help centre is published in, in the order the switcher shows them."""

from dataclasses import dataclass


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
