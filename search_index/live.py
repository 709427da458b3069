"""The single writer that keeps community posts in the published index as they change.

The community store records every change in its event log, read from an opaque cursor. A
:class:`LiveIndexer` takes the changes from a source callable, ``fetch(after_cursor) ->
(changes, new_cursor)``, applies them to the index ``settings.index_dir`` points at, and stores the
new cursor in the same commit. When ``portal build`` swaps in a fresh index (built from a
snapshot of the store, with the snapshot's cursor), the writer notices, reads that index's
cursor and carries on from there, so nothing is lost or applied twice in a way that shows.

Exactly one writer per index: the writer holds an exclusive ``flock`` on a file beside the
index. Any process may make a LiveIndexer; the one that gets the lock writes, the others
call :meth:`LiveIndexer.acquire` again later and take over if its process goes away. The
indexer starts no thread: whoever runs it (``portal work``) calls :meth:`run_once`.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh.index import Index

from search_index.documents import Change
from search_index.index import apply, open_index, open_writer, read_cursor, write_cursor

log = logging.getLogger(__name__)

ChangeSource = Callable[[Any], tuple[Sequence[Change], Any]]


def lock_path(index_dir: Path) -> Path:
    return index_dir.with_name(f".{index_dir.name}.writer.lock")


class LiveIndexer:
    """Apply community changes to the published index, from one process at a time."""

    def __init__(self, index_dir: Path, fetch: ChangeSource) -> None:
        self.index_dir = index_dir
        self.fetch = fetch
        self._lock_file: Any = None
        self._build: str | None = None
        self._ix: Index | None = None
        self._cursor: Any = None

    # The lock

    def acquire(self) -> bool:
        """Become the writer if no other process is; True if this one is."""
        if self._lock_file is not None:
            return True
        path = lock_path(self.index_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._lock_file = handle
        return True

    def release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    @property
    def is_writer(self) -> bool:
        return self._lock_file is not None

    # Applying changes

    def run_once(self) -> int:
        """Fetch and apply one batch of changes; how many were applied (at least 1 when the
        cursor moved, 0 when there was nothing new).

        Only the writer may call this (see :meth:`acquire`).
        """
        if not self.is_writer:
            raise RuntimeError("Only the process holding the writer lock may write the index.")
        ix = self._current_index()
        if ix is None:
            return 0  # nothing published yet
        changes, cursor = self.fetch(self._cursor)
        if not changes and cursor == self._cursor:
            return 0
        writer = open_writer(ix, timeout=5.0)
        try:
            for change in changes:
                apply(writer, change)
            write_cursor(writer, cursor)
        except BaseException:
            writer.cancel()
            raise
        # No merging on the hot path: small segments are merged by the next build, and a
        # commit stays a few milliseconds.
        writer.commit(merge=len(changes) > 100)
        self._cursor = cursor
        return max(len(changes), 1)  # events without a question are still progress

    def _current_index(self) -> Index | None:
        build = os.path.realpath(self.index_dir)
        if build != self._build or self._ix is None:
            if not os.path.isdir(build):
                return None
            try:
                ix = open_index(Path(build))
            except Exception:  # not published yet, or being replaced: try again next time
                log.debug("no readable index at %s yet", build, exc_info=True)
                return None
            # A new build: carry on from the cursor its snapshot was taken at.
            self._ix, self._build, self._cursor = ix, build, read_cursor(ix)
        return self._ix
