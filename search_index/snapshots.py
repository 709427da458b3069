"""Snapshots of the search index in S3: how search functions on Lambda share one index.

In AWS no disk is shared. One writer (the indexer function, reserved concurrency 1) keeps its
copy of the index in ``/tmp``, applies the store's changes to it (:mod:`search_index.live`),
and publishes the result with :func:`publish`: the build's files in one archive,
``snapshots/<version>.tar.gz``, then the pointer ``snapshots/latest.json`` naming it. The
pointer is written last, so nobody ever follows it to half an upload. Versions sort by time
(``<milliseconds, 13 digits>-<random>``); the writer deletes all but the newest
:data:`KEEP` snapshots once the pointer has moved past them.

Each search function's container keeps its own copy in ``/tmp``. :class:`SnapshotLoader`
asks for the pointer at most every :data:`CHECK_SECONDS`, with its ETag, so an unchanged
pointer costs S3 a "304 Not Modified" and no body. When a newer snapshot is named, it is
unpacked into a new build beside the current one and swapped in atomically
(:mod:`core.publish`); :class:`search_index.query.SearchIndex` notices on its next search.
A failed download or a broken archive leaves the copy it had.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from core import publish
from core.aws import AwsError
from core.aws.s3 import Bucket

log = logging.getLogger(__name__)

PREFIX = "snapshots/"
POINTER = PREFIX + "latest.json"
KEEP = 3  # snapshots kept: the newest, and two that containers may still be downloading
CHECK_SECONDS = 5.0  # how often a search container asks whether there is a newer snapshot


def index_bucket(name: str) -> Bucket:
    return Bucket(name, setting="PORTAL_INDEX_BUCKET", holds="the search index's snapshots")


def new_version(now: float | None = None) -> str:
    milliseconds = int((time.time() if now is None else now) * 1000)
    return f"{milliseconds:013d}-{secrets.token_hex(4)}"


def publish_snapshot(index_dir: Path, bucket: Bucket, version: str | None = None) -> str:
    """Upload the published index as a new snapshot and point ``latest.json`` at it; its
    version. Older snapshots beyond :data:`KEEP` are deleted afterwards."""
    build = publish.current(index_dir)
    if build is None:
        raise FileNotFoundError(f"There is no published index at {index_dir} to upload.")
    version = version or new_version()
    key = f"{PREFIX}{version}.tar.gz"
    bucket.put(key, _archive(build), content_type="application/gzip", cache_control="no-store")
    pointer = json.dumps({"version": version, "key": key}).encode()
    bucket.put(POINTER, pointer, content_type="application/json", cache_control="no-store")
    archives = sorted(k for k in bucket.list_keys(PREFIX) if k.endswith(".tar.gz"))
    stale = [k for k in archives[:-KEEP] if k < key]
    if stale:
        bucket.delete(stale)
    return version


def _archive(build: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as archive:
        for path in sorted(build.iterdir()):
            if path.is_file():
                archive.add(path, arcname=path.name)
    return buffer.getvalue()


class SnapshotLoader:
    """Keeps a local index (``index_dir``, a published link) at the newest snapshot."""

    def __init__(
        self,
        index_dir: Path,
        bucket: Bucket,
        check_seconds: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.index_dir = index_dir
        self.bucket = bucket
        self.check_seconds = check_seconds
        self.clock = clock
        self.version: str | None = None
        self._etag: str | None = None
        self._checked_at: float | None = None

    def refresh(self) -> bool:
        """Load a newer snapshot if there is one and the last check was long enough ago;
        True when a new one was swapped in. Errors are logged: search goes on with the copy
        it has."""
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < self.check_seconds:
            return False
        self._checked_at = now
        try:
            return self._load_newer()
        except (AwsError, OSError, tarfile.TarError, ValueError, KeyError):
            log.exception(
                "could not load the newest search index snapshot; keeping %s", self.version
            )
            return False

    def _load_newer(self) -> bool:
        body, etag = self.bucket.get(POINTER, self._etag)
        if body is None:
            return False  # unchanged, or nothing published yet
        pointer = json.loads(body)
        if pointer["version"] == self.version:
            self._etag = etag
            return False
        self.index_dir.parent.mkdir(parents=True, exist_ok=True)
        with publish.exclusive(self.index_dir), publish.staged(self.index_dir) as build:
            archive = build / ".snapshot.tar.gz"
            self.bucket.download(pointer["key"], archive)
            with tarfile.open(archive, mode="r:gz") as unpacked:
                unpacked.extractall(build, filter="data")
            archive.unlink()
        self.version, self._etag = pointer["version"], etag
        return True
