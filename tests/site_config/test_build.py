"""`portal build`: every language, bounded navigation, schema errors and the safe swap."""

from __future__ import annotations

import re
import signal
import subprocess
import time

import jinja2
import pytest
from portal_testing import PORTAL, PortalPaths, run_portal, small_content, write_page

from core import publish
from core.languages import CODES
from core.settings import PROJECT_ROOT
from search_index.pages import PageDirectory, PageEntry
from search_index.query import SearchIndex
from site_config import ui
from site_config.build import build
from site_config.content import ContentError

COMMUNITY = 45  # three listing pages of 20


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> PortalPaths:
    paths = PortalPaths.under(tmp_path_factory.mktemp("portal"))
    small_content(paths.content, community=COMMUNITY)
    build(paths.settings(), say=lambda line: None)
    return paths


def html(paths: PortalPaths, url: str) -> str:
    return (paths.site / url / "index.html").read_text(encoding="utf-8")


def material_word(lang: str, key: str) -> str:
    """What the theme's translation for ``lang`` says for ``key``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            [
                PROJECT_ROOT / "theme",
                PROJECT_ROOT / ".venv/lib/python3.11/site-packages/material/templates",
            ]
        )
    )
    return str(env.get_template(f"partials/languages/{lang}.html").module.t(key))


@pytest.mark.parametrize("lang", CODES)
def test_each_language_is_built_in_its_own_words(site, lang):
    page = html(site, f"{lang}/faq/warranty")
    assert f'<html lang="{lang}"' in page
    label = material_word(lang, "select.language")
    assert f'aria-label="{label}"' in page
    assert (site.site / lang / "404.html").is_file()


def test_khmer_interface_is_translated():
    for key in ("select.language", "footer.next", "toc", "top"):
        word = material_word("km", key)
        assert word != material_word("en", key)
        assert re.search(r"[\u1780-\u17ff]", word), f"{key} is not in Khmer script: {word!r}"


def test_language_switcher_links_to_the_same_page(site):
    page = html(site, "en/faq/warranty")
    switcher = re.findall(
        r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+" class="md-select__link"', page
    )
    assert switcher == [(f"../../../{lang}/faq/warranty/", lang) for lang in CODES]
    # The head points at each language's root, whose sitemap the theme uses to stay on the page.
    assert '<link rel="alternate" href="../../../km/" hreflang="km">' in page
    assert (site.site / "km" / "sitemap.xml").is_file()


def test_switcher_on_a_page_with_no_translation_goes_to_that_languages_community(site):
    page = html(site, "en/community/answer-0001")
    hindi = re.search(
        r'href="([^"]+)" hreflang="hi" lang="hi" class="md-select__link"', page
    ).group(1)
    assert hindi == "../../../hi/community/"


def test_articles_carry_the_ask_entry_and_widget_places(site):
    page = html(site, "ru/faq/warranty")
    assert "Спросить сообщество" in page
    assert 'data-widget-form="feedback"' in page and 'data-widget="search"' in page
    home = html(site, "ru")
    assert 'data-widget-form="feedback"' not in home


@pytest.mark.parametrize("lang", CODES)
def test_still_need_help_comes_from_the_theme_in_each_language(site, lang):
    """Under articles and on the home page, not on listings; the community link is right
    from any depth, and none of it is in the Markdown the search index reads."""
    words = ui.strings(lang)
    for url in (f"{lang}/faq/warranty", f"{lang}/guides/claim", lang):
        section = re.search(r'<section class="portal-help".*?</section>', html(site, url), re.S)
        assert section, url
        assert words["help.title"] in section.group()
        assert f'<a href="/{lang}/community/">{words["help.ask"]}</a>' in section.group()
    assert 'class="portal-help"' not in html(site, f"{lang}/community")
    # The real pages: neither the heading nor the support hours, in any of their wordings.
    for path in (PROJECT_ROOT / "content" / lang).rglob("*.md"):
        markdown = path.read_text(encoding="utf-8")
        assert f"## {words['help.title']}" not in markdown and "08:00" not in markdown, path


def test_community_pages_are_paginated_not_in_the_navigation(site):
    assert (site.site / "en/community/page/3/index.html").is_file()
    assert not (site.site / "en/community/page/4").exists()
    assert (site.site / "en/community/tags/battery/index.html").is_file()
    page = html(site, "en/community/answer-0010")
    # No page lists its siblings: the navigation stays the same size however many there are.
    assert "answer-0011" not in page and "answer-0009" not in page
    assert "Answered in the community by asha." in page
    assert html(site, "en/community").count('href="answer-') == 20


def test_every_language_has_the_community_entry_pages(site):
    for lang in CODES:
        for url in ("community", "community/tags", "community/ask", "faq", "guides"):
            assert (site.site / lang / url / "index.html").is_file(), f"{lang}/{url}"
    assert 'data-widget="ask-question"' in html(site, "km/community/ask")


def test_home_page_shows_its_own_title(site):
    home = html(site, "hi")
    assert "<h1>वारंटी</h1>" in home  # the page's title, not the navigation's "Home"


def test_front_door_and_no_theme_data_published(site):
    front = (site.site / "index.html").read_text(encoding="utf-8")
    for lang in CODES:
        assert f'href="{lang}/"' in front
    assert "ជ្រើសរើសភាសារបស់លោកអ្នក" in front
    assert not list(site.site.rglob("translations")) and not list(site.site.rglob("*.yml"))


def test_bad_page_fails_the_build_and_leaves_the_site(small_paths):
    env = small_paths.environ()
    assert run_portal("build", env=env).returncode == 0
    before = publish.current(small_paths.site)
    write_page(small_paths.content, "hi", "faq/broken.md", kind="guide")
    result = run_portal("build", env=env)
    assert result.returncode != 0
    broken = small_paths.content / "hi/faq/broken.md"
    assert f"{broken}: field 'kind': expected 'faq' for a page in faq/" in result.stderr
    assert "found 'guide'" in result.stderr
    assert publish.current(small_paths.site) == before


def test_every_bad_page_is_reported_at_once(small_paths):
    page = small_paths.content / "en/faq/warranty.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("updated: 2026-11-20", "updated: soon")
    )
    (small_paths.content / "km/guides/claim.md").write_text("no front matter\n", encoding="utf-8")
    result = run_portal("build", env=small_paths.environ())
    assert result.returncode == 1
    assert "2 pages failed the front-matter check" in result.stderr
    assert (
        "en/faq/warranty.md: field 'updated': expected a date written YYYY-MM-DD, found 'soon'"
        in result.stderr
    )
    assert "km/guides/claim.md: front matter: expected a YAML block" in result.stderr
    assert not small_paths.site.exists()


def test_broken_link_fails_the_build(small_paths):
    write_page(
        small_paths.content, "ru", "guides/claim.md", body="[Нет такой](../faq/missing.md)\n"
    )
    result = run_portal("build", env=small_paths.environ())
    assert result.returncode == 1
    assert "faq/missing.md" in result.stderr and "The ru site failed to build" in result.stderr


def test_killed_build_leaves_the_last_good_site(paths):
    small_content(paths.content, community=400)
    env = paths.environ()
    assert run_portal("build", env=env).returncode == 0
    good = publish.current(paths.site)
    front = (paths.site / "en/index.html").read_text(encoding="utf-8")

    write_page(paths.content, "en", "index.md", title="Changed home")
    process = subprocess.Popen(
        [PORTAL, "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    builds = publish.builds_dir(paths.site)
    deadline = time.monotonic() + 60
    while not list(builds.glob("*.partial/en/community")) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert publish.current(paths.site) == good
    assert (paths.site / "en/index.html").read_text(encoding="utf-8") == front

    assert run_portal("build", env=env).returncode == 0
    assert "Changed home" in (paths.site / "en/index.html").read_text(encoding="utf-8")
    assert not list(builds.glob("*.partial"))


def test_portal_build_indexes_only_what_changed_unless_told_full(small_paths):
    """The CLI end to end: a second build updates the index from the published one."""
    env = small_paths.environ()
    first = run_portal("build", env=env)
    assert first.returncode == 0 and "documents afresh" in first.stderr
    write_page(small_paths.content, "ru", "faq/warranty.md", body="Гарантия на зарядку.")
    second = run_portal("build", env=env)
    assert second.returncode == 0
    assert "index updated: 1 pages and 0 community changes" in second.stderr
    hits = SearchIndex(small_paths.index).search("зарядку", lang="ru").items
    assert [hit.url for hit in hits] == ["ru/faq/warranty/"]
    third = run_portal("build", "--full", env=env)
    assert third.returncode == 0 and "documents afresh" in third.stderr


def test_pages_and_who_hears_of_their_feedback_are_published_beside_the_index(tmp_path):
    paths = PortalPaths.under(tmp_path)
    small_content(paths.content)
    write_page(paths.content, "en", "faq/orphan.md", owner="nobody-team")
    (paths.content / "owners.yml").write_text("support-content: [elena, sam]\n", encoding="utf-8")
    said: list[str] = []
    build(paths.settings(), say=said.append)
    pages = PageDirectory(paths.index)
    warranty = pages.get("ru/faq/warranty/")
    assert warranty == PageEntry("Гарантия", "faq", "support-content", ("elena", "sam"))
    assert pages.get("en/faq/orphan/").notify == ()
    assert pages.get("en/") is None  # the home page asks for no feedback
    assert any("owner 'nobody-team' is not a team in owners.yml" in line for line in said)

    # A malformed owners file stops the build, naming what to fix; the last site stays.
    (paths.content / "owners.yml").write_text("support-content: elena\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"support-content.*a list of usernames"):
        build(paths.settings(), say=lambda line: None)
    assert PageDirectory(paths.index).get("ru/faq/warranty/") == warranty


def test_a_page_describes_itself_in_its_own_language(tmp_path):
    """Search engines and link previews get the page's own summary; the heading links'
    tooltip, the footer and the logo say nothing in English on a Russian page."""
    site = PortalPaths.under(tmp_path)
    small_content(site.content)
    write_page(site.content, "ru", "faq/warranty.md", body="## Сроки\n\nДва года.\n")
    build(site.settings(), say=lambda line: None)
    page = html(site, "ru/faq/warranty")
    assert '<meta name="description" content="Как работает гарантия.">' in page
    assert 'title="Ссылка на этот раздел">' in page and "Permanent link" not in page
    assert "Made with" not in page and "Material for MkDocs" not in page
    assert 'alt="logo"' not in page
    listing = html(site, "km/community/questions")  # no summary of its own: the site's
    assert "ជំនួយអំពីឧបករណ៍ Nimbus" in listing and "Help with Nimbus devices" not in listing


def test_every_bad_field_and_a_page_outside_the_languages_are_reported(small_paths):
    page = write_page(small_paths.content, "ru", "faq/two.md")
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("updated: 2026-11-20", "updated: soon").replace("- warranty", "- Not A Tag"),
        encoding="utf-8",
    )
    (small_paths.content / "notes.md").write_text("# A note\n", encoding="utf-8")
    (small_paths.content / "de" / "faq").mkdir(parents=True)
    (small_paths.content / "de" / "faq" / "garantie.md").write_text("# Garantie\n", "utf-8")
    result = run_portal("build", env=small_paths.environ())
    assert result.returncode == 1
    two = small_paths.content / "ru/faq/two.md"
    for field in ("updated", "tags"):  # both bad fields of one page, not only the first
        assert f"{two}: field '{field}" in result.stderr, result.stderr
    for outside in ("notes.md", "de/faq/garantie.md"):
        assert f"{small_paths.content / outside}: front matter: expected a page inside a " in (
            result.stderr
        )
    assert "3 pages failed the front-matter check" in result.stderr
