"""Pruned ranking gives exactly the results of scoring every match.

The index is big enough for pruning to skip most postings of common words: the real
articles (several sections per page, so one hit per page matters), a few thousand community
questions made of the real pages' sentences with every status and vote count (so the rank
factors matter), and a second segment from the live writer with additions and deletions.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bench.search import TAGS, sentences
from bench.search import corpus as synthetic_questions
from core.languages import CODES
from core.settings import PROJECT_ROOT
from search_index import pruning
from search_index.analyzers import IcuWordTokenizer
from search_index.documents import Deleted
from search_index.index import apply, community_doc, create, open_index, open_writer, page_docs
from search_index.pruning import _round
from search_index.query import SearchIndex
from site_config.frontmatter import read_page

QUESTIONS = 5000  # with the articles, enough for the index to be written by several processes
SEED = 20261202


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    rng = random.Random(SEED)
    pools = {lang: sentences(lang) for lang in CODES}
    questions = synthetic_questions(QUESTIONS + 200)  # as the search benchmarks make them
    docs = []
    for lang in CODES:
        for path in sorted((PROJECT_ROOT / "content" / lang).rglob("*.md")):
            page = read_page(path, expected_lang=lang)
            docs += page_docs(
                lang=lang,
                src_uri=path.relative_to(PROJECT_ROOT / "content" / lang).as_posix(),
                title=page.meta.title,
                kind=page.meta.kind,
                tags=page.meta.tags,
                body=page.body,
            )
    docs += [community_doc(question) for question in questions[:QUESTIONS]]
    folder = tmp_path_factory.mktemp("pruning") / "index"
    folder.mkdir()
    create(folder, docs, cursor=0)
    # A second segment, as the live writer leaves one: new questions, edits, deletions.
    ix = open_index(folder)
    writer = open_writer(ix)
    for question in questions[QUESTIONS:]:
        apply(writer, question)
    for n in rng.sample(range(1, QUESTIONS + 1), 150):
        apply(writer, Deleted(f"question:{n}"))
    writer.commit(merge=False)
    with open_index(folder).reader() as reader:
        assert len(reader.leaf_readers()) >= 2
    return folder, pools


def _queries(pools: dict[str, list[str]]) -> list[dict]:
    """The labelled queries, and words, phrases and operators drawn from the pages, with
    and without a language, a kind or a tag."""
    rng = random.Random(SEED + 1)
    table = yaml.safe_load((PROJECT_ROOT / "tests/search_index/queries.yml").read_text("utf-8"))
    queries = [{"q": case["q"], "lang": lang} for lang, cases in table.items() for case in cases]
    for lang, pool in pools.items():
        words = [t.text for s in rng.sample(pool, 60) for t in IcuWordTokenizer()(s)]
        words = [w for w in words if len(w) > 2]
        for _ in range(40):
            queries.append({"q": " ".join(rng.sample(words, rng.randint(1, 3))), "lang": lang})
        for _ in range(8):
            first = rng.randrange(len(words) - 1)
            queries.append({"q": f'"{words[first]} {words[first + 1]}"', "lang": lang})
        for _ in range(4):
            one, two = rng.sample(words, 2)
            queries.append({"q": f"{one} AND {two}", "lang": lang})
            queries.append({"q": f"{one} NOT {two}", "lang": lang})
    for query in rng.sample(queries, 60):
        queries.append({**query, "kind": rng.choice(("question", "faq"))})
        queries.append({**query, "tag": rng.choice(TAGS)})
        queries.append({**query, "lang": None})
    return queries


@pytest.mark.parametrize("exact_up_to", [pruning.EXACT_UP_TO, 0])
def test_pruned_results_are_the_exhaustive_ones(corpus, monkeypatch, exact_up_to):
    """With the threshold as shipped, and with pruning on every query, however short."""
    monkeypatch.setattr(pruning, "EXACT_UP_TO", exact_up_to)
    folder, pools = corpus
    index = SearchIndex(folder)
    queries = _queries(pools)
    assert len(queries) >= 300
    estimated = 0
    for query in queries:
        for page in (1, 3):
            pruned = index.search(**query, page=page)
            every = index.search(**query, page=page, exact_total=True)
            case = f"{query} page {page}"
            assert [(h.url, h.score) for h in pruned.items] == [
                (h.url, h.score) for h in every.items
            ], case
            assert every.total_exact, case
            if pruned.total_exact:
                assert pruned.total == every.total, case
            else:
                estimated += 1
                # An estimate: of the right size when large (short terms are counted
                # exactly as shipped), and never fewer than what is shown.
                if every.total >= 100:
                    assert every.total / 2 <= pruned.total <= every.total * 2, case
                assert pruned.total >= page * 10 or pruned.total >= len(pruned.items), case
    if not exact_up_to:
        assert estimated >= 50  # pruning did skip postings, or this test proves nothing


def test_estimates_have_two_significant_figures():
    assert [_round(n) for n in (7, 42, 9437, 18670, 23296)] == [7, 42, 9400, 19000, 23000]
