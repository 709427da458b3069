"""Building the index and searching it: sections, ranking, filters, snippets, corrections."""

from __future__ import annotations

import doctest

import pytest
from conftest import question

from search_index import anchors, documents, sections, snippets
from search_index.query import MAX_QUERY_CHARS, QueryError, SearchIndex


def test_docstring_examples_run():
    for module in (anchors, documents, sections, snippets):
        failed, attempted = doctest.testmod(module)
        assert attempted and not failed, module.__name__


def test_one_document_per_section_with_the_heading_anchor(make_index):
    found = SearchIndex(make_index()).search("mail-in business days", lang="en")

    assert found.items[0].url == "en/faq/repair-time/#mail-in-repairs"
    assert found.items[0].title == "How long does a repair take?"
    assert found.items[0].section == "Mail-in repairs"
    assert found.items[0].kind == "faq"


def test_one_result_per_page_the_best_section(make_index):
    found = SearchIndex(make_index()).search("repairs", lang="en")

    urls = [hit.url for hit in found.items]
    assert len(urls) == 1
    assert urls[0].startswith("en/faq/repair-time/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("बैटरी की देखभाल", "बैटरी-की-देखभाल"),
        ("ថែទាំថ្ម", "ថែទាំថ្ម"),
        ("Шаг 2: «Упакуйте»", "шаг-2-упакуйте"),
        ("What's covered?", "whats-covered"),
    ],
)
def test_anchors_keep_every_script(text, expected):
    assert anchors.slugify(text, "-") == expected


def test_title_weighs_more_than_body(make_index):
    in_title = question(1, title="Battery drains overnight", body="It happens every night now.")
    in_body = question(2, title="Phone gets warm", body="The battery drains and it gets warm.")
    found = SearchIndex(make_index(in_title, in_body)).search("battery drains", kind="question")

    assert [hit.url for hit in found.items] == ["en/" + in_title.url, "en/" + in_body.url]


def test_accepted_and_promoted_answers_rank_above_unanswered_questions(make_index):
    same = {"title": "Screen flickers after update", "body": "Flickering screen after update."}
    posts = [
        question(1, status="open", **same),
        question(2, status="accepted", **same),
        question(3, status="answered", **same),
        question(4, status="promoted", **same),
    ]
    found = SearchIndex(make_index(*posts)).search("screen flickers", kind="question")

    assert [hit.status for hit in found.items] == ["promoted", "accepted", "answered", "open"]


def test_community_urls_are_relative_to_the_site_root(make_index):
    found = SearchIndex(make_index(question(42))).search("flickers")

    assert found.items[0].url == "en/community/question/?id=42"
    assert found.items[0].kind == "question"


def test_phrases_match_words_in_order_only(make_index):
    posts = [
        question(1, title="Battery replacement cost", body="What does it cost?"),
        question(2, title="Cost of a replacement battery", body="What does it cost?"),
    ]
    searched = SearchIndex(make_index(*posts))

    assert [h.url for h in searched.search('"battery replacement"', kind="question").items] == [
        "en/" + posts[0].url
    ]
    assert len(searched.search("battery replacement", kind="question").items) == 2


@pytest.mark.parametrize(
    ("lang", "title", "query"),
    [
        ("hi", "फ़ोन की बैटरी जल्दी खत्म हो जाती है", "बैटरियाँ"),
        ("ru", "Экран телефона не работает после ремонта", "ремонту экрана"),
        ("km", "ខ្ញុំចង់ប្តូរអេក្រង់ទូរស័ព្ទ", "អេក្រង់ទូរស័ព្ទ"),
    ],
)
def test_each_language_finds_its_own_text(make_index, lang, title, query):
    post = question(7, lang=lang, title=title, body=title)
    searched = SearchIndex(make_index(post))

    assert searched.search(query, lang=lang).items[0].url == f"{lang}/{post.url}"
    assert searched.search(query).items[0].lang == lang  # no language given: all are searched
    other = "en" if lang != "en" else "ru"
    assert searched.search(query, lang=other).items == []


def test_khmer_subscript_da_and_ta_spellings_find_each_other(make_index):
    post = question(8, lang="km", title="ខ្ញុំចង់ប្ដូរថ្ម", body="ប្ដូរថ្មទូរស័ព្ទ")  # subscript DA
    searched = SearchIndex(make_index(post))

    typed = "ប្\u178fូរថ្ម"  # "replace battery", with subscript TA
    assert [hit.url for hit in searched.search(typed, lang="km").items] == [f"km/{post.url}"]
    assert searched.search(typed, lang="km").did_you_mean is None


