"""The DynamoDB store's own promises, on moto's server over HTTP: `portal store init`, the
refusal of a table of another shape, and an event log read in position order although
writers commit out of it. (The contract itself is test_store_contract.py's, on both
backends.)"""

from __future__ import annotations

import boto3
import pytest
from aws_testing import AWS_UNSET, new_table_name
from portal_testing import PortalPaths, run_portal

from core.aws.dynamodb import ConditionFailed
from functions.store import UnsupportedStore, open_store
from functions.store.dynamodb import WrongShape, create_table, events, layout

NOW = "2026-12-02T10:00:00Z"


pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def store():
    name = new_table_name()
    create_table(name)
    opened = open_store(f"dynamodb://{name}")
    yield opened
    opened.close()
    opened.table.drop()


def test_portal_store_init_creates_the_table_once_and_check_accepts_it(tmp_path, aws):
    name = new_table_name()
    env = {**PortalPaths.under(tmp_path).environ(), **aws, "PORTAL_STORE": f"dynamodb://{name}"}
    for unset in AWS_UNSET:
        env.pop(unset, None)
    made = run_portal("store", "init", env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Created")
    again = run_portal("store", "init", env=env)
    assert again.returncode == 0 and again.stdout.startswith("Already there"), again.stderr
    checked = run_portal("store", "check", env=env)
    assert checked.returncode == 0 and "right shape" in checked.stdout
    described = boto3.client("dynamodb").describe_table(TableName=name)["Table"]
    assert layout.shape_problem(described, name) is None
    ttl = boto3.client("dynamodb").describe_time_to_live(TableName=name)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_a_table_of_another_shape_is_refused_with_what_to_do(tmp_path, aws):
    name = new_table_name()
    boto3.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    with pytest.raises(WrongShape, match=r"not keyed by PK .* `portal store init`"):
        open_store(f"dynamodb://{name}")
    with pytest.raises(WrongShape, match="not keyed by PK"):
        create_table(name)  # init never changes a table it did not make
    env = {**PortalPaths.under(tmp_path).environ(), **aws, "PORTAL_STORE": f"dynamodb://{name}"}
    for unset in AWS_UNSET:
        env.pop(unset, None)
    checked = run_portal("store", "check", env=env)
    assert checked.returncode == 1
    assert "not keyed by PK (hash) and SK (range)" in checked.stderr


def test_a_missing_index_or_table_and_a_bad_name_are_said_plainly():
    name = new_table_name()
    shape = {**layout.SHAPE}
    shape["GlobalSecondaryIndexes"] = [
        index for index in shape["GlobalSecondaryIndexes"] if index["IndexName"] != "Leaderboard"
    ]
    shape["AttributeDefinitions"] = [
        a for a in shape["AttributeDefinitions"] if not a["AttributeName"].startswith("Board")
    ]
    boto3.client("dynamodb").create_table(TableName=name, **shape)
    with pytest.raises(WrongShape, match="no global secondary index 'Leaderboard'"):
        open_store(f"dynamodb://{name}")
    with pytest.raises(WrongShape, match="There is no DynamoDB table named 'nowhere-table'"):
        open_store("dynamodb://nowhere-table")
    with pytest.raises(UnsupportedStore, match="3 to 255 letters"):
        open_store("dynamodb://a")


def signed_up(store, name: str) -> int:
    return store.create_user(name, f"{name}@example.com", "hash", "member", NOW).id


def test_a_failed_write_voids_its_position_and_readers_go_past_it(store):
    asha = signed_up(store, "asha")
    with pytest.raises(Exception, match="taken"):
        store.create_user("ASHA", "other@example.com", "hash", "member", NOW)
    ravi = signed_up(store, "ravi")
    page = store.events_after(None)
    assert [e.entity_id for e in page.events] == [asha, ravi]
    assert page.cursor == "3"  # position 2 was the refused sign-up's, void


def test_a_position_taken_but_not_yet_written_holds_readers_until_it_is(store, monkeypatch):
    asha = signed_up(store, "asha")
    _, late = store.event("signed_in", "user", asha, None, NOW, actor=asha)  # position 2
    ravi = signed_up(store, "ravi")  # position 3 commits first
    page = store.events_after(None)
    assert [e.entity_id for e in page.events] == [asha]  # waits at the gap
    store.transact([late])
    page = store.events_after(page.cursor)
    assert [(e.kind, e.entity_id) for e in page.events] == [
        ("signed_in", asha),
        ("signed_up", ravi),
    ]


def test_a_position_whose_writer_died_is_passed_once_later_events_are_old(store, monkeypatch):
    asha = signed_up(store, "asha")
    store.event("signed_in", "user", asha, None, NOW, actor=asha)  # never written: died
    ravi = signed_up(store, "ravi")
    assert [e.entity_id for e in store.events_after(None).events] == [asha]
    monkeypatch.setattr(events, "GAP_WAIT_MS", 0)
    assert [e.entity_id for e in store.events_after(None).events] == [asha, ravi]


def test_the_log_goes_on_across_partitions(store, monkeypatch):
    monkeypatch.setattr(layout, "EVENT_BUCKET", 3)
    ids = [signed_up(store, f"member{n}") for n in range(8)]
    found, cursor = [], None
    while page := store.events_after(cursor, limit=2):
        if not page.events:
            break
        found += [e.entity_id for e in page.events]
        cursor = page.cursor
    assert found == ids
    assert store.latest_cursor() == "8"


def test_a_write_that_meets_its_condition_false_changes_nothing(store):
    asha = signed_up(store, "asha")
    with pytest.raises(ConditionFailed):
        store.transact(
            [
                store.event("signed_in", "user", asha, None, NOW, actor=asha)[1],
                layout_claim_again("username", "asha", asha),
            ]
        )
    assert [e.kind for e in store.events_after(None).events] == ["signed_up"]


def layout_claim_again(field: str, value: str, user_id: int) -> dict:
    from core.aws.dynamodb import put

    return put({**layout.claim_key(field, value), "user_id": user_id}, "attribute_not_exists(PK)")
