"""The shared vocabularies: defined once, and every room uses the same definition."""

from __future__ import annotations

import doctest

import pytest
from pydantic import ValidationError

from core import languages, roles, tags, urls
from core.settings import PROJECT_ROOT
from functions import models
from search_index import analyzers
from site_config import frontmatter, widget_pages


def test_docstring_examples_run():
    for module in (tags, urls):
        failed, attempted = doctest.testmod(module)
        assert attempted and not failed, module.__name__


def test_one_list_of_languages():
    assert languages.Lang.__args__ == languages.CODES == analyzers.LANGUAGES
    assert models.NewQuestion.model_fields["lang"].annotation is languages.Lang
    assert frontmatter.FrontMatter.model_fields["lang"].annotation is languages.Lang


def test_roles():
    assert roles.ROLES == ("member", "moderator", "admin")
    assert [role for role in roles.ROLES if roles.is_staff(role)] == ["moderator", "admin"]
    assert not roles.is_staff(None)


def _front_matter_accepts(tag: str) -> bool:
    page = {"title": "T", "summary": "S", "kind": "faq", "lang": "en", "owner": "o"}
    try:
        frontmatter.check({**page, "tags": [tag], "updated": "2026-11-20"}, "faq/x.md")
    except frontmatter.FrontMatterError:
        return False
    return True


def _api_accepts(tag: str) -> bool:
    question = {"title": "A long enough title", "body": "A body that is long enough."}
    try:
        models.NewQuestion.model_validate({**question, "tags": [tag], "lang": "en"})
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        ("battery-life", True),
        ("गारंटी", True),
        ("Battery", False),
        ("a--b", False),
        ("x" * 31, False),
    ],
)
def test_the_api_and_the_front_matter_apply_the_same_tag_rule(tag, ok):
    assert tags.valid_tag(tag) is ok
    assert _front_matter_accepts(tag) is ok
    assert _api_accepts(tag) is ok


def test_the_question_page_is_one_address_for_python_templates_and_scripts():
    assert widget_pages.urls()["question"] == urls.QUESTION_PAGE == "community/question/"
    assert urls.question_url(7, "km") == "km/" + widget_pages.urls()["question"] + "?id=7"
    script = (PROJECT_ROOT / "theme/assets/javascripts/community/core.js").read_text()
    assert "community/" not in script, "core.js names a page; take it from portal-pages"


def test_every_named_tag_has_a_name_in_every_language_and_no_name_means_two():
    from core.languages import CODES
    from core.tags import tag_for, tag_name, tag_names, valid_tag

    names = tag_names()
    assert names, "site_config/tag_names.yml names the common tags"
    for tag, by_language in names.items():
        assert valid_tag(tag) and set(by_language) == set(CODES), tag
        for lang in CODES:
            assert tag_for(tag_name(tag, lang)) == tag, (tag, lang)
