"""Dates in each language's own words, from the Unicode CLDR data Babel carries.

The build formats the dates it prints (when a page was last updated), and gives the
widgets the same data (month names, date and time patterns) for dates they show, since
browsers lack some languages' data: Debian's Chromium knows no Khmer dates.

>>> import datetime as dt
>>> long_date(dt.date(2026, 11, 23), "ru")
'23 ноября 2026 г.'
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel.dates import (
    format_date,
    get_date_format,
    get_datetime_format,
    get_month_names,
    get_period_names,
    get_time_format,
)


def long_date(day: dt.date | str, lang: str) -> str:
    """A day as the language writes it in full: "23 ноября 2026 г.", "23 វិច្ឆិកា 2026"."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return format_date(day, format="long", locale=lang)


@cache
def widget_words(lang: str) -> dict[str, str]:
    """What the widgets need to write dates and times in ``lang`` (see ``absolute`` in
    community/core.js): CLDR patterns and names, as interface words."""
    months = get_month_names("wide", context="format", locale=lang)
    periods = get_period_names("abbreviated", "format", locale=lang)
    return {
        "cm.date.months": "|".join(months[number] for number in range(1, 13)),
        "cm.date.long": get_date_format("long", locale=lang).pattern,
        "cm.date.time": get_time_format("short", locale=lang).pattern,
        "cm.date.joined": str(get_datetime_format("long", locale=lang)),
        "cm.date.am": periods["am"],
        "cm.date.pm": periods["pm"],
    }
