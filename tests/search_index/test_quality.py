"""Search quality on the real content: MRR@10 and precision@5 over labelled queries.

The floors are set a little under what was measured when the queries were written (see
the report printed with -s); a change that makes search worse fails here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from portal_testing import PortalPaths

from core.settings import PROJECT_ROOT
from search_index.query import SearchIndex
from site_config.build import build

QUERIES = yaml.safe_load((Path(__file__).with_name("queries.yml")).read_text(encoding="utf-8"))
# Measured: MRR@10 0.923, P@5 0.210 (one hit per page, and most queries have one right page,
# so P@5 cannot go much above 0.2). Before Khmer compounds were split: 0.898 and 0.205.
MRR_FLOOR = 0.9
PRECISION_FLOOR = 0.2


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    paths = PortalPaths.under(tmp_path_factory.mktemp("quality"))
    settings = dataclasses.replace(paths.settings(), content_dir=PROJECT_ROOT / "content")
    build(settings, say=lambda line: None)
    return SearchIndex(paths.index)


def measure(index: SearchIndex) -> tuple[float, float, list[str]]:
    reciprocal, precision, misses = [], [], []
    for lang, queries in QUERIES.items():
        for case in queries:
            pages = [
                hit.url.partition("#")[0] for hit in index.search(case["q"], lang=lang).items[:10]
            ]
            right = [rank for rank, url in enumerate(pages, 1) if url in case["answers"]]
            reciprocal.append(1 / right[0] if right else 0.0)
            precision.append(sum(1 for rank in right if rank <= 5) / 5)
            if not right or right[0] > 1:
                misses.append(f"{lang} {case['q']!r}: {pages[:3]}")
    return sum(reciprocal) / len(reciprocal), sum(precision) / len(precision), misses


def test_the_labelled_set_is_ten_queries_per_language():
    assert {lang: len(queries) for lang, queries in QUERIES.items()} == {
        "en": 10,
        "hi": 10,
        "ru": 10,
        "km": 10,
    }


def test_mrr_and_precision_stay_above_their_floors(index):
    mrr, precision, misses = measure(index)
    print(f"\nMRR@10 {mrr:.3f}  P@5 {precision:.3f}  (not first: {len(misses)})")
    for miss in misses:
        print("  ", miss)
    assert mrr >= MRR_FLOOR, misses
    assert precision >= PRECISION_FLOOR, misses


# "Still need help? ... live chat ... 08:00-20:00" was on every page until it moved into the
# theme (theme/partials/still-need-help.html); in the Markdown, every page matched these
# words. Now they find the page whose own text sends readers to live chat.
LIVE_CHAT = {
    "en": "live chat",
    "hi": "लाइव चैट",
    "ru": "онлайн-чат",
    "km": "ជជែកផ្ទាល់",
}


@pytest.mark.parametrize("lang", sorted(LIVE_CHAT))
def test_live_chat_finds_the_page_that_sends_readers_to_it(index, lang):
    result = index.search(LIVE_CHAT[lang], lang=lang)
    assert result.items[0].url.partition("#")[0] == f"{lang}/faq/password-reset/"
    pages = len(list((PROJECT_ROOT / "content" / lang).rglob("*.md")))
    assert result.total < pages, "the help paragraph is back in the Markdown of every page"
