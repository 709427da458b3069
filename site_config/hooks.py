"""MkDocs hooks for the help centre (registered in mkdocs.yml).

MkDocs loads this file by path, once per language build; it reaches the rest of the
package through normal imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from core.languages import LANGUAGES
from core.roles import STAFF_ROLES
from core.urls import page_url
from site_config import badge_catalogue, dates, listings, ui, widget_pages
from site_config.frontmatter import FrontMatterError, check, split_front_matter

THEME_DATA = "translations/"  # read at build time, not published


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages: listings (section indexes, community pages and tags), the
    widget pages and the badge catalogue."""
    for file in [f for f in files if f.src_uri.startswith(THEME_DATA)]:
        files.remove(file)
    entries = []
    for file in files.documentation_pages():
        if listings.section_of(file.src_uri) not in (*listings.SECTIONS, listings.COMMUNITY):
            continue
        meta = _meta(file)
        entries.append(
            listings.Entry(
                src_uri=file.src_uri,
                title=meta.title,
                summary=meta.summary,
                tags=tuple(meta.tags),
                updated=meta.updated,
                updated_text=dates.long_date(meta.updated, config.theme["language"]),
            )
        )
    words = _ui(config)
    generated = listings.generated_pages(entries, words)
    for page in widget_pages.PAGES:
        generated[page.src_uri] = widget_pages.markdown(page, words)
    generated[badge_catalogue.SRC_URI] = badge_catalogue.markdown(config.theme["language"], words)
    for src_uri, markdown in generated.items():
        if src_uri in files:
            continue  # an authored page of the same name wins over the generated one
        files.append(File.generated(config, src_uri, content=markdown))
    return files


def on_env(env: Any, config: Any, files: Files) -> Any:
    """Give templates the interface words of the language being built, and the addresses
    of the widget pages."""
    lang = config.theme["language"]
    env.globals["ui"] = {**_ui(config), **dates.widget_words(lang)}
    env.globals["portal_pages"] = {
        **widget_pages.urls(),
        "badges": page_url(badge_catalogue.SRC_URI),
    }
    env.globals["staff_roles"] = STAFF_ROLES  # who may moderate, as the widgets check it
    # The language's root as a path ("/ru/"): pages served at any address (404) link from it.
    env.globals["lang_root"] = urlsplit(config.site_url or "/").path or "/"
    env.filters["long_date"] = lambda day: dates.long_date(day, lang)
    return env


def on_page_context(context: dict, page: Any, config: Any, nav: Any) -> dict:
    """Link the language switcher to this same page in each language, or to that language's
    community or home page where it has no copy.

    The head's hreflang links stay at the language roots (``extra.alternate``): the theme's
    script reads each root's sitemap.xml to keep readers on the same page when they switch.
    These per-page links are what readers without that script follow.
    """
    content_root = Path(config.docs_dir).parent
    src = page.file.src_uri
    shared = page.file.generated_by is not None and src in _SHARED_LISTINGS
    fallback = listings.COMMUNITY_INDEX if src.startswith("community/") else "index.md"
    here = config.theme["language"]
    if page.meta.get("summary"):  # the page's own summary, not the site's, for search engines
        page.meta.setdefault("description", page.meta["summary"])
    context["portal_alternates"] = [
        {
            "name": language.name,
            "lang": language.code,
            "current": language.code == here,
            # Relative to this language's site root, like extra.alternate.
            "link": f"../{language.code}/"
            + page_url(
                src if shared or (content_root / language.code / src).is_file() else fallback,
                config.use_directory_urls,
            ),
        }
        for language in LANGUAGES
    ]
    return context


_SHARED_LISTINGS = frozenset(
    {listings.COMMUNITY_INDEX, listings.TAGS_INDEX}
    | {page.src_uri for page in widget_pages.PAGES}
    | {badge_catalogue.SRC_URI}
    | {f"{section}/index.md" for section in listings.SECTIONS}
)


def _meta(file: File) -> Any:
    try:
        data, _ = split_front_matter(file.content_string, file.abs_src_path or file.src_uri)
        return check(data, file.abs_src_path or file.src_uri)
    except FrontMatterError as error:  # every bad field, when there are several
        raise PluginError(str(error)) from None


def _ui(config: Any) -> dict[str, str]:
    return ui.strings(config.theme["language"])
