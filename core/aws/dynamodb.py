"""Amazon DynamoDB: one table's items, read and written with plain Python values.

Items are dicts of ``str``, ``int``, ``float``, ``bool``, ``None``, lists and dicts; this
module turns them into DynamoDB's typed attribute values and back (a Number comes back as an
``int`` when it is whole). Every call goes through :func:`core.aws.translated`, but for a
condition that failed, which is the store's business: :class:`ConditionFailed` says which
of a transaction's writes failed, and :class:`TooBusy` that a transaction met another.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from core.aws import AwsError, client, translated

Item = dict[str, Any]
BATCH_GET = 100  # the most keys one BatchGetItem takes
BATCH_WRITE = 25  # the most writes one BatchWriteItem takes
TRANSACTION = 100  # the most writes one TransactWriteItems takes


class ConditionFailed(Exception):
    """A write's condition did not hold; ``failed`` are the positions of the writes (in a
    transaction) whose condition failed, ``items`` the items they met (when asked for)."""

    def __init__(self, failed: Sequence[int], items: Sequence[Item | None] = ()) -> None:
        super().__init__(f"condition failed on write {list(failed)}")
        self.failed = list(failed)
        self.items = list(items)


class TooBusy(AwsError):
    """A transaction kept meeting others on the same items."""


def value(plain: Any) -> dict[str, Any]:
    """DynamoDB's attribute value for a plain one."""
    if isinstance(plain, str):
        return {"S": plain}
    if isinstance(plain, bool):
        return {"BOOL": plain}
    if isinstance(plain, int | float):
        return {"N": repr(plain)}
    if plain is None:
        return {"NULL": True}
    if isinstance(plain, Mapping):
        return {"M": {key: value(inner) for key, inner in plain.items()}}
    if isinstance(plain, list | tuple):
        return {"L": [value(inner) for inner in plain]}
    raise TypeError(f"cannot store a {type(plain).__name__} in DynamoDB")


def plain(attribute: Mapping[str, Any]) -> Any:
    """The plain value of a DynamoDB attribute value."""
    ((kind, inner),) = attribute.items()
    if kind == "S":
        return inner
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else float(inner)
    if kind == "BOOL":
        return inner
    if kind == "NULL":
        return None
    if kind == "M":
        return {key: plain(item) for key, item in inner.items()}
    if kind == "L":
        return [plain(item) for item in inner]
    if kind == "SS":
        return set(inner)
    if kind == "NS":
        return {int(n) if n.lstrip("-").isdigit() else float(n) for n in inner}
    raise TypeError(f"unexpected DynamoDB attribute type {kind}")


