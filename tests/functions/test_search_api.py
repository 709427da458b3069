"""`GET /api/search` and `portal search`: the same results, and a clear 400 for bad input."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from portal_testing import PortalPaths, run_portal, serving, small_content

from functions import search as search_function
from functions.app import FUNCTIONS, create_app
from search_index.documents import CommunityDoc
from search_index.live import LiveIndexer
from site_config.build import build


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> PortalPaths:
    paths = PortalPaths.under(tmp_path_factory.mktemp("search-api"))
    small_content(paths.content)
    build(paths.settings(), say=lambda line: None)
    return paths


@pytest.fixture
def client(site):
    return create_app(site.settings(), function="search").test_client()


def test_results_carry_url_title_kind_lang_snippet_and_score(client):
    response = client.get("/api/search", query_string={"q": "warranty", "lang": "en"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] >= 2 and body["page"] == 1
    assert body["total_exact"] is True  # a small index: every match counted
    first = body["items"][0]
    assert {"url", "title", "kind", "lang", "snippet", "score"} <= set(first)
    assert first["lang"] == "en" and first["url"].startswith("en/")
    assert "<mark" in first["snippet"]


def test_filters_by_kind_and_tag(client):
    guides = client.get("/api/search", query_string={"q": "warranty", "kind": "guide"}).get_json()
    tagged = client.get("/api/search", query_string={"q": "warranty", "tag": "repairs"}).get_json()

    assert guides["items"] and {hit["kind"] for hit in guides["items"]} == {"guide"}
    assert tagged["items"] and all("repairs" in hit["tags"] for hit in tagged["items"])


def test_nothing_in_the_pages_language_offers_the_others(client):
    """Russian words on the English page find nothing in English, and say where they do."""
    body = client.get("/api/search", query_string={"q": "гарантия", "lang": "en"}).get_json()
    assert body["total"] == 0 and body["items"] == []
    assert [entry["lang"] for entry in body["other_languages"]] == ["ru"]
    assert body["other_languages"][0]["total"] >= 1
    found = client.get("/api/search", query_string={"q": "warranty", "lang": "en"}).get_json()
    assert found["other_languages"] == []  # found at home: nothing else is searched


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', 'warranty "how', "AND", "OR NOT", "warranty AND", "- + ~ ^", "((", "*:*"],
)
def test_odd_queries_answer_200(client, query):
    response = client.get("/api/search", query_string={"q": query})

    assert response.status_code == 200
    assert isinstance(response.get_json()["items"], list)


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "Type a word"),
        ({"q": "   "}, "Type a word"),
        ({"q": "x" * 1000}, "shorten it"),
        ({"q": "warranty", "lang": "fr"}, "language"),
        ({"q": "warranty", "kind": "blog"}, "kind"),
        ({"q": "warranty", "page": "two"}, "page"),
        ({"q": "warranty", "page": "0"}, "page"),
        ({"q": "warranty", "page": "9999"}, "page"),
    ],
)
def test_bad_queries_get_a_400_problem(client, params, detail):
    response = client.get("/api/search", query_string=params)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and detail in problem["detail"]


def test_no_index_yet_is_a_503_problem(tmp_path):
    paths = PortalPaths.under(tmp_path)
    app = create_app(paths.settings(), function="search")
    response = app.test_client().get("/api/search?q=x")

    assert response.status_code == 503
    assert "portal build" not in response.get_json()["detail"]  # the visitor cannot run it
    assert response.headers["Retry-After"] == "60"


def test_search_is_a_deployable_function():
    assert FUNCTIONS["search"] == (search_function.bp,)


def test_the_api_and_the_command_give_the_same_results(site):
    env = site.environ()
    queries = [("warranty", "en"), ("वारंटी", "hi"), ("гарантия", "ru"), ("ការធានា", "km")]
    with serving(env) as base:
        for text, lang in queries:
            params = urllib.parse.urlencode({"q": text, "lang": lang})
            with urllib.request.urlopen(f"{base}/api/search?{params}", timeout=10) as answer:
                api = json.load(answer)
            command = run_portal("search", text, "--lang", lang, "--json", env=env)
            assert command.returncode == 0, command.stderr
            cli = json.loads(command.stdout)
            assert api["items"], text
            assert api["items"] == cli["items"]


def test_the_command_prints_readable_results_and_refuses_bad_input(site):
    env = site.environ()
    plain = run_portal("search", "warranty", "--lang", "en", "--limit", "1", env=env)
    empty = run_portal("search", "  ", env=env)

    assert plain.returncode == 0
    assert "http://127.0.0.1:8000/en/" in plain.stdout and "<mark" not in plain.stdout
    assert empty.returncode == 2 and "Type a word" in empty.stderr


def test_the_function_shows_what_the_live_indexer_applied(site):
    """The function only reads; the writer (run by `portal work`) commits, and the next
    search sees it."""
    events: list[CommunityDoc] = []

    def fetch(after):
        start = after or 0
        return events[start:], len(events)

    client = create_app(site.settings(), function="search").test_client()
    assert client.get("/api/search?q=kettle").get_json()["items"] == []
    events.append(
        CommunityDoc(
            id="question:5",
            title="Kettle-shaped charger buzzes",
            body="The charger buzzes loudly.",
            tags=("charging",),
            lang="en",
            status="open",
            score=1,
            url="community/question/?id=5",
        )
    )
    live = LiveIndexer(site.index, fetch)
    assert live.acquire()
    try:
        assert live.run_once() == 1
    finally:
        live.release()
    urls = [i["url"] for i in client.get("/api/search?q=kettle").get_json()["items"]]
    assert urls == ["en/community/question/?id=5"]
