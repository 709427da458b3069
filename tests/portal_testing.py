"""Helpers for tests: write content, run the real `portal` command, run a real server."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core import settings as settings_module
from core.languages import CODES
from site_config.frontmatter import FrontMatter, render

PORTAL = str(Path(sys.executable).with_name("portal"))
# The store backend the tests run on: sqlite, or dynamodb (on moto's server; `make test`
# runs the API tests on both).
TEST_STORE = os.environ.get("PORTAL_TEST_STORE", "sqlite")
# How much longer a wait may last on that backend: moto is one process, far slower than
# DynamoDB. It changes how long a check may wait, never what it checks.
SLOWER = 4 if TEST_STORE == "dynamodb" else 1
# Shared machines can be slow: browser checks may wait this long before failing. It changes
# how long a check may wait, never what it checks.
BROWSER_WAIT_MS = 20_000

# The same short page in each language, so tests can tell which language they are looking at.
WORDS = {
    "en": ("Warranty", "How the warranty works."),
    "hi": ("वारंटी", "वारंटी कैसे काम करती है।"),
    "ru": ("Гарантия", "Как работает гарантия."),
    "km": ("ការធានា", "របៀបដែលការធានាដំណើរការ។"),
}


@dataclass(frozen=True)
class PortalPaths:
    root: Path
    content: Path
    site: Path
    index: Path
    store: Path

    @classmethod
    def under(cls, root: Path) -> PortalPaths:
        return cls(
            root,
            root / "content",
            root / "site",
            root / "var" / "index",
            root / "var" / "portal.db",
        )

    def environ(self, **extra: str) -> dict[str, str]:
        """The process environment a `portal` command runs with."""
        return {
            **os.environ,
            "PORTAL_CONTENT_DIR": str(self.content),
            "PORTAL_SITE_DIR": str(self.site),
            "PORTAL_INDEX_DIR": str(self.index),
            "PORTAL_STORE": self.store_url,
            **extra,
        }

    @property
    def store_url(self) -> str:
        """The PORTAL_STORE of this tree: its SQLite file, or (``PORTAL_TEST_STORE=dynamodb``)
        a table of its own on moto's server, made on first use."""
        if TEST_STORE == "dynamodb":
            from aws_testing import table_for

            return f"dynamodb://{table_for(self.root)}"
        return f"sqlite:///{self.store}"

    def settings(self) -> settings_module.Settings:
        return settings_module.load(self.environ())


def write_page(content: Path, lang: str, uri: str, body: str = "", **fields) -> Path:
    """Write one valid page (any field can be overridden) and return its path."""
    title, summary = WORDS[lang]
    kind = {"faq": "faq", "guides": "guide", "community": "community"}.get(
        uri.split("/")[0], "page"
    )
    meta = {
        "title": title,
        "summary": summary,
        "kind": kind,
        "tags": ["warranty"],
        "lang": lang,
        "owner": "support-content",
        "updated": dt.date(2026, 11, 20),
        **(
            {"source": {"question_id": "1", "answer_id": "2"}, "authors": ["asha"]}
            if kind == "community"
            else {}
        ),
        **fields,
    }
    path = content / lang / uri
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        render(FrontMatter(**meta), body or f"{summary}\n\n## {title}\n\n{summary}\n"),
        encoding="utf-8",
    )
    return path


def small_content(content: Path, community: int = 0, community_lang: str = "en") -> None:
    """A home page, one FAQ and one guide in every language, plus ``community`` answers."""
    for lang in CODES:
        write_page(
            content, lang, "index.md", body="[FAQ](faq/warranty.md) · [Guide](guides/claim.md)\n"
        )
        write_page(content, lang, "faq/warranty.md", body="See [the guide](../guides/claim.md).\n")
        write_page(content, lang, "guides/claim.md", tags=["warranty", "repairs"])
    for number in range(1, community + 1):
        write_page(
            content,
            community_lang,
            f"community/answer-{number:04d}.md",
            title=f"Community answer {number}",
            tags=["battery" if number % 2 else "screen"],
            updated=dt.date(2026, 1, 1) + dt.timedelta(days=number),
            source={"question_id": str(number), "answer_id": str(number * 10)},
        )


def run_portal(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run([PORTAL, *args], env=env, capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    env: dict[str, str], workers: int = 1, port: int | None = None, threads: int = 4
) -> Iterator[str]:
    """Run `portal serve` on a loopback port (a free one by default); yield its base URL."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            PORTAL,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def _wait_until_up(base: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal serve exited early:\n{process.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"portal serve did not answer within {seconds} s")


def wait_for(condition, seconds: float = 15.0) -> bool:
    """Poll until ``condition()`` holds: for what a background worker does after a request.
    A generous bound that changes how long a check may wait, never what it checks (on moto,
    which copies a table on every transaction, four times as long)."""
    deadline = time.monotonic() + seconds * SLOWER
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
