"""The table's shape and the keys of its items: one table, keyed (``PK``, ``SK``) strings.

Every area of the store keeps its items under its own key prefixes, listed here, so two
areas never write one item but through the attributes named below. Numbers in sort keys are
zero-padded (``pad``) so that they sort as strings.

- member (its counters as attributes): ``user#<id>`` / ``profile``
- a username or email, taken: ``username#<casefold>``, ``email#<casefold>`` / ``claim``
- a password reset: ``reset#<token hash>`` / ``reset`` (TTL)
- an event: ``events#<seq // 100000>`` / ``<seq, padded>``; the moderators' log is GSI1
  (all), GSI2 (by moderator) and GSI3 (by post) of those events
- the events' counter: ``meta`` / ``event-seq``; a consumer's cursor: ``cursor#<name>`` /
  ``cursor``
- question, answer: ``question#<id>``, ``answer#<id>`` / ``post`` (posts.py)
- a question's list entries: ``question#<id>`` / ``list#<order>#<scope>``, in GSI1
  partition ``list#<order>#<scope>`` by its sort key (posts.py)
- votes, revisions, flags: the post's PK / ``vote#<member>``, ``revision#...``,
  ``flag#<member>`` (posts.py, moderation.py)
- followers, notifications, mail, attempts: ``question#<id>`` / ``follower#<member>``;
  ``user#<id>`` / ``note#...``; ``mail#<key>``; ``attempts#...`` (inbox.py)
- feedback, metrics, clocks, active members, metrics batches: ``feedback#...``,
  ``feedback-vote#...``, ``metric#...``, ``clock#...``, ``active#...``, ``batch#metrics#...``
  (health.py)
- ledger, numbers, awards, redemptions: ``user#<id>`` / ``ledger#...``, ``numbers#...``,
  ``stat#...`` (leaderboard points), ``award#...``; ``entries#...`` (entry claims);
  ``counter#ledger``; ``redemption#<id>``; ``stock`` / ``reward#...``; ``batch#awards#...``;
  the Leaderboard index (engagement.py)

The member's item is shared: posts move ``question_count`` and ``answer_count``,
moderation ``flags_upheld`` and ``flags_rejected``, the inbox ``unread_count``,
``read_through`` and ``notes_added``, engagement ``reputation``, ``balance``, ``gold``,
``silver``, ``bronze``; each with ``ADD`` or ``SET`` of its own attributes only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from functions.store.contract import parse_time

KEY_ATTRIBUTES = (
    "PK",
    "SK",
    "GSI1PK",
    "GSI1SK",
    "GSI2PK",
    "GSI2SK",
    "GSI3PK",
    "GSI3SK",
    "BoardPK",
    "BoardPoints",
)
INDEXES: dict[str, tuple[str, str]] = {
    "GSI1": ("GSI1PK", "GSI1SK"),
    "GSI2": ("GSI2PK", "GSI2SK"),
    "GSI3": ("GSI3PK", "GSI3SK"),
    "Leaderboard": ("BoardPK", "BoardPoints"),
}
PROJECTIONS = {"GSI1": "ALL", "GSI2": "ALL", "GSI3": "ALL", "Leaderboard": "KEYS_ONLY"}
TTL_ATTRIBUTE = "expires_at"  # epoch seconds

# CreateTable's arguments (but the name); template.yaml declares the same (a test checks).
SHAPE: dict[str, Any] = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "N" if name == "BoardPoints" else "S"}
        for name in KEY_ATTRIBUTES
    ],
    "KeySchema": [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": hash_key, "KeyType": "HASH"},
                {"AttributeName": range_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": PROJECTIONS[name]},
        }
        for name, (hash_key, range_key) in INDEXES.items()
    ],
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


def shape_problem(description: Mapping[str, Any] | None, name: str) -> str | None:
    """What is wrong with a table for this store, as a sentence; None when it fits."""
    if description is None:
        return (
            f"There is no DynamoDB table named {name!r}: create it with `portal store init`, "
            "or set PORTAL_STORE to dynamodb://<an existing table>."
        )
    fix = "Create a new table with `portal store init` and point PORTAL_STORE at it."
    keys = {k["AttributeName"]: k["KeyType"] for k in description.get("KeySchema", [])}
    if keys != {"PK": "HASH", "SK": "RANGE"}:
        return f"Table {name!r} is not keyed by PK (hash) and SK (range) strings. {fix}"
    types = {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]}
    indexes = {index["IndexName"]: index for index in description.get("GlobalSecondaryIndexes", [])}
    for index, (hash_key, range_key) in INDEXES.items():
        found = indexes.get(index)
        if found is None:
            return f"Table {name!r} has no global secondary index {index!r}. {fix}"
        schema = {k["AttributeName"]: k["KeyType"] for k in found["KeySchema"]}
        if schema != {hash_key: "HASH", range_key: "RANGE"}:
            return (
                f"Index {index!r} of table {name!r} is not keyed by {hash_key} and "
                f"{range_key}. {fix}"
            )
        projection = found.get("Projection", {}).get("ProjectionType")
        if projection != PROJECTIONS[index]:
            return (
                f"Index {index!r} of table {name!r} projects {projection}, not "
                f"{PROJECTIONS[index]}. {fix}"
            )
    for attribute in KEY_ATTRIBUTES:
        wanted = "N" if attribute == "BoardPoints" else "S"
        if types.get(attribute, wanted) != wanted:
            return f"Attribute {attribute} of table {name!r} is not of type {wanted}. {fix}"
    return None


def pad(number: int) -> str:
    """A non-negative id or count as a string that sorts as the number does."""
    return f"{number:016d}"


# Members


def user_key(user_id: int) -> dict[str, str]:
    return {"PK": f"user#{user_id}", "SK": "profile"}


def claim_key(field: str, value: str) -> dict[str, str]:
    """The item that holds a unique ``username`` or ``email`` (any case) for one member."""
    return {"PK": f"{field}#{value.casefold()}", "SK": "claim"}


# Posts


def post_key(kind: str, post_id: int) -> dict[str, str]:
    return {"PK": f"{kind}#{post_id}", "SK": "post"}


def list_partition(order: str, scope: str) -> str:
    """A question list's GSI1 partition: ``order`` newest, active, votes or unanswered;
    ``scope`` ``all``, ``lang:<lang>``, ``tag:<tag>`` or ``author:<id>``."""
    return f"list#{order}#{scope}"


# Events

EVENT_PREFIX = "events#"
EVENT_BUCKET = 100_000  # events per partition
EVENT_COUNTER = {"PK": "meta", "SK": "event-seq"}


def event_key(seq: int) -> dict[str, str]:
    return {"PK": f"{EVENT_PREFIX}{seq // EVENT_BUCKET}", "SK": pad(seq)}


def moderation_log_keys(
    seq: int, kind: str, entity: str, entity_id: int, actor: int
) -> dict[str, str]:
    """A moderator's event in the moderators' log: all of it (GSI1), by moderator (GSI2) and
    by post (GSI3), newest first by the log's order; by kind is a filter on GSI1."""
    return {
        "GSI1PK": "modlog",
        "GSI1SK": pad(seq),
        "GSI2PK": f"modlog#actor#{actor}",
        "GSI2SK": pad(seq),
        "GSI3PK": f"modlog#{entity}#{entity_id}",
        "GSI3SK": pad(seq),
    }


def cursor_key(consumer: str) -> dict[str, str]:
    return {"PK": f"cursor#{consumer}", "SK": "cursor"}


# Inbox: what expires. Attempts, sent mail (and anything else that should go soon after its
# time) sit in GSI2's ``expiring`` partition by expiry, where forget_expired finds them
# before the table's TTL (which may take days) removes them.

EXPIRING = "expiring"


def expiring(expires: str) -> dict[str, str | int]:
    """The attributes of an item that expires at ``expires`` (ISO time): its TTL
    (``expires_at``, epoch seconds) and its place in GSI2's ``expiring`` partition."""
    epoch = int(parse_time(expires).timestamp())
    return {"expires_at": epoch, "GSI2PK": EXPIRING, "GSI2SK": expires}
