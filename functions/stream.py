"""The event consumers on AWS Lambda (``template.yaml``'s ConsumersFunction, handler
``functions.stream.handler``), run by the table's stream.

On one machine ``portal work`` loops over the consumers. On Lambda the stream wakes this
function when events are written (its filter passes only new items under ``events#``), and
it does what one ``portal work`` pass does until nothing is left: each consumer (awards,
notifications, metrics) reads the log from its own cursor in the store, then the mail that
is due is sent. A schedule runs it every few minutes too, so that mail which failed is tried
again while no events come. The records only say *that* something happened: what happened, and in
which order, is read from the log, so a retried batch, a batch split in two, or records of
events another invocation already handled change nothing (the consumers are idempotent and
their cursors are compare-and-set).

No thread outlives the invocation and nothing is kept on disk but a copy of the index's
page directory (for the titles of pages readers voted on), loaded from the newest index
snapshot when ``PORTAL_INDEX_BUCKET`` is set. Expired items leave with the table's TTL.
"""

from __future__ import annotations

import logging
from typing import Any

from core.settings import Settings
from core.settings import settings as process_settings
from functions import consumers
from functions.mail import Mailer, deliver_due
from functions.store import Store, open_store
from functions.store.dynamodb import layout

log = logging.getLogger(__name__)


class StreamConsumers:
    """One container's consumers: made at init, run once per stream batch."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.store = store or open_store(settings.store)
        self.consumers = consumers.consumers(settings)
        self.mailer = Mailer(settings.smtp_url, settings.mail_from) if settings.smtp_url else None
        self.loader = None
        if settings.index_bucket:
            from search_index.snapshots import SnapshotLoader, index_bucket

            self.loader = SnapshotLoader(settings.index_dir, index_bucket(settings.index_bucket))

    def run(self, records: list[dict[str, Any]] | None) -> dict[str, int]:
        """Catch every consumer up, then send the mail that is due; what each did. ``records``
        of the stream (nothing to do unless one is a new event), or None for the schedule
        that retries mail which failed while no events came."""
        if records is not None and not any(_is_event(record) for record in records):
            return {}
        if self.loader is not None:
            self.loader.refresh()
        done = {
            consumer.name: consumers.catch_up(self.store, consumer) for consumer in self.consumers
        }
        if self.mailer is not None:
            sent = 0
            while tried := deliver_due(self.store, self.mailer):
                sent += tried
            done["mail"] = sent
        return done


def _is_event(record: dict[str, Any]) -> bool:
    keys = record.get("dynamodb", {}).get("Keys", {})
    return record.get("eventName") == "INSERT" and keys.get("PK", {}).get("S", "").startswith(
        layout.EVENT_PREFIX
    )


_container: StreamConsumers | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """The Lambda entry point: a batch of the table's stream records."""
    global _container
    if _container is None:
        _container = StreamConsumers(process_settings())
    done = _container.run(event.get("Records"))  # none: the schedule's event
    log.info("stream batch handled: %s", done)
    return done
