"""``portal build``: check the content, build every language with MkDocs, publish safely.

The site is built into a new directory and swapped in only when every language built
(see :mod:`core.publish`); a failed or killed build leaves the last good site.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.utils.yaml import yaml_load

from core import publish
from core.languages import DEFAULT, LANGUAGES
from core.settings import PROJECT_ROOT, Settings
from core.urls import page_url
from search_index import pages as directory
from search_index.index import page_docs, page_key
from search_index.updates import (
    Community,
    Indexed,
    PageSource,
    fingerprint,
    write_full,
    write_update,
)
from site_config import content as content_pages
from site_config import owners, ui
from site_config.frontmatter import FrontMatterError, Page

# The kinds of page that ask "Was this helpful?" (see theme/partials/feedback.html).
FEEDBACK_KINDS = ("faq", "guide", "community")


class BuildError(Exception):
    """The site could not be built; the message says why and the last good site stays."""


@dataclass(frozen=True)
class BuildReport:
    site: Path
    pages: dict[str, int]
    seconds: float
    warnings: list[str]


def build(
    settings: Settings,
    say: Callable[[str], None] = print,
    community: Community | None = None,
    full: bool = False,
) -> BuildReport:
    """Build and publish the whole site and its search index; raise BuildError or
    ContentError on failure. ``community`` adds the community's questions to the index.

    The index is brought up to date from the published one (only what changed is indexed
    again; see :mod:`search_index.updates`); ``full`` indexes everything afresh."""
    started = time.perf_counter()
    with publish.exclusive(settings.site_dir):
        return _build(settings, say, community, full, started)


def _build(
    settings: Settings,
    say: Callable[[str], None],
    community: Community | None,
    full: bool,
    started: float,
) -> BuildReport:
    content = content_pages.load(settings.content_dir)
    teams = _teams(settings, content)
    for warning in content.warnings:
        say(f"warning: {warning}")
    with publish.staged(settings.site_dir) as out:
        for language in LANGUAGES:
            say(f"building {language.code} ({len(content.pages[language.code])} pages)")
            config = build_language(settings, language.code, content, out / language.code)
        write_root(out)
        say("indexing for search")
        # Published before the site's swap: if indexing fails, neither changes.
        indexed = write_search_index(settings, content, config, community, full, teams)
        say(
            f"indexed {indexed.documents} documents afresh"
            if indexed.full
            else f"index updated: {indexed.pages} pages and {indexed.changes} community changes"
        )
    return BuildReport(
        site=settings.site_dir,
        pages={lang: len(pages) for lang, pages in content.pages.items()},
        seconds=time.perf_counter() - started,
        warnings=content.warnings,
    )


def rebuild(
    settings: Settings, langs: Iterable[str], say: Callable[[str], None] = print
) -> BuildReport:
    """Build again only the languages ``langs`` (after a page of theirs changed) and publish
    the site atomically; the other languages are linked from the current build, file by
    file, since a build never changes once published. The search index is left alone: the
    caller updates the pages it changed. Without a published site, everything is built."""
    started = time.perf_counter()
    if publish.current(settings.site_dir) is None:
        return build(settings, say)
    with publish.exclusive(settings.site_dir):
        return _rebuild(settings, set(langs), say, started)


def _rebuild(
    settings: Settings, wanted: set[str], say: Callable[[str], None], started: float
) -> BuildReport:
    current = publish.current(settings.site_dir)
    assert current is not None
    content = content_pages.load(settings.content_dir)
    with publish.staged(settings.site_dir) as out:
        for language in LANGUAGES:
            if language.code in wanted or not (current / language.code).is_dir():
                say(f"building {language.code} ({len(content.pages[language.code])} pages)")
                build_language(settings, language.code, content, out / language.code)
            else:
                shutil.copytree(current / language.code, out / language.code, copy_function=os.link)
        write_root(out)
    return BuildReport(
        site=settings.site_dir,
        pages={lang: len(content.pages[lang]) for lang in sorted(wanted)},
        seconds=time.perf_counter() - started,
        warnings=content.warnings,
    )


def build_language(settings: Settings, lang: str, content: content_pages.Content, out: Path) -> Any:
    """Build one language's site from ``content/<lang>`` into ``out``; return its config."""
    base = _base_config(settings.mkdocs_config)
    words = ui.strings(lang)
    config = load_config(
        config_file=str(settings.mkdocs_config),
        docs_dir=str(settings.content_dir / lang),
        site_dir=str(out),
        site_url=f"{settings.site_url}{lang}/",
        site_description=words["site.description"],
        markdown_extensions=_in_language(base["markdown_extensions"], words),
        theme={**base["theme"], "language": lang},
        nav=navigation(lang, content, settings.content_dir),
        extra={**base.get("extra", {}), "alternate": _alternates()},
    )
    try:
        mkdocs_build(config)
    except MkDocsException as error:
        raise BuildError(f"The {lang} site failed to build: {error}") from None
    return config


