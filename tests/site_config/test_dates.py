"""Dates in each language's own words (CLDR through Babel)."""

from __future__ import annotations

import datetime as dt

from core.languages import CODES
from site_config import dates

DAY = dt.date(2026, 11, 23)


def test_a_day_in_full_in_every_language():
    assert dates.long_date(DAY, "en") == "November 23, 2026"
    assert dates.long_date(DAY, "hi") == "23 नवंबर 2026"
    # The genitive, as written; CLDR keeps "г." with its number by a narrow no-break space.
    assert dates.long_date(DAY, "ru") == "23 ноября 2026\u202fг."
    assert dates.long_date("2026-11-23", "km") == "23 វិច្ឆិកា 2026"


def test_the_widgets_get_twelve_months_and_the_patterns_in_every_language():
    for lang in CODES:
        words = dates.widget_words(lang)
        months = words["cm.date.months"].split("|")
        assert len(months) == 12 and all(months), lang
        assert "MMMM" in words["cm.date.long"] and "mm" in words["cm.date.time"], lang
        assert "{0}" in words["cm.date.joined"] and "{1}" in words["cm.date.joined"], lang
    assert dates.widget_words("km")["cm.date.months"].split("|")[10] == "វិច្ឆិកា"
