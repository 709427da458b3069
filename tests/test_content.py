"""The real knowledge base: complete in four languages, each written in its own script."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from core.languages import CODES
from core.settings import PROJECT_ROOT
from site_config import content as content_pages

ROOT = PROJECT_ROOT / "content"
SCRIPT = {"hi": "DEVANAGARI", "ru": "CYRILLIC", "km": "KHMER", "en": "LATIN"}


@pytest.fixture(scope="module")
def content():
    return content_pages.load(ROOT)


def by_kind(content, lang, kind):
    return {
        content.relative(lang, page, ROOT): page
        for page in content.pages[lang]
        if page.meta.kind == kind
    }


def test_every_page_passes_and_every_translation_exists(content):
    assert content.warnings == []


@pytest.mark.parametrize("lang", CODES)
def test_enough_faqs_and_guides(content, lang):
    assert len(by_kind(content, lang, "faq")) >= 12
    assert len(by_kind(content, lang, "guide")) >= 6


@pytest.mark.parametrize("lang", CODES)
def test_same_pages_and_tags_in_every_language(content, lang):
    for kind in ("faq", "guide"):
        english, here = by_kind(content, "en", kind), by_kind(content, lang, kind)
        assert set(here) == set(english)
        for name, page in here.items():
            assert page.meta.tags == english[name].meta.tags, name


@pytest.mark.parametrize("lang", ["hi", "ru", "km"])
def test_pages_are_written_in_their_languages_script(content, lang):
    for page in content.pages[lang]:
        text = re.sub(r"\(([^)]*)\)|`[^`]*`|nimbus\.example\.com\S*", " ", page.body)
        scripts = Counter(
            unicodedata.name(char, "").split(" ")[0] for char in text if char.isalpha()
        )
        share = scripts[SCRIPT[lang]] / max(1, sum(scripts.values()))
        assert share > 0.6, f"{page.path}: only {share:.0%} of letters are {SCRIPT[lang]}"
        assert len(page.body) > 600, f"{page.path} is too short to be a real page"
