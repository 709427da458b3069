"""The indexer on AWS Lambda: the search index's single writer and the publisher of promoted
answers (``template.yaml``'s IndexerFunction, on the table's stream, reserved concurrency 1
so that no two ever write at once).

On one machine ``portal work`` does this with the index and the site on disk. On Lambda
nothing on disk outlives the container, so each invocation:

1. loads the newest index snapshot from the index bucket into ``/tmp`` when the container
   has none yet, or when ``portal deploy`` published a newer build
   (:mod:`search_index.snapshots`); the index carries the store cursor it is up to;
2. applies the community changes since that cursor (the search feed, as ``portal work``);
3. publishes promoted and unpromoted answers (:class:`portal.publisher.Publisher`): the
   page's Markdown goes to ``/tmp/content`` and to the content bucket
   (``<lang>/community/answer-<id>.md``), that language alone is built (MkDocs) into
   ``/tmp``, its changed files are uploaded to the site bucket as ``portal deploy`` uploads
   them (assets before pages, that language's stale keys deleted after), and its changed
   pages are invalidated in CloudFront; the page's sections go into the index;
4. publishes the index as a new snapshot if anything changed, which the search functions
   pick up within a few seconds.

A failure raises, so Lambda retries the stream batch and then sends it to the dead-letter
queue; nothing is lost either way, since every step starts again from the store's cursors.
The content in ``/tmp`` is the package's ``content/`` with the content bucket's promoted
pages laid over it, copied once per container.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.aws.s3 import Bucket
from core.settings import Settings, SettingsError
from core.settings import settings as process_settings
from functions import search_feed
from functions.store import Store, open_store
from portal.publisher import Publisher
from search_index.live import LiveIndexer
from search_index.snapshots import SnapshotLoader, index_bucket, publish_snapshot
from site_config import content as content_pages
from site_config.build import build_language
from site_config.deploy import deploy_language

log = logging.getLogger(__name__)
PROMOTED = "community/"  # where promoted pages live in each language's content


def indexer_settings(settings: Settings, scratch: Path) -> Settings:
    """The settings the indexer runs with: its index, content and site under ``scratch``."""
    missing = [
        name
        for name, value in (
            ("PORTAL_INDEX_BUCKET", settings.index_bucket),
            ("PORTAL_CONTENT_BUCKET", settings.content_bucket),
            ("PORTAL_SITE_BUCKET", settings.site_bucket),
        )
        if not value
    ]
    if missing:
        raise SettingsError(f"The indexer needs {', '.join(missing)} set.")
    return replace(
        settings,
        index_dir=scratch / "index",
        content_dir=scratch / "content",
        site_dir=scratch / "site",
    )


class AwsPublisher(Publisher):
    """The publisher with the content bucket and the site bucket as its disk."""

    def __init__(self, settings: Settings, store: Store, indexer: LiveIndexer) -> None:
        super().__init__(settings, store, indexer)
        self.content = Bucket(
            settings.content_bucket or "", "PORTAL_CONTENT_BUCKET", "promoted answers' pages"
        )

    def write_page(self, path: Path, text: str | None) -> None:
        super().write_page(path, text)
        key = path.relative_to(self.settings.content_dir).as_posix()
        if text is None:
            self.content.delete([key])
        else:
            self.content.put(
                key,
                text.encode(),
                content_type="text/markdown; charset=utf-8",
                cache_control="no-store",
            )

    def publish_languages(self, languages: set[str]) -> None:
        content = content_pages.load(self.settings.content_dir)
        for lang in sorted(languages):
            with tempfile.TemporaryDirectory(dir=self.settings.site_dir.parent) as folder:
                built = Path(folder) / lang
                build_language(self.settings, lang, content, built)
                deploy_language(self.settings, lang, built, say=log.info)


class AwsIndexer:
    """One container's indexer: made at init, run once per stream batch."""

    def __init__(self, settings: Settings, scratch: Path) -> None:
        self.packaged_content = settings.content_dir
        self.settings = indexer_settings(settings, scratch)
        self.store = open_store(self.settings.store)
        self.snapshots = index_bucket(self.settings.index_bucket or "")
        self.loader = SnapshotLoader(self.settings.index_dir, self.snapshots, check_seconds=0)
        self.live = LiveIndexer(self.settings.index_dir, search_feed.change_source(self.store))
        self.publisher = AwsPublisher(self.settings, self.store, self.live)
        self._content_ready = False

    def run(self) -> dict[str, Any]:
        """Catch up with the store; what was done."""
        self.loader.refresh()
        if self.loader.version is None:
            raise RuntimeError(
                "There is no index snapshot in the index bucket yet: run `portal build` and "
                "`portal deploy` with PORTAL_INDEX_BUCKET set first."
            )
        self._prepare_content()
        if not self.live.acquire():
            raise RuntimeError("Another indexer holds this container's index.")
        applied = 0
        while done := self.live.run_once():
            applied += done
        published = 0
        while done := self.publisher.run_once():
            published += done
        version = None
        if applied or published:
            version = publish_snapshot(self.settings.index_dir, self.snapshots)
            self.loader.version = version  # our own snapshot: no need to load it back
        return {"changes": applied, "events_published": published, "snapshot": version}

    def close(self) -> None:
        self.live.release()
        self.store.close()

    def _prepare_content(self) -> None:
        """The package's content with the promoted pages from the content bucket, once."""
        if self._content_ready:
            return
        target = self.settings.content_dir
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.packaged_content, target)
        for key in self.publisher.content.list_keys():
            if PROMOTED in key and key.endswith(".md"):
                path = target / key
                path.parent.mkdir(parents=True, exist_ok=True)
                self.publisher.content.download(key, path)
        self._content_ready = True


_container: AwsIndexer | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point (``portal.aws_indexer.handler``): the stream's records only
    say that something changed; what changed is read from the store's cursors."""
    global _container
    if _container is None:
        _container = AwsIndexer(process_settings(), Path(tempfile.gettempdir()) / "portal")
    return _container.run()
