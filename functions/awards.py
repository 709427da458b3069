"""The awards consumer: books what the event log earns each member (the rules are
:mod:`functions.engagement_rules`, the numbers ``site_config/gamification.yml``), a batch at
a time, and saves its cursor in the same transaction as the ledger entries, members'
numbers and badges, so nothing is booked twice or lost when it stops. Each badge is
awarded once (the store keeps it unique, whatever arrives twice); its ``awarded`` event
tells the notifications consumer, which tells the member.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.gamification import Programme, programme
from functions.engagement_rules import Known, fold, needs
from functions.store import Event, Store

CONSUMER = "awards"
BATCH = 2000  # events booked in one transaction (fewer, larger commits when catching up)


def known_for(store: Store, events: Sequence[Event]) -> Known:
    """What the store holds that folding ``events`` needs, in a few reads."""
    wanted = needs(events)
    booked: dict[tuple[int, str], int] = {}
    undone: dict[tuple[int, str], int] = {}
    keys_on: dict[str, set[tuple[int, str]]] = {}
    for row in store.booked(sorted(wanted.keys), sorted(wanted.posts)):
        booked[(row.user_id, row.key)] = row.points
        undone[(row.user_id, row.key)] = row.undone
        if row.post is not None:
            keys_on.setdefault(row.post, set()).add((row.user_id, row.key))
    answers = store.answer_scores(sorted(wanted.answer_ids))
    users = wanted.users | {author for author, _ in answers.values()}
    return Known(
        booked=booked,
        undone=undone,
        keys_on=keys_on,
        stats=store.member_stats(sorted(users), sorted(wanted.periods)),
        tags={
            question_id: tags
            for question_id, (_, tags) in store.question_topics(sorted(wanted.question_ids)).items()
        },
        answers=answers,
        done=store.entries_of(sorted({event.id for event in events})),
    )


def handle(
    store: Store,
    events: Sequence[Event],
    after: str | None,
    cursor: str | None,
    rules: Programme | None = None,
) -> None:
    """Book ``events`` and move the cursor from ``after`` to ``cursor``, in one write (or
    nothing, if another runner booked them first)."""
    update = fold(events, known_for(store, events), rules or programme())
    store.apply_awards(update, CONSUMER, after, cursor)
