"""The front-matter schema: every problem names the file, the field, what was expected and found."""

from __future__ import annotations

import datetime as dt

import pytest

from site_config.frontmatter import FrontMatter, FrontMatterError, check, read_page, render

GOOD = {
    "title": "How long does a repair take?",
    "summary": "Walk-in and mail-in repair times.",
    "kind": "faq",
    "tags": ["repairs", "बैटरी"],
    "lang": "en",
    "owner": "repairs-team",
    "updated": "2026-11-20",
}


def problem(data: dict) -> FrontMatterError:
    with pytest.raises(FrontMatterError) as caught:
        check(data, "content/en/faq/repair-time.md")
    return caught.value


def test_a_good_page_passes():
    meta = check(GOOD, "x.md")
    assert meta.updated == dt.date(2026, 11, 20)
    assert meta.tags == ["repairs", "बैटरी"]


@pytest.mark.parametrize(
    ("change", "field", "expected", "found"),
    [
        ({"kind": "fq"}, "kind", "one of 'page', 'faq', 'guide', 'community'", "'fq'"),
        ({"summary": None}, "summary", "a summary", "nothing"),
        ({"updated": "yesterday"}, "updated", "a date written YYYY-MM-DD", "'yesterday'"),
        ({"lang": "fr"}, "lang", "'en', 'hi', 'ru', 'km'", "'fr'"),
        ({"tags": ["Repairs Fast"]}, "tags.0", "lowercase letters or digits", "'Repairs Fast'"),
        ({"tags": "repairs"}, "tags", "a list of at most 8 tags", "'repairs'"),
        ({"title": "  "}, "title", "a title of 1 to 120 characters", "an empty text"),
        ({"title": "x" * 121}, "title", "a title of 1 to 120 characters", "'xxx"),
        ({"autor": "me"}, "autor", "only the fields title, summary", "an unknown field 'autor'"),
        ({"kind": "community"}, "source", "a value on a community page", "nothing"),
        (
            {"source": {"question_id": 1, "answer_id": 2}},
            "source",
            "no source on a faq page",
            "one",
        ),
    ],
)
def test_each_problem_is_named(change, field, expected, found):
    data = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    error = problem(data)
    assert error.path == "content/en/faq/repair-time.md"
    assert error.field == field
    assert expected in error.expected
    assert found in error.found
    assert str(error).startswith(f"content/en/faq/repair-time.md: field '{field}': expected ")


def test_missing_field_says_it_is_missing():
    data = dict(GOOD)
    del data["owner"]
    assert problem(data).found == "nothing (the field is missing)"


def test_page_without_front_matter(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("# Just a heading\n", encoding="utf-8")
    with pytest.raises(FrontMatterError, match="expected a YAML block between '---' lines"):
        read_page(path)


def test_unclosed_front_matter(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("---\ntitle: x\n", encoding="utf-8")
    with pytest.raises(
        FrontMatterError, match="expected a closing '---' line, found the end of the file"
    ):
        read_page(path)


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("---\ntitle: x\nsummary: [unclosed\n---\nBody\n", encoding="utf-8")
    with pytest.raises(FrontMatterError, match=r"expected valid YAML, found .* on line \d"):
        read_page(path)


def test_colon_in_a_title_gets_a_hint(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("---\ntitle: Cracked: is it covered?\n---\nBody\n", encoding="utf-8")
    with pytest.raises(
        FrontMatterError,
        match=r"on line 2 \(a value holds ': '; put the whole value in double quotes\)",
    ):
        read_page(path)


def test_folder_language_must_match(tmp_path):
    path = tmp_path / "page.md"
    path.write_text(render(FrontMatter(**GOOD), "Body"), encoding="utf-8")
    with pytest.raises(FrontMatterError) as caught:
        read_page(path, expected_lang="hi")
    assert caught.value.field == "lang"
    assert "'hi' (the language of its folder)" in caught.value.expected


def test_render_reads_back(tmp_path):
    meta = FrontMatter(
        **{**GOOD, "kind": "community", "lang": "km", "title": "ប្តូរអេក្រង់: តម្លៃ"},
        source={"question_id": 7, "answer_id": "a-9"},
        authors=["sokha"],
    )
    path = tmp_path / "page.md"
    path.write_text(render(meta, "Body text\n"), encoding="utf-8")
    page = read_page(path, expected_lang="km")
    assert page.meta == meta
    assert page.meta.source.question_id == "7"
    assert page.body.strip() == "Body text"
