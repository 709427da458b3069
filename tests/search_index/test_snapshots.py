"""Index snapshots in S3 (moto's server over HTTP): the writer publishes, search containers
load the newest, checking at most every few seconds, and keep their copy when S3 fails."""

from __future__ import annotations

import uuid

import boto3
import pytest
from conftest import question
from test_live import Outbox, urls, writer

from core import publish
from core.aws import AwsError
from search_index import snapshots
from search_index.snapshots import POINTER, SnapshotLoader, index_bucket, publish_snapshot

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def bucket():
    name = f"index-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return index_bucket(name)


@pytest.fixture
def written(tmp_path, make_index):
    """The writer's index, published as `portal build` publishes it."""
    target = tmp_path / "writer" / "index"
    with publish.staged(target) as out:
        make_index(folder=out, cursor=None)
    return target


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_container_loads_the_newest_snapshot_and_then_only_checks_every_few_seconds(
    tmp_path, written, bucket
):
    first = publish_snapshot(written, bucket)
    clock = Clock()
    local = tmp_path / "container" / "index"
    loader = SnapshotLoader(local, bucket, check_seconds=5, clock=clock)
    assert loader.refresh() is True and loader.version == first
    assert urls(local, "mail-in repairs") == ["en/faq/repair-time/#mail-in-repairs"]

    outbox = Outbox()
    live = writer(written, outbox)
    outbox.post(question(42, title="Earbuds will not pair with my laptop"))
    assert live.run_once() == 1
    second = publish_snapshot(written, bucket)
    assert second > first

    clock.now += 4.9
    assert loader.refresh() is False  # too soon to ask S3
    assert urls(local, "earbuds pair") == []
    clock.now += 0.2
    assert loader.refresh() is True and loader.version == second
    assert urls(local, "earbuds pair") == ["en/community/question/?id=42"]
    clock.now += 5
    assert loader.refresh() is False  # the pointer is unchanged: S3 answered 304
    live.release()


def test_only_the_newest_snapshots_are_kept(written, bucket):
    versions = [publish_snapshot(written, bucket, version=f"{n:013d}-v") for n in range(1, 6)]
    archives = [k for k in bucket.list_keys(snapshots.PREFIX) if k.endswith(".tar.gz")]
    assert archives == [f"snapshots/{v}.tar.gz" for v in versions[-snapshots.KEEP :]]
    body, _ = bucket.get(POINTER)
    assert versions[-1] in body.decode()


def test_a_broken_snapshot_or_an_unreachable_bucket_leaves_the_copy_it_had(
    tmp_path, written, bucket, monkeypatch
):
    publish_snapshot(written, bucket)
    clock = Clock()
    local = tmp_path / "container" / "index"
    loader = SnapshotLoader(local, bucket, check_seconds=0, clock=clock)
    assert loader.refresh()
    kept = loader.version
    bucket.put("snapshots/9999999999999-x.tar.gz", b"not gzip", content_type="x", cache_control="x")
    bucket.put(
        POINTER,
        b'{"version": "9999999999999-x", "key": "snapshots/9999999999999-x.tar.gz"}',
        content_type="application/json",
        cache_control="no-store",
    )
    assert loader.refresh() is False
    assert loader.version == kept
    assert urls(local, "mail-in repairs") == ["en/faq/repair-time/#mail-in-repairs"]

    def unreachable(*args, **kwargs):
        raise AwsError("Could not reach S3")

    monkeypatch.setattr(bucket, "get", unreachable)
    assert loader.refresh() is False
    assert urls(local, "mail-in repairs") == ["en/faq/repair-time/#mail-in-repairs"]


def test_nothing_published_yet_is_no_error(tmp_path, bucket):
    loader = SnapshotLoader(tmp_path / "index", bucket, check_seconds=0)
    assert loader.refresh() is False and loader.version is None
    with pytest.raises(FileNotFoundError, match="no published index"):
        publish_snapshot(tmp_path / "index", bucket)
