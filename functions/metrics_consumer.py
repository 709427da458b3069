"""The metrics consumer: counts what the event log says into the health figures' counters
(the rules are :mod:`functions.metric_rules`), a batch at a time, and saves its cursor in the
same transaction as the counts, so nothing is counted twice or lost when it stops."""

from __future__ import annotations

from collections.abc import Sequence

from functions.metric_rules import Known, fold, month
from functions.store import Event, Store
from search_index.analyzers import words

CONSUMER = "metrics"
BATCH = 500  # events counted in one transaction (fewer commits when catching up)


def handle(store: Store, events: Sequence[Event], after: str | None, cursor: str | None) -> None:
    """Count ``events`` and move the cursor from ``after`` to ``cursor``, in one write (or
    nothing, if another runner counted them first)."""
    question_ids = {event.question_id for event in events if event.question_id is not None}
    topics = store.question_topics(
        [
            event.entity_id
            for event in events
            if event.kind == "asked"
            or (event.entity == "question" and event.kind in ("deleted", "undeleted", "shown"))
        ]
    )
    pairs = {(month(event.at), event.actor_id) for event in events if event.actor_id is not None}
    known = Known(
        clocks=store.question_clocks(sorted(question_ids)),
        titles={question_id: title for question_id, (title, _) in topics.items()},
        active=store.seen_active(sorted(pairs)),
        tags={question_id: tags for question_id, (_, tags) in topics.items()},
    )
    store.apply_metrics(fold(events, known, words), CONSUMER, after, cursor)
