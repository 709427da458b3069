"""`portal build` indexes every page section, and community snapshots, and swaps atomically."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from conftest import question
from portal_testing import PortalPaths, run_portal, small_content, write_page

from core import publish
from core.languages import CODES
from search_index.index import open_index, read_cursor
from search_index.query import SearchIndex
from search_index.updates import Community
from site_config.build import build
from site_config.content import ContentError

# A heading in each language's own script, the kind the default slugify turns into "_1".
HEADINGS = {
    "en": "What the warranty covers",
    "hi": "वारंटी में क्या शामिल है",
    "ru": "Что покрывает гарантия",
    "km": "អ្វីដែលការធានាគ្របដណ្ដប់",
}
SEARCH = {"en": "warranty covers", "hi": "वारंटी शामिल", "ru": "покрывает", "km": "គ្របដណ្ដប់"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> PortalPaths:
    paths = PortalPaths.under(tmp_path_factory.mktemp("portal"))
    small_content(paths.content)
    for lang in CODES:
        write_page(
            paths.content,
            lang,
            "faq/covered.md",
            body=f"Intro.\n\n## {HEADINGS[lang]}\n\n{HEADINGS[lang]}: parts and labour.\n",
        )
    posts = [
        question(1, title="Warranty claim for swollen battery", body="Is a swollen one covered?"),
        question(2, title="Camera rattles", body="The camera rattles.", hidden=True),
    ]
    snapshot = (posts, 17)
    community = Community(origin=None, snapshot=lambda: snapshot, changes=lambda after: ([], after))
    build(paths.settings(), say=lambda line: None, community=community)
    return paths


@pytest.mark.parametrize("lang", CODES)
def test_indexed_anchor_is_a_heading_id_in_the_built_html(built, lang):
    hit = SearchIndex(built.index).search(SEARCH[lang], lang=lang, kind="faq").items[0]
    path, _, anchor = hit.url.partition("#")

    assert path == f"{lang}/faq/covered/"
    assert anchor and re.search(r"\w", anchor)  # a real id, not "_1"
    page = (built.site / path / "index.html").read_text(encoding="utf-8")
    assert f'id="{anchor}"' in page
    assert hit.section == HEADINGS[lang]
    # Browsers follow the percent-encoded form of a non-ASCII fragment to the same id.
    assert urllib.parse.unquote(urllib.parse.quote(anchor)) == anchor


def test_community_snapshot_is_indexed_without_hidden_posts(built):
    found = SearchIndex(built.index).search("swollen battery claim", kind="question")

    assert [hit.url for hit in found.items] == ["en/community/question/?id=1"]
    assert SearchIndex(built.index).search("camera rattles").items == []
    assert read_cursor(open_index(built.index.resolve())) == 17


def test_index_is_published_as_a_link_to_a_build(built):
    assert built.index.is_symlink()
    assert publish.current(built.index).parent == publish.builds_dir(built.index)


def test_a_failed_build_leaves_the_last_index(tmp_path):
    paths = PortalPaths.under(tmp_path)
    small_content(paths.content)
    assert run_portal("build", env=paths.environ()).returncode == 0
    before = publish.current(paths.index)

    (paths.content / "en" / "faq" / "broken.md").write_text("---\ntitle: Broken\n---\n")
    with pytest.raises(ContentError):
        build(paths.settings(), say=lambda line: None)

    assert publish.current(paths.index) == before
    assert SearchIndex(paths.index).search("warranty", lang="en").items
