"""The declared schema of a page's front matter, and reading pages against it.

Every Markdown page in ``content/`` starts with a YAML block between ``---`` lines.
:func:`read_page` returns the checked metadata and the body, or raises
:class:`FrontMatterError` naming the file, the field, what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from core.languages import CODES, Lang
from core.tags import MAX_TAG_CHARS, valid_tag


def _checked_tag(tag: str) -> str:
    # Tags are shared across languages, so they are identifiers (see core/tags.py).
    if not valid_tag(tag):
        raise ValueError("a tag of lowercase letters or digits joined by hyphens")
    return tag


Kind = Literal["page", "faq", "guide", "community"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[str, AfterValidator(_checked_tag)]
Identifier = Annotated[
    str, BeforeValidator(str), StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")
]


class Source(BaseModel):
    """Where a promoted community page came from."""

    model_config = ConfigDict(extra="forbid")

    question_id: Identifier
    answer_id: Identifier


class Promoted(BaseModel):
    """Who made a community answer a knowledge-base page, and when."""

    model_config = ConfigDict(extra="forbid")

    by: Text
    at: dt.date


class FrontMatter(BaseModel):
    """The fields every page declares. Community pages also name their source and authors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[Text, Field(max_length=120)]
    summary: Annotated[Text, Field(max_length=300)]
    kind: Kind
    tags: Annotated[list[Tag], Field(max_length=8)]
    lang: Lang
    owner: Annotated[Text, Field(max_length=80)]
    updated: dt.date
    source: Source | None = None
    authors: Annotated[list[Text], Field(min_length=1, max_length=20)] | None = None
    promoted: Promoted | None = None

    @model_validator(mode="after")
    def _community_pages_name_their_origin(self) -> FrontMatter:
        if self.kind == "community":
            for name in ("source", "authors"):
                if getattr(self, name) is None:
                    raise _field_error(name, "a value on a community page", "nothing")
        else:
            for name in ("source", "authors", "promoted"):
                if getattr(self, name) is not None:
                    raise _field_error(
                        name, f"no {name} on a {self.kind} page (only community pages)", "one"
                    )
        return self


FIELDS = tuple(FrontMatter.model_fields)


class FrontMatterError(Exception):
    """A page whose front matter does not match the schema."""

    def __init__(self, path: Path | str, field: str, expected: str, found: str) -> None:
        self.path, self.field, self.expected, self.found = str(path), field, expected, found
        where = f"field '{field}'" if field else "front matter"
        super().__init__(f"{path}: {where}: expected {expected}, found {found}.")


class _FieldProblem(ValueError):
    def __init__(self, field: str, expected: str, found: str) -> None:
        super().__init__(expected)
        self.field, self.expected, self.found = field, expected, found


def _field_error(field: str, expected: str, found: str) -> _FieldProblem:
    return _FieldProblem(field, expected, found)


@dataclass(frozen=True)
class Page:
    """A content page: where it is, its checked metadata and its Markdown body."""

    path: Path
    meta: FrontMatter
    body: str


def split_front_matter(text: str, path: Path | str) -> tuple[dict[str, Any], str]:
    """Split a page into its YAML mapping and its body."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(path, "", "a YAML block between '---' lines at the top", "none")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            block, body = "".join(lines[1:number]), "".join(lines[number + 1 :])
            break
    else:
        raise FrontMatterError(path, "", "a closing '---' line", "the end of the file")
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line_no = f" on line {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        hint = _YAML_HINTS.get(problem, "")
        raise FrontMatterError(path, "", "valid YAML", f"{problem}{line_no}{hint}") from None
    if not isinstance(data, dict):
        raise FrontMatterError(path, "", "a mapping of fields", _describe(data))
    return data, body


# What authors usually did when YAML reports these problems.
_YAML_HINTS = {
    "mapping values are not allowed here": (
        " (a value holds ': '; put the whole value in double quotes)"
    ),
    "found character '\\t' that cannot start any token": " (use spaces, not tabs, to indent)",
}


class FrontMatterErrors(FrontMatterError):
    """Several fields of one page are wrong: every one of them, in ``problems``."""

    def __init__(self, problems: list[FrontMatterError]) -> None:
        Exception.__init__(self, "\n".join(map(str, problems)))
        first = problems[0]
        self.path, self.field, self.expected, self.found = (
            first.path,
            first.field,
            first.expected,
            first.found,
        )
        self.problems = problems


def check(data: dict[str, Any], path: Path | str) -> FrontMatter:
    """Validate a front-matter mapping; every bad field is raised at once, as one
    FrontMatterError (or FrontMatterErrors, whose ``problems`` list them all)."""
    try:
        return FrontMatter.model_validate(data)
    except ValidationError as error:
        problems = [_problem(detail, path) for detail in error.errors(include_url=False)]
        raise problems[0] if len(problems) == 1 else FrontMatterErrors(problems) from None


def read_page(path: Path, expected_lang: str | None = None) -> Page:
    """Read and check one page; ``expected_lang`` is the language its folder publishes."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FrontMatterError(
            path, "", "UTF-8 text", f"a byte it cannot decode ({error.reason})"
        ) from None
    data, body = split_front_matter(text, path)
    meta = check(data, path)
    if expected_lang and meta.lang != expected_lang:
        raise FrontMatterError(
            path, "lang", f"'{expected_lang}' (the language of its folder)", repr(meta.lang)
        )
    return Page(path=path, meta=meta, body=body)


def _problem(detail: Any, path: Path | str) -> FrontMatterError:
    cause = detail.get("ctx", {}).get("error")
    if isinstance(cause, _FieldProblem):
        return FrontMatterError(path, cause.field, cause.expected, cause.found)
    field = ".".join(str(part) for part in detail["loc"])
    kind = detail["type"]
    if kind == "missing":
        return FrontMatterError(path, field, _expectation(field), "nothing (the field is missing)")
    if kind == "extra_forbidden":
        allowed = ", ".join(FIELDS)
        return FrontMatterError(
            path, field, f"only the fields {allowed}", f"an unknown field {field!r}"
        )
    return FrontMatterError(path, field, _expectation(field, detail), _describe(detail["input"]))


_EXPECTED = {
    "title": "a title of 1 to 120 characters",
    "summary": "a summary of 1 to 300 characters",
    "kind": "one of " + ", ".join(repr(kind) for kind in Kind.__args__),
    "tags": f"a list of at most 8 tags, each lowercase letters or digits joined by hyphens "
    f"(at most {MAX_TAG_CHARS} characters)",
    "lang": "one of " + ", ".join(repr(code) for code in CODES),
    "owner": "the name of the team or person who keeps the page up to date",
    "updated": "a date written YYYY-MM-DD",
    "source": "question_id and answer_id of the promoted answer",
    "authors": "a list of 1 to 20 author names",
    "promoted": "by (who promoted the answer) and at (the date)",
}


def _expectation(field: str, detail: dict[str, Any] | None = None) -> str:
    top = field.split(".")[0]
    if top in _EXPECTED and (detail is None or top == field or top == "tags"):
        return _EXPECTED[top]
    message = (detail or {}).get("msg", "a valid value")
    return message.removeprefix("Input should be ").removeprefix("Value error, ")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value) if value.strip() else "an empty text"
    return f"{type(value).__name__} {value!r}"


def render(meta: FrontMatter, body: str) -> str:
    """A page's text: its front matter, then its body (what :func:`read_page` reads back)."""
    data = meta.model_dump(exclude_none=True)
    block = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{block}---\n\n{body.lstrip()}"