def write_search_index(
    settings: Settings,
    content: content_pages.Content,
    config: Any,
    community: Community | None = None,
    full: bool = False,
    teams: Mapping[str, tuple[str, ...]] | None = None,
) -> Indexed:
    """Index the page sections (and community questions) that changed since the published
    index, or all of them with ``full``, and publish the index atomically.

    Pages are rendered with the Markdown extensions MkDocs used (``config``), so indexed
    anchors are the heading ids in the built HTML.
    """
    extensions, configs = config["markdown_extensions"], config["mdx_configs"]
    pages = [
        _page_source(lang, content.relative(lang, page, settings.content_dir), page, config)
        for lang, lang_pages in content.pages.items()
        for page in lang_pages
    ]
    format_ = fingerprint((extensions, configs))
    current = publish.current(settings.index_dir)
    with publish.staged(settings.index_dir) as out:
        indexed = None
        if not full and current is not None:
            indexed = write_update(current, out, pages, community, format_)
        indexed = indexed or write_full(out, pages, community, format_)
        directory.write(out, page_directory(settings, content, teams or {}))
        return indexed


def page_directory(
    settings: Settings, content: content_pages.Content, teams: Mapping[str, tuple[str, ...]]
) -> dict[str, directory.PageEntry]:
    """Every article and community page, by its address from the site's root."""
    return {
        f"{lang}/{page_url(content.relative(lang, page, settings.content_dir))}": page_entry(
            page.meta.title, page.meta.kind, page.meta.owner, teams
        )
        for lang, lang_pages in content.pages.items()
        for page in lang_pages
        if page.meta.kind in FEEDBACK_KINDS
    }


def page_entry(
    title: str, kind: str, owner: str, teams: Mapping[str, tuple[str, ...]]
) -> directory.PageEntry:
    return directory.PageEntry(title, kind, owner, teams.get(owner, ()))


def _teams(settings: Settings, content: content_pages.Content) -> dict[str, tuple[str, ...]]:
    try:
        teams = owners.load(settings.content_dir)
    except FrontMatterError as error:
        raise content_pages.ContentError([error]) from None
    content.warnings += owners.unknown_owners(
        {
            str(page.path): page.meta.owner
            for pages in content.pages.values()
            for page in pages
            if page.meta.kind in FEEDBACK_KINDS
        },
        teams,
    )
    return teams


def _page_source(lang: str, src_uri: str, page: Page, config: Any) -> PageSource:
    meta = page.meta
    return PageSource(
        page=page_key(lang, src_uri),
        source="\0".join([meta.title, meta.kind, ",".join(meta.tags), page.body]),
        docs=partial(
            page_docs,
            lang=lang,
            src_uri=src_uri,
            title=meta.title,
            kind=meta.kind,
            tags=meta.tags,
            body=page.body,
            extensions=config["markdown_extensions"],
            configs=config["mdx_configs"],
        ),
    )


def navigation(lang: str, content: content_pages.Content, root: Path) -> list[Any]:
    """The global navigation: bounded, whatever the number of community pages."""
    words = ui.strings(lang)
    sections: dict[str, list[tuple[str, str]]] = {"faq": [], "guide": []}
    for page in content.pages[lang]:
        if page.meta.kind in sections:
            sections[page.meta.kind].append(
                (page.meta.title.casefold(), content.relative(lang, page, root))
            )
    return [
        {words["nav.home"]: "index.md"},
        {words["nav.faq"]: ["faq/index.md", *[uri for _, uri in sorted(sections["faq"])]]},
        {words["nav.guides"]: ["guides/index.md", *[uri for _, uri in sorted(sections["guide"])]]},
        {
            words["nav.community"]: [
                "community/questions.md",  # the live questions first: the tab opens them
                "community/index.md",
                "community/tags/index.md",
                "community/ask.md",
            ]
        },
    ]


def write_root(out: Path) -> None:
    """The site's front door: sends each visitor to their language."""
    links = "\n".join(
        f'    <li><a href="{language.code}/" hreflang="{language.code}" lang="{language.code}">'
        f"{html.escape(language.name)}</a></li>"
        for language in LANGUAGES
    )
    heading = " · ".join(
        html.escape(ui.strings(language.code)["choose.language"]) for language in LANGUAGES
    )
    template = (PROJECT_ROOT / "theme" / "root.html").read_text(encoding="utf-8")
    page = (
        template.replace("{{ languages }}", json.dumps([language.code for language in LANGUAGES]))
        .replace("{{ default }}", DEFAULT)
        .replace("{{ heading }}", heading)
        .replace("{{ links }}", links)
    )
    (out / "index.html").write_text(page, encoding="utf-8")


def _in_language(extensions: list[Any], words: dict[str, str]) -> list[Any]:
    """The Markdown extensions, with the heading links' tooltip in the page's language."""
    return [
        {"toc": {**entry["toc"], "permalink_title": words["heading.permalink"]}}
        if isinstance(entry, dict) and "toc" in entry
        else entry
        for entry in extensions
    ]


def _alternates() -> list[dict[str, str]]:
    # Per page, the hooks point these at the same page in each language.
    return [
        {"name": language.name, "link": f"../{language.code}/", "lang": language.code}
        for language in LANGUAGES
    ]


def _base_config(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml_load(handle)