def item(values: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict as a DynamoDB item (None values are left out)."""
    return {key: value(inner) for key, inner in values.items() if inner is not None}


def from_item(attributes: Mapping[str, Any] | None) -> Item | None:
    return None if attributes is None else {k: plain(v) for k, v in attributes.items()}


def _names_values(
    names: Mapping[str, str] | None, values: Mapping[str, Any] | None
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if names:
        found["ExpressionAttributeNames"] = dict(names)
    if values:
        found["ExpressionAttributeValues"] = {k: value(v) for k, v in values.items()}
    return found


def put(
    values: Mapping[str, Any],
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A put, as one write of :meth:`Table.transact` (``condition`` must hold)."""
    write: dict[str, Any] = {"Item": item(values), **_names_values(names, params)}
    if condition:
        write["ConditionExpression"] = condition
    return {"Put": write}


def update(
    key: Mapping[str, Any],
    expression: str,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An update (``SET a = :a ADD n :one``) of the item at ``key``."""
    write: dict[str, Any] = {
        "Key": item(key),
        "UpdateExpression": expression,
        **_names_values(names, params),
    }
    if condition:
        write["ConditionExpression"] = condition
    return {"Update": write}


def delete(
    key: Mapping[str, Any],
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    write: dict[str, Any] = {"Key": item(key), **_names_values(names, params)}
    if condition:
        write["ConditionExpression"] = condition
    return {"Delete": write}


def check(
    key: Mapping[str, Any],
    condition: str,
    names: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A condition on another item that the transaction's writes need."""
    return {
        "ConditionCheck": {
            "Key": item(key),
            "ConditionExpression": condition,
            **_names_values(names, params),
        }
    }


class Table:
    """One table, by name; a client made once and shared (boto3 clients are thread-safe)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._client = client("dynamodb")
        self._missing = {
            "ResourceNotFoundException": (
                f"There is no DynamoDB table named {name!r}: create it with "
                "`portal store init`, or set PORTAL_STORE to dynamodb://<an existing table>."
            )
        }

    # The table itself

    def describe(self) -> dict[str, Any] | None:
        """The table's description, or None when there is no such table."""
        try:
            with translated(f"describing table {self.name!r}"):
                return self._client.describe_table(TableName=self.name)["Table"]
        except AwsError as error:
            if isinstance(error.__cause__, ClientError) and _code(error.__cause__) == (
                "ResourceNotFoundException"
            ):
                return None
            raise

    def create(self, shape: Mapping[str, Any], ttl_attribute: str | None) -> None:
        """Create the table (``shape``: CreateTable's arguments but the name) and wait."""
        with translated(f"creating table {self.name!r}"):
            self._client.create_table(TableName=self.name, **shape)
            self._client.get_waiter("table_exists").wait(
                TableName=self.name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
            )
            if ttl_attribute:
                self._client.update_time_to_live(
                    TableName=self.name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
                )

    def drop(self) -> None:
        with translated(f"deleting table {self.name!r}", self._missing):
            self._client.delete_table(TableName=self.name)

    # Reads

    def get(self, key: Mapping[str, Any], consistent: bool = True) -> Item | None:
        with translated(f"reading table {self.name!r}", self._missing):
            found = self._client.get_item(
                TableName=self.name, Key=item(key), ConsistentRead=consistent
            )
        return from_item(found.get("Item"))

    def get_many(self, keys: Iterable[Mapping[str, Any]], consistent: bool = True) -> list[Item]:
        """The items at ``keys`` that exist, in no particular order."""
        unique = {tuple(sorted(key.items())): key for key in keys}
        pending = [item(key) for key in unique.values()]
        found: list[Item] = []
        while pending:
            batch, pending = pending[:BATCH_GET], pending[BATCH_GET:]
            request = {self.name: {"Keys": batch, "ConsistentRead": consistent}}
            for attempt in range(8):
                with translated(f"reading table {self.name!r}", self._missing):
                    answer = self._client.batch_get_item(RequestItems=request)
                found += [from_item(raw) for raw in answer["Responses"].get(self.name, [])]
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.05 * 2**attempt)
            else:
                raise TooBusy(f"DynamoDB kept leaving reads of {self.name!r} unprocessed.")
        return found

    def query(
        self,
        condition: str,
        params: Mapping[str, Any],
        *,
        index: str | None = None,
        names: Mapping[str, str] | None = None,
        forward: bool = True,
        limit: int | None = None,
        start: Mapping[str, Any] | None = None,
        filter: str | None = None,
        consistent: bool = False,
    ) -> tuple[list[Item], Item | None]:
        """One page of a query: its items, and the key to start the next page from (None
        at the end). Reads on the table itself are consistent when asked; on an index never."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ScanIndexForward": forward,
            **_names_values(names, params),
        }
        if index:
            request["IndexName"] = index
        elif consistent:
            request["ConsistentRead"] = True
        if limit:
            request["Limit"] = limit
        if start:
            request["ExclusiveStartKey"] = item(start)
        if filter:
            request["FilterExpression"] = filter
        with translated(f"reading table {self.name!r}", self._missing):
            answer = self._client.query(**request)
        last = from_item(answer.get("LastEvaluatedKey"))
        return [from_item(raw) for raw in answer.get("Items", [])], last

    def query_all(
        self, condition: str, params: Mapping[str, Any], **options: Any
    ) -> Iterator[Item]:
        """Every item of a query, a page at a time (``limit`` is the page size)."""
        start = None
        while True:
            items, start = self.query(condition, params, start=start, **options)
            yield from items
            if start is None:
                return

    def count(
        self,
        condition: str,
        params: Mapping[str, Any],
        *,
        index: str | None = None,
        consistent: bool = False,
    ) -> int:
        """How many items a query finds, counted by DynamoDB (``Select=COUNT``, a page at
        a time): only the number comes back."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "Select": "COUNT",
            **_names_values(None, params),
        }
        if index:
            request["IndexName"] = index
        elif consistent:
            request["ConsistentRead"] = True
        total = 0
        while True:
            with translated(f"reading table {self.name!r}", self._missing):
                answer = self._client.query(**request)
            total += answer["Count"]
            if "LastEvaluatedKey" not in answer:
                return total
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    # Writes

    def put(self, values: Mapping[str, Any], condition: str | None = None, **extra: Any) -> None:
        self.write(put(values, condition, **extra))

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        returns: str = "NONE",
    ) -> Item | None:
        """Update one item; with ``returns`` (``ALL_NEW``, ``UPDATED_NEW``...) its values."""
        request = update(key, expression, condition, names, params)["Update"]
        with translated(f"writing to table {self.name!r}", self._missing):
            try:
                answer = self._client.update_item(
                    TableName=self.name, ReturnValues=returns, **request
                )
            except ClientError as error:
                if _code(error) == "ConditionalCheckFailedException":
                    raise ConditionFailed([0]) from None
                raise
        return from_item(answer.get("Attributes"))

    def write(self, one: Mapping[str, Any]) -> None:
        """One write built by :func:`put`, :func:`update` or :func:`delete`, alone."""
        ((kind, request),) = one.items()
        call = {
            "Put": self._client.put_item,
            "Update": self._client.update_item,
            "Delete": self._client.delete_item,
        }[kind]
        with translated(f"writing to table {self.name!r}", self._missing):
            try:
                call(TableName=self.name, **request)
            except ClientError as error:
                if _code(error) == "ConditionalCheckFailedException":
                    raise ConditionFailed([0]) from None
                raise

    def transact(self, writes: Sequence[Mapping[str, Any]], token: str | None = None) -> None:
        """Up to 100 writes, all or none. A failed condition raises :class:`ConditionFailed`;
        a transaction that met another is tried again a few times, then :class:`TooBusy`."""
        if not writes:
            return
        if len(writes) > TRANSACTION:
            raise ValueError(f"a transaction of {len(writes)} writes; at most {TRANSACTION}")
        if len(writes) == 1 and "ConditionCheck" not in writes[0]:
            self.write(writes[0])
            return
        request = [
            {kind: {"TableName": self.name, **inner} for kind, inner in write.items()}
            for write in writes
        ]
        for attempt in range(6):
            with translated(f"writing to table {self.name!r}", self._missing):
                try:
                    options = {"ClientRequestToken": token} if token else {}
                    self._client.transact_write_items(TransactItems=request, **options)
                    return
                except ClientError as error:
                    if _code(error) != "TransactionCanceledException":
                        raise
                    reasons = error.response.get("CancellationReasons") or []
                    codes = [reason.get("Code", "None") for reason in reasons]
                    failed = [i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"]
                    if failed:
                        raise ConditionFailed(
                            failed, [from_item(r.get("Item")) for r in reasons]
                        ) from None
                    if not any(
                        code in ("TransactionConflict", "ThrottlingError") for code in codes
                    ):
                        raise
            time.sleep(0.02 * 2**attempt)
        raise TooBusy(
            f"Writes to table {self.name!r} kept meeting other writes to the same items; "
            "try again in a moment."
        )

    def write_many(self, writes: Iterable[Mapping[str, Any]]) -> None:
        """Puts and deletes (no conditions), 25 a call, not as one transaction."""
        pending = [
            {"PutRequest": {"Item": w["Put"]["Item"]}}
            if "Put" in w
            else {"DeleteRequest": {"Key": w["Delete"]["Key"]}}
            for w in writes
        ]
        while pending:
            batch, pending = pending[:BATCH_WRITE], pending[BATCH_WRITE:]
            request = {self.name: batch}
            for attempt in range(8):
                with translated(f"writing to table {self.name!r}", self._missing):
                    answer = self._client.batch_write_item(RequestItems=request)
                request = answer.get("UnprocessedItems") or {}
                if not request:
                    break
                time.sleep(0.05 * 2**attempt)
            else:
                raise TooBusy(f"DynamoDB kept leaving writes to {self.name!r} unprocessed.")


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")
