"""The consumers on Lambda (functions/stream.py), woken by the table's real stream records:
the DynamoDB store on moto's server, its stream read through DynamoDB Streams' own API, and
email through a real SMTP server on loopback."""

from __future__ import annotations

import dataclasses

import boto3
import pytest
from aws_testing import new_table_name
from conftest import Inbox
from portal_testing import PortalPaths

from functions import stream
from functions.store import open_store
from functions.store.dynamodb import create_table

NOW = "2026-12-02T10:00:00Z"


pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def table():
    name = new_table_name()
    create_table(name)
    yield name
    boto3.client("dynamodb").delete_table(TableName=name)


def stream_records(table: str, after: str | None = None) -> list[dict]:
    """The stream's records since ``after`` (a sequence number), as Lambda is handed them."""
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        got = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        records += [{**r, "eventSourceARN": arn, "awsRegion": "us-east-1"} for r in got]
    if after is not None:
        records = [r for r in records if r["dynamodb"]["SequenceNumber"] > after]
    return records


def test_new_events_wake_the_consumers_and_other_changes_do_not(tmp_path, table, smtp):
    inbox = Inbox()
    settings = dataclasses.replace(
        PortalPaths.under(tmp_path).settings(),
        store=f"dynamodb://{table}",
        smtp_url=smtp(inbox),
        site_url="https://help.example.com/",
    )
    store = open_store(settings.store)
    asha = store.create_user("asha", "asha@example.com", "hash", "member", NOW)
    ravi = store.create_user("ravi", "ravi@example.com", "hash", "member", NOW)
    question_id = store.create_question(
        asha.id, "Battery drains overnight", "Body", "<p>Body</p>", "Body", ["battery"], "en", NOW
    )
    answer_id = store.create_answer(question_id, ravi.id, "Turn off sync", "<p>x</p>", NOW)
    store.accept_answer(question_id, answer_id, asha.id, NOW)
    records = stream_records(table)
    assert any(r["dynamodb"]["Keys"]["PK"]["S"].startswith("events#") for r in records)

    consumers = stream.StreamConsumers(settings, store)
    done = consumers.run(records)
    assert done["notifications"] >= 4 and done["awards"] >= 4 and done["metrics"] >= 4
    assert done["mail"] >= 1
    (note,) = [n for n in store.notifications(asha.id).items if n.kind == "answer"]
    assert note.question_id == question_id
    assert store.user_by_id(ravi.id).reputation > 0  # the accepted answer's points
    assert "asha@example.com" in inbox.to()

    # Records of items that are not events (a view counted) wake nobody; a batch again
    # (Lambda retries it) finds every consumer caught up.
    seen = max(r["dynamodb"]["SequenceNumber"] for r in stream_records(table))
    store.count_view(question_id)
    only_view = stream_records(table, after=seen)
    assert only_view and not any(stream._is_event(r) for r in only_view)
    assert consumers.run(only_view) == {}
    again = consumers.run(records)
    assert all(count == 0 for name, count in again.items() if name != "mail")
    sent = len(inbox.messages)
    consumers.run(None)  # the schedule: only mail that is due
    assert len(inbox.messages) == sent