def test_a_khmer_compound_the_page_writes_as_two_words_is_split(make_index):
    # ICU reads the query's ធ្លាក់ទឹក ("fell into water") as one word; the page has ធ្លាក់
    # ("fall") and ទឹក ("water") apart, so the query is searched as those two words.
    post = question(9, lang="km", title="ទូរស័ព្ទត្រូវទឹក", body="វាធ្លាក់ពីដៃ ហើយត្រូវទឹក។")
    found = SearchIndex(make_index(post)).search("ទូរស័ព្ទធ្លាក់ទឹក", lang="km")

    assert [hit.url for hit in found.items] == [f"km/{post.url}"]
    assert found.did_you_mean is None  # not a misspelling: nothing to tell the reader
    assert "<mark" in found.items[0].snippet


def test_filters_by_language_kind_and_tag(make_index):
    posts = [
        question(1, title="Battery swollen", tags=("battery",)),
        question(2, title="Battery swollen again", tags=("battery", "shipping"), lang="en"),
        question(3, title="Батарея вздулась", lang="ru", tags=("battery",)),
    ]
    searched = SearchIndex(make_index(*posts))

    assert {h.url for h in searched.search("battery", tag="shipping").items} == {
        "en/" + posts[1].url
    }
    assert searched.search("battery", kind="guide").items == []
    assert {h.lang for h in searched.search("батарея").items} == {"ru"}


def test_snippets_are_escaped_and_mark_the_hits(make_index):
    post = question(5, title="Charger <script>", body="My charger `<b>` melted & smells.")
    found = SearchIndex(make_index(post)).search("charger melted")

    snippet = found.items[0].snippet
    assert "<b>" not in snippet and "<script>" not in snippet
    assert "&lt;b&gt;" in snippet and "&amp;" in snippet
    assert '<mark class="match term0">charger</mark>' in snippet.lower()


def test_snippets_start_near_the_first_match_and_stay_short(make_index):
    filler = "Nothing relevant is said in this part of the answer at all. " * 8
    post = question(6, title="Odd noise", body=f"{filler}The fan rattles when charging. {filler}")
    snippet = SearchIndex(make_index(post)).search("rattles").items[0].snippet

    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert '<mark class="match term0">rattles</mark>' in snippet
    assert len(snippet) < 300


def test_one_searcher_per_thread_is_reused_until_the_index_changes(make_index):
    searched = SearchIndex(make_index(question(1)))
    first = searched.searcher()

    assert searched.searcher() is first


def test_a_typo_is_corrected_and_searched(make_index):
    found = SearchIndex(make_index()).search("battery replasements", lang="en")

    assert found.did_you_mean == "battery replacements"
    assert found.searched == "battery replacements"
    assert found.items


def test_known_words_and_inflections_are_not_corrected(make_index):
    found = SearchIndex(make_index()).search("replacing screens", lang="en")

    assert found.did_you_mean is None
    assert found.items


def test_pagination(make_index):
    posts = [question(n, title=f"Battery question {n}") for n in range(1, 26)]
    searched = SearchIndex(make_index(*posts))

    first = searched.search("battery", kind="question", page=1)
    third = searched.search("battery", kind="question", page=3)
    assert (first.total, first.pages, len(first.items), len(third.items)) == (25, 3, 10, 5)
    assert not {h.url for h in first.items} & {h.url for h in third.items}
    assert searched.search("battery", kind="question", page=4).items == []


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        "AND",
        "OR NOT AND",
        "battery AND",
        "(((",
        "title:battery",
        "*",
        "bat*",
        "50% off",
        "screen^5",
        "😭😭",
        "[0 TO 5]",
        "x" * MAX_QUERY_CHARS,
    ],
)
def test_odd_queries_give_results_not_errors(make_index, text):
    found = SearchIndex(make_index(question(1))).search(text)
    assert isinstance(found.items, list)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"q": ""}, "Type a word"),
        ({"q": "   "}, "Type a word"),
        ({"q": "a" * 1000}, "shorten it"),
        ({"q": "battery", "lang": "de"}, "language"),
        ({"q": "battery", "kind": "blog"}, "kind"),
        ({"q": "battery", "page": 0}, "page"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(make_index, kwargs, message):
    q = kwargs.pop("q")
    with pytest.raises(QueryError, match=message):
        SearchIndex(make_index()).search(q, **kwargs)
