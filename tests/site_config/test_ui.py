"""Interface words: complete in every language, defined once, handed to the widgets."""

from __future__ import annotations

import json
import re

import pytest

from core.languages import CODES
from site_config import dates, ui


def test_every_key_in_every_language():
    keys = {lang: set(ui.strings(lang)) for lang in CODES}
    assert all(keys[lang] == keys["en"] for lang in CODES)
    assert "ask.cta.button" in keys["km"]


def test_a_missing_language_or_a_duplicate_is_refused(tmp_path, monkeypatch):
    (tmp_path / "a.yml").write_text("hello:\n  en: Hello\n  hi: नमस्ते\n  ru: Привет\n", "utf-8")
    monkeypatch.setattr(ui, "TRANSLATIONS", tmp_path)
    ui._table.cache_clear()
    try:
        with pytest.raises(ui.MissingTranslation, match="'hello' has no text for km; add it"):
            ui.strings("en")
        (tmp_path / "a.yml").write_text("hello:\n  en: a\n  hi: b\n  ru: c\n  km: d\n", "utf-8")
        (tmp_path / "b.yml").write_text("hello:\n  en: a\n  hi: b\n  ru: c\n  km: d\n", "utf-8")
        ui._table.cache_clear()
        with pytest.raises(ui.MissingTranslation, match="defined in another file too"):
            ui.strings("en")
    finally:
        ui._table.cache_clear()


def test_pages_carry_the_words_for_widgets(tmp_path):
    from portal_testing import PortalPaths, small_content

    from site_config.build import build

    paths = PortalPaths.under(tmp_path)
    small_content(paths.content)
    build(paths.settings(), say=lambda line: None)
    page = (paths.site / "km/faq/warranty/index.html").read_text(encoding="utf-8")
    words = json.loads(
        re.search(
            r'<script id="portal-ui" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert words == {**ui.strings("km"), **dates.widget_words("km")}  # and CLDR's date words
    assert '<meta name="portal:api" content="/api">' in page
