"""Publishing promoted answers: the knowledge-base pages moderators make from answers.

A step of ``portal work`` that reads the event log from its own cursor ("publisher"). For
each answer promoted or unpromoted since, it makes ``content/<lang>/community/answer-<id>.md``
match the store (written whole beside it and swapped in, so a crash never leaves half a
page); then it rebuilds only the languages touched into a new build of the site, the other
languages linked from the current one, swapped in atomically as a full build is (a failed
or killed publish leaves the last good site); and puts the page's sections in the search
index, or takes them out. The question's own result leaves search through the search feed,
which sees the same event. Nothing is lost to a crash: the cursor moves only once all of
this is done, and doing it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from core.settings import Settings
from core.urls import page_url, promoted_source
from functions.store import Answer, Promotion, Question, Store
from search_index import pages as directory
from search_index.index import fields_of, open_index, open_writer, page_docs
from search_index.live import LiveIndexer
from site_config import owners
from site_config.build import page_entry, rebuild
from site_config.frontmatter import FrontMatter, Promoted, Source, render

CONSUMER = "publisher"
KINDS = ("promoted", "unpromoted")
LANG_KEYS = ("lang", "previous_lang")  # where an event says which pages it touches
OWNER = "community"  # who keeps promoted pages up to date: the moderators


class Publisher:
    def __init__(self, settings: Settings, store: Store, indexer: LiveIndexer) -> None:
        self.settings, self.store, self.indexer = settings, store, indexer

    def run_once(self) -> int:
        """Publish what was promoted or unpromoted since the cursor; the events handled."""
        if not self.indexer.acquire():
            return 0  # another process publishes (the one that writes the index)
        page = self.store.events_after(self.store.consumer_cursor(CONSUMER))
        if not page.events:
            return 0
        touched: dict[int, set[str]] = {}
        for event in page.events:
            if event.kind in KINDS:
                langs = touched.setdefault(event.entity_id, set())
                langs |= {str(event.data[key]) for key in LANG_KEYS if key in event.data}
        if touched:
            pages = {
                answer_id: self._sync(answer_id, langs) for answer_id, langs in touched.items()
            }
            languages = {lang for written in pages.values() for lang in written}
            self.publish_languages(languages)
            self._index(pages)
        self.store.save_consumer_cursor(CONSUMER, page.cursor)
        return len(page.events)

    def _sync(self, answer_id: int, langs: set[str]) -> dict[str, Page | None]:
        """Make the answer's page files match the store: {lang: the page, or None where
        there is no page any more}."""
        promotion = self.store.promotion(answer_id)
        answer = self.store.answer(answer_id)
        question = self.store.question(promotion.question_id) if promotion else None
        live = promotion is not None and answer is not None and question is not None
        result: dict[str, Page | None] = {}
        for lang in langs | ({promotion.lang} if promotion else set()):
            path = self.settings.content_dir / lang / promoted_source(answer_id)
            if live and lang == promotion.lang and answer.visible and question.visible:
                page = page_of(promotion, answer, question)
                self.write_page(path, render(*page))
                result[lang] = page
            else:
                self.write_page(path, None)
                result[lang] = None
        return result

    # Where pages go: the content folder and the site on this machine. In AWS a subclass
    # also keeps them in the content bucket and uploads the built language
    # (portal/aws_indexer.py).

    def write_page(self, path: Path, text: str | None) -> None:
        """Write a promoted page's Markdown (None: remove it)."""
        if text is None:
            path.unlink(missing_ok=True)
        else:
            _write(path, text)

    def publish_languages(self, languages: set[str]) -> None:
        """Build these languages again and publish them."""
        rebuild(self.settings, languages, say=lambda line: None)

    def _index(self, pages: dict[int, dict[str, Page | None]]) -> None:
        published = Path(os.path.realpath(self.settings.index_dir))
        ix = open_index(published)
        writer = open_writer(ix, timeout=10.0)
        try:
            for answer_id, by_lang in pages.items():
                for lang, page in by_lang.items():
                    source = promoted_source(answer_id)
                    writer.delete_by_term("page", f"{lang}/{source}")
                    if page is None:
                        continue
                    meta, body = page
                    for doc in page_docs(
                        lang=lang,
                        src_uri=source,
                        title=meta.title,
                        kind=meta.kind,
                        tags=meta.tags,
                        body=body,
                    ):
                        writer.add_document(**fields_of(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        teams = owners.load(self.settings.content_dir)
        directory.update(
            published,
            {
                f"{lang}/{page_url(promoted_source(answer_id))}": (
                    page_entry(page[0].title, page[0].kind, page[0].owner, teams) if page else None
                )
                for answer_id, by_lang in pages.items()
                for lang, page in by_lang.items()
            },
        )


Page = tuple[FrontMatter, str]  # a page's front matter and body


def page_of(promotion: Promotion, answer: Answer, question: Question) -> Page:
    """The page: its front matter names the question and answer it came from, credits the
    authors and who promoted it when; the body is the answer as it was when promoted (HTML
    sanitised when it was posted), and the theme links back to the discussion."""
    authors = list(dict.fromkeys([answer.author_name, question.author_name]))
    promoted_on = dt.date.fromisoformat(promotion.promoted_at[:10])
    meta = FrontMatter(
        title=promotion.title,
        summary=promotion.summary,
        kind="community",
        tags=list(promotion.tags),
        lang=promotion.lang,
        owner=OWNER,
        updated=promoted_on,
        source=Source(question_id=str(question.id), answer_id=str(answer.id)),
        authors=authors,
        promoted=Promoted(by=promotion.promoted_by, at=promoted_on),
    )
    # One raw HTML block: Markdown leaves what is inside alone, so text the sanitiser kept
    # from tags it removed cannot become links, attributes or includes when the site builds.
    return meta, f'<div class="portal-promoted">\n{promotion.body_html}\n</div>\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
