"""What every part of the DynamoDB store shares: the table and its shape, ids, events,
transactions and list cursors.

The store is one table (see ``layout.py`` for every item's keys). Each area of the contract
is a mixin of its own module (users, posts, moderation, inbox, health, engagement, events);
:class:`functions.store.dynamodb.DynamoDBStore` puts them together over this base.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from core.aws import AwsError
from core.aws.dynamodb import ConditionFailed, Item, Table, check, delete, put, update
from functions.store.contract import MODERATION_KINDS, BadCursor, StoreError
from functions.store.dynamodb import layout
from functions.store.ids import new_id

__all__ = [
    "EXISTS",
    "NEW",
    "Base",
    "ConditionFailed",
    "Item",
    "WrongShape",
    "check",
    "delete",
    "put",
    "update",
]

NEW = "attribute_not_exists(PK)"  # the condition of a put that makes a new item
EXISTS = "attribute_exists(PK)"  # ... and of a write to an item that must be there
ID_DRAWS = 5  # a new item whose id was taken (1 in 4096 in the same millisecond) draws again


class WrongShape(StoreError):
    """The table named by PORTAL_STORE is not shaped as the store needs."""


class Base:
    """The table, and the helpers every area of the store writes with."""

    def __init__(self, table_name: str, *, check_shape: bool = True) -> None:
        self.table_name = table_name
        self.table = Table(table_name)
        if check_shape:
            problem = layout.shape_problem(self.table.describe(), table_name)
            if problem:
                raise WrongShape(problem)

    def close(self) -> None:
        """Nothing to close: boto3's client keeps its connections in a pool."""

    # Ids

    @staticmethod
    def new_id() -> int:
        return new_id()

    def transact_new(self, build: Callable[[int], Sequence[Mapping[str, Any]]]) -> int:
        """Write ``build(new_id)``'s transaction, whose first write puts the new item under
        ``attribute_not_exists(PK)``; drawn again if the id was taken. The id."""
        for _ in range(ID_DRAWS):
            item_id = self.new_id()
            try:
                self.transact(build(item_id))
            except ConditionFailed as failed:
                if failed.failed == [0]:
                    continue
                raise
            return item_id
        raise RuntimeError(f"no free id for a new item after {ID_DRAWS} draws")

    # Events

    def event(
        self,
        kind: str,
        entity: str,
        entity_id: int,
        question_id: int | None,
        at: str,
        *,
        actor: int | None,
        affected: int | None = None,
        **data: object,
    ) -> tuple[int, dict[str, Any]]:
        """An event's id, and the put that writes it (put it in the change's transaction).

        Its position in the log is taken now from the table's counter; if the transaction
        fails, :meth:`transact` marks the position void so readers need not wait for it.
        """
        seq = self.table.update(
            layout.EVENT_COUNTER,
            "ADD seq :one",
            params={":one": 1},
            returns="UPDATED_NEW",
        )["seq"]
        event_id = self.new_id()
        values: dict[str, Any] = {
            **layout.event_key(seq),
            "seq": seq,
            "id": event_id,
            "kind": kind,
            "entity": entity,
            "entity_id": entity_id,
            "question_id": question_id,
            "actor_id": actor,
            "affected_id": affected,
            "at": at,
            "data": dict(data),
            "written_ms": time.time_ns() // 1_000_000,
        }
        if kind in MODERATION_KINDS and actor is not None:
            values.update(layout.moderation_log_keys(seq, kind, entity, entity_id, actor))
        return event_id, put(values, NEW)

    # Transactions

    def transact(self, writes: Sequence[Mapping[str, Any]]) -> None:
        """Up to 100 writes, all or none (:class:`ConditionFailed` names those whose
        condition failed). Event positions in a failed transaction are marked void."""
        try:
            self.table.transact(writes)
        except (ConditionFailed, AwsError):
            self._void(writes)
            raise

    def _void(self, writes: Iterable[Mapping[str, Any]]) -> None:
        for write in writes:
            pk = write.get("Put", {}).get("Item", {}).get("PK", {}).get("S", "")
            if pk.startswith(layout.EVENT_PREFIX):
                seq = int(write["Put"]["Item"]["seq"]["N"])
                with contextlib.suppress(ConditionFailed):  # it was written after all
                    self.table.put(
                        {
                            **layout.event_key(seq),
                            "seq": seq,
                            "void": True,
                            "written_ms": time.time_ns() // 1_000_000,
                        },
                        "attribute_not_exists(PK)",
                    )

    # Reads

    def get(self, key: Mapping[str, Any]) -> Item | None:
        return self.table.get(key)

    def get_many(self, keys: Iterable[Mapping[str, Any]]) -> list[Item]:
        return self.table.get_many(keys)


# List cursors: a page's LastEvaluatedKey, as an opaque string the client hands back.


def encode_cursor(last_key: Mapping[str, Any] | None) -> str | None:
    if last_key is None:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, partition: Mapping[str, str]) -> dict[str, Any] | None:
    """The start key a cursor names; :class:`BadCursor` unless it is a key of the list being
    read (``partition``: the partition key's attribute and value, such as ``{"GSI1PK":
    "list#newest#all"}``)."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as error:
        raise BadCursor(cursor) from error
    if not isinstance(key, dict) or not key or len(key) > 4:
        raise BadCursor(cursor)
    for name, found in key.items():
        if name not in layout.KEY_ATTRIBUTES or not isinstance(found, str | int):
            raise BadCursor(cursor)
        if isinstance(found, bool) or (isinstance(found, str) and len(found) > 1024):
            raise BadCursor(cursor)
    for name, expected in partition.items():
        if key.get(name) != expected:
            raise BadCursor(cursor)
    return key


def chunks(writes: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [writes[start : start + size] for start in range(0, len(writes), size)]
