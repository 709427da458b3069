"""Finding and checking every page under the content directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.languages import CODES
from site_config.frontmatter import FrontMatterError, Page, read_page

# The kind a page must declare, by the folder it sits in; elsewhere it is a plain page.
KIND_OF_FOLDER = {"faq": "faq", "guides": "guide", "community": "community"}


class ContentError(Exception):
    """One or more pages failed their checks; every problem is listed."""

    def __init__(self, problems: list[FrontMatterError]) -> None:
        self.problems = problems
        pages = len({problem.path for problem in problems})
        count = f"{pages} page{'s' if pages != 1 else ''}"
        super().__init__(
            f"{count} failed the front-matter check:\n" + "\n".join(map(str, problems))
        )


@dataclass
class Content:
    """The checked pages of every language, and what is worth a warning."""

    pages: dict[str, list[Page]]
    warnings: list[str] = field(default_factory=list)

    def relative(self, lang: str, page: Page, root: Path) -> str:
        return page.path.relative_to(root / lang).as_posix()


def load(root: Path) -> Content:
    """Read every page of every language under ``root``; raise ContentError on any problem."""
    if not root.is_dir():
        raise FileNotFoundError(
            f"The content directory {root} does not exist; set PORTAL_CONTENT_DIR."
        )
    pages: dict[str, list[Page]] = {}
    problems: list[FrontMatterError] = []
    for lang in CODES:
        pages[lang] = []
        for path in sorted((root / lang).rglob("*.md")):
            try:
                page = read_page(path, expected_lang=lang)
                _check_kind(page, path.relative_to(root / lang))
            except FrontMatterError as error:
                problems.extend(getattr(error, "problems", [error]))
                continue
            pages[lang].append(page)
    problems += _outside_the_languages(root)
    if problems:
        raise ContentError(problems)
    content = Content(pages=pages)
    content.warnings += _missing_translations(content, root)
    return content


def _outside_the_languages(root: Path) -> list[FrontMatterError]:
    """A page that is in no language's folder would never be published: refused, not
    skipped, so its author hears of it."""
    outside = [path for path in root.glob("*.md")] + [
        path
        for folder in sorted(root.iterdir())
        if folder.is_dir() and folder.name not in CODES
        for path in folder.rglob("*.md")
    ]
    return [
        FrontMatterError(
            path,
            "",
            f"a page inside a language's folder ({', '.join(f'{code}/' for code in CODES)})",
            "a page outside them, which would never be published",
        )
        for path in sorted(outside)
    ]


def _check_kind(page: Page, relative: Path) -> None:
    folder = relative.parts[0] if len(relative.parts) > 1 else ""
    expected = KIND_OF_FOLDER.get(folder, "page")
    if page.meta.kind != expected:
        where = f"a page in {folder}/" if folder else "a page outside faq/, guides/ and community/"
        raise FrontMatterError(page.path, "kind", f"'{expected}' for {where}", repr(page.meta.kind))


def _missing_translations(content: Content, root: Path) -> list[str]:
    """Curated pages (not community answers) should exist in every language."""
    curated = {
        lang: {
            content.relative(lang, page, root) for page in pages if page.meta.kind != "community"
        }
        for lang, pages in content.pages.items()
    }
    everywhere = set().union(*curated.values())
    return [
        f"{root / lang / name}: missing; it exists in another language."
        for lang in CODES
        for name in sorted(everywhere - curated[lang])
    ]
