"""The event log's consumers: each reads the log from its own saved cursor, and each is
idempotent, so handling an event twice changes nothing.

A consumer is a name and a handler of events, a batch at a time. :func:`run_batch` hands it
the events after its cursor and saves the cursor once the batch is handled. A consumer
killed midway starts again from the last saved cursor and meets a few events twice, which
its idempotence makes harmless. In AWS the same handlers run from DynamoDB Streams, whose
position is the cursor, so the cursor is the store's opaque string and never a number the
consumer reads.

A consumer whose writes cannot be keyed by their event (counters: the metrics) saves its
cursor itself, in the same transaction as the batch's changes (``saves_cursor``), so a batch
counts once whenever the consumer stops.

The search feed is a consumer too, but keeps its cursor inside the index it writes
(:mod:`search_index.live`), committed with the changes it covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.settings import Settings
from functions import awards, metrics_consumer, notify
from functions.store import Store
from search_index.pages import PageDirectory

BATCH = 100  # events a consumer takes at a time


@dataclass(frozen=True)
class Consumer:
    name: str  # the key its cursor is saved under
    handle: Callable[..., None]  # (store, page): a batch in order, and the cursor after it
    # The handler saves the cursor with its own writes; it gets the cursor the batch began
    # from too: (store, page, after).
    saves_cursor: bool = False
    batch: int = BATCH  # events it takes at a time


AWARDS = Consumer(
    awards.CONSUMER,
    lambda store, page, after: awards.handle(store, page.events, after, page.cursor),
    saves_cursor=True,
    batch=awards.BATCH,
)
METRICS = Consumer(
    metrics_consumer.CONSUMER,
    lambda store, page, after: metrics_consumer.handle(store, page.events, after, page.cursor),
    saves_cursor=True,
    batch=metrics_consumer.BATCH,
)


def consumers(settings: Settings) -> list[Consumer]:
    """Every consumer that keeps its cursor in the store, in the order they run."""
    site_url = settings.site_url if settings.smtp_url else None
    pages = PageDirectory(settings.index_dir)
    return [
        AWARDS,  # first: the badges it awards are news for the consumers after it
        Consumer(
            "notifications",
            lambda store, page: notify.handle(store, page.events, site_url, pages.get),
        ),
        METRICS,
    ]


def run_batch(store: Store, consumer: Consumer, limit: int | None = None) -> int:
    """Handle the next events after the consumer's cursor (its batch of them, or
    ``limit``); how many there were."""
    after = store.consumer_cursor(consumer.name)
    page = store.events_after(after, limit or consumer.batch)
    if page.events:
        if consumer.saves_cursor:
            consumer.handle(store, page, after)
        else:
            consumer.handle(store, page)
            store.save_consumer_cursor(consumer.name, page.cursor)
    return len(page.events)


def catch_up(store: Store, consumer: Consumer) -> int:
    """Handle every event the consumer has not seen yet; how many there were."""
    handled = 0
    while count := run_batch(store, consumer):
        handled += count
    return handled
