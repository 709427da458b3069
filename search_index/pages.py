"""The knowledge base's pages as the functions need to know them: each page's title, kind,
owner, and the members its owner's feedback reaches.

The build writes ``pages.json`` into the index directory it publishes, and the publisher
updates it when a promoted page comes or goes, so the functions find it wherever the index
goes (one machine, or a snapshot in AWS). Keys are a page's address from the site's root:
``"en/faq/refunds/"``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

FILE = "pages.json"


@dataclass(frozen=True)
class PageEntry:
    title: str
    kind: str  # faq, guide or community
    owner: str  # the team (or person) that keeps it up to date
    notify: tuple[str, ...] = ()  # usernames that hear of its "not helpful" votes


def write(index_dir: Path, entries: Mapping[str, PageEntry]) -> None:
    """Write the whole directory of pages (into an index directory not yet published)."""
    _write(index_dir / FILE, entries)


def update(index_dir: Path, changes: Mapping[str, PageEntry | None]) -> None:
    """Add, replace or (None) remove pages in a published index's directory, atomically."""
    path = index_dir / FILE
    entries = _read(path)
    for key, entry in changes.items():
        if entry is None:
            entries.pop(key, None)
        else:
            entries[key] = entry
    _write(path, entries)


class PageDirectory:
    """The published index's pages, read again when a new index is published."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._seen: tuple[str, int] | None = None
        self._entries: dict[str, PageEntry] = {}

    def get(self, key: str) -> PageEntry | None:
        return self._current().get(key)

    def keys(self) -> list[str]:
        return sorted(self._current())

    def _current(self) -> dict[str, PageEntry]:
        path = Path(os.path.realpath(self.index_dir)) / FILE
        try:
            version = (str(path), path.stat().st_mtime_ns)
        except FileNotFoundError:
            return {}
        if version != self._seen:
            self._entries, self._seen = _read(path), version
        return self._entries


def _read(path: Path) -> dict[str, PageEntry]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {
        key: PageEntry(**{**value, "notify": tuple(value["notify"])}) for key, value in raw.items()
    }


def _write(path: Path, entries: Mapping[str, PageEntry]) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    data = {key: asdict(entry) for key, entry in sorted(entries.items())}
    partial.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    os.replace(partial, path)
