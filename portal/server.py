"""``portal serve``: the published site and the API behind one production WSGI server.

Static files are served by WhiteNoise from the build the site link points at; when
``portal build`` publishes a new build, the next request sees it (no restart needed).
Requests under /api go to the Flask functions.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from whitenoise import WhiteNoise

from core.languages import CODES, DEFAULT
from core.settings import Settings

log = logging.getLogger(__name__)
Environ = dict[str, Any]
StartResponse = Callable[..., Any]
# Material's bundles carry a content hash in their names, so they can be cached for good.
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)$")


class StaticSite:
    """Serve the current build of the site, following the published link."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._lock = threading.Lock()
        self._build: str | None = None
        self._app: WhiteNoise | None = None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return self._current()(environ, start_response)

    def _current(self) -> WhiteNoise:
        build = os.path.realpath(self.site_dir)
        if build != self._build:
            with self._lock:
                if build != self._build:
                    self._app = WhiteNoise(
                        self._not_found,
                        root=build,
                        index_file=True,
                        immutable_file_test=lambda path, url: bool(_HASHED.search(url)),
                    )
                    self._build = build
        assert self._app is not None
        return self._app

    def _not_found(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        first = environ.get("PATH_INFO", "/").strip("/").split("/", 1)[0]
        lang = first if first in CODES else DEFAULT
        page = Path(self._build or self.site_dir, lang, "404.html")
        body = page.read_bytes() if page.is_file() else b"Not found"
        start_response(
            "404 Not Found",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]


def create_app(settings: Settings) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    """The whole portal as one WSGI app: /api to the functions, the rest to the site."""
    from functions.app import create_app as create_api

    api = create_api(settings)
    site = StaticSite(settings.site_dir)

    def portal(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/api" or path.startswith("/api/"):
            return api(environ, start_response)
        return site(environ, start_response)

    return portal


class _Arbiter(Arbiter):
    """Gunicorn's arbiter, also keeping the consumer process running: it checks it on each
    turn of its loop (about once a second), where it checks its web workers."""

    def __init__(self, app: _Gunicorn, consumers: ConsumerProcess) -> None:
        self.consumers = consumers
        super().__init__(app)

    def manage_workers(self) -> None:
        super().manage_workers()
        self.consumers.keep_running()


class _Gunicorn(BaseApplication):
    def __init__(self, app: Callable, options: dict[str, Any], consumers: ConsumerProcess) -> None:
        self._app, self._options, self._consumers = app, options, consumers
        super().__init__()

    def run(self) -> None:
        _Arbiter(self, self._consumers).run()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return self._app


class ConsumerProcess:
    """``portal work`` beside the web workers: the consumers of the event log run in their
    own process, never in a request's thread. The server's arbiter looks after it as it
    does after its web workers (started again if it dies, see :class:`_Arbiter`); it stops
    when the server stops, and on its own if the server dies without stopping it."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.stopping = False

    def start(self, _arbiter: object = None) -> None:
        command = [sys.executable, "-m", "portal", "work", "--parent", str(os.getpid())]
        self.process = subprocess.Popen(command)

    def keep_running(self) -> None:
        # poll() also sees an exit the arbiter reaped (it waits for any child).
        if self.stopping or self.process is None or self.process.poll() is None:
            return
        log.warning(
            "portal work (pid %s) exited with %s; starting it again",
            self.process.pid,
            self.process.returncode,
        )
        self.start()

    def stop(self, _arbiter: object = None) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _settled_worker(_worker: object) -> None:
    """Everything a worker has loaded before its first request lives as long as it does;
    moved out of the collector's sight, a full collection no longer walks it all."""
    gc.freeze()


def serve(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in the foreground until interrupted, with one consumer process."""
    consumers = ConsumerProcess()
    options = {
        "when_ready": consumers.start,
        "on_exit": consumers.stop,
        "post_worker_init": _settled_worker,
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 30,
        "graceful_timeout": 10,
    }
    _Gunicorn(create_app(settings), options, consumers).run()
