"""``portal work``: run the event log's consumers and what they feed, in one loop.

Each pass hands every consumer its next events (notifications and their emails, and later
awards and metrics), sends the mail that is due, publishes answers promoted into the
knowledge base and applies community changes to the search index (when this process holds
the index's writer lock), and now and then forgets expired sign-in attempts and old sent
mail. A pass that found nothing to do sleeps
:data:`POLL_SECONDS`. There are no threads: in AWS the same consumers run from DynamoDB
Streams instead of this loop. ``portal serve`` starts one worker beside the web workers.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence

from whoosh.index import LockError

from core.settings import Settings
from functions import consumers, search_feed
from functions.mail import Mailer, deliver_due
from functions.store import Store, open_store, utcnow
from portal.publisher import Publisher
from search_index.live import LiveIndexer

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2  # how long an idle worker waits: a hidden post leaves search within a second
ERROR_PAUSE_SECONDS = 2.0  # after a step failed, before trying again
EXPIRY_EVERY_SECONDS = 60.0
EXPIRY_BATCH = 500  # expired rows deleted in one transaction

Step = Callable[[], int]


class Worker:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.store = store or open_store(settings.store)
        self._owns_store = store is None
        self.consumers = consumers.consumers(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from) if settings.smtp_url else None
        self.indexer = LiveIndexer(settings.index_dir, search_feed.change_source(self.store))
        self.publisher = Publisher(settings, self.store, self.indexer)
        self._next_expiry = 0.0

    def steps(self) -> list[Step]:
        steps: list[Step] = [
            (lambda consumer=consumer: consumers.run_batch(self.store, consumer))
            for consumer in self.consumers
        ]
        if self.mailer is not None:
            mailer = self.mailer
            steps.append(lambda: deliver_due(self.store, mailer))
        steps += [self.publisher.run_once, self._index, self._forget_expired]
        return steps

    def _index(self) -> int:
        if not self.indexer.acquire():
            return 0  # another process writes the index
        try:
            return self.indexer.run_once()
        except LockError:
            return 0  # a build is writing in the same folder; the next pass tries again

    def _forget_expired(self) -> int:
        if time.monotonic() < self._next_expiry:
            return 0
        self._next_expiry = time.monotonic() + EXPIRY_EVERY_SECONDS
        now = utcnow()
        while self.store.forget_expired(now, EXPIRY_BATCH) == EXPIRY_BATCH:
            pass  # a batch a transaction, until what has expired is gone
        return 0  # housekeeping is not work that calls for another pass at once

    def drain(self) -> int:
        """Run passes until one finds nothing to do; how much was done."""
        done = 0
        while worked := run_pass(self.steps()):
            done += worked
        return done

    def close(self) -> None:
        self.indexer.release()
        if self._owns_store:
            self.store.close()


def run_pass(steps: Sequence[Step]) -> int:
    """Run each step once; the work they did. A failing step is logged, not fatal."""
    worked = 0
    for step in steps:
        try:
            worked += step()
        except Exception:
            log.exception("A worker step failed; it will be tried again")
            time.sleep(ERROR_PAUSE_SECONDS)
    return worked


def run_until(
    steps: Sequence[Step], stop: Callable[[], bool], poll_seconds: float = POLL_SECONDS
) -> None:
    """Run passes until ``stop()`` says so, sleeping ``poll_seconds`` after an idle one."""
    while not stop():
        if not run_pass(steps):
            time.sleep(poll_seconds)


def work(settings: Settings, once: bool = False, parent: int | None = None) -> None:
    """``portal work``: run until interrupted (or, with ``once``, until nothing is left);
    with ``parent``, also stop when that process is gone."""
    worker = Worker(settings)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        if once:
            worker.drain()
            return

        def stop() -> bool:
            return stopping.is_set() or (parent is not None and os.getppid() != parent)

        run_until(worker.steps(), stop)
    except KeyboardInterrupt:
        pass
    finally:
        worker.close()
