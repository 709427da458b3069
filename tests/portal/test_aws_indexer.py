"""The indexer on Lambda (portal/aws_indexer.py) against moto's server over HTTP: DynamoDB
for the store, S3 for the index snapshots, the content and the site, CloudFront for the
invalidation. A promotion becomes a page in the site bucket and a search result in the
next snapshot; taking it back removes both."""

from __future__ import annotations

import dataclasses
import uuid

import boto3
import pytest
from aws_testing import new_table_name
from portal_testing import PortalPaths, small_content

from functions.store import open_store
from functions.store.dynamodb import create_table
from portal.aws_indexer import AwsIndexer
from search_index.query import SearchIndex
from search_index.snapshots import SnapshotLoader, index_bucket
from site_config.build import build
from site_config.deploy import deploy

DAY = "2026-11-01T00:00:00Z"


def new_bucket(kind: str) -> str:
    name = f"{kind}-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def new_distribution() -> str:
    answer = boto3.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Comment": "indexer tests",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
            },
        }
    )
    return answer["Distribution"]["Id"]


pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def deployed(tmp_path):
    """A portal deployed as `portal build` + `portal deploy` leave it: the site in its
    bucket, the index's first snapshot in the index bucket, an empty content bucket."""
    paths = PortalPaths.under(tmp_path / "build")
    small_content(paths.content)
    table = new_table_name()
    create_table(table)
    settings = dataclasses.replace(
        paths.settings(),
        store=f"dynamodb://{table}",
        site_bucket=new_bucket("site"),
        index_bucket=new_bucket("index"),
        content_bucket=new_bucket("content"),
        distribution_id=new_distribution(),
    )
    build(settings, say=lambda line: None)
    dry: list[str] = []
    deploy(settings, dry_run=True, say=dry.append)
    assert any(line.startswith("index ") for line in dry)
    assert keys(settings.index_bucket) == set()  # a dry run sends nothing
    said: list[str] = []
    deploy(settings, dry_run=False, say=said.append)
    assert "snapshots/latest.json" in keys(settings.index_bucket)
    assert any(line.startswith("published   search index snapshot") for line in said)
    return settings


def keys(bucket: str) -> set[str]:
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def invalidated(distribution: str) -> set[str]:
    cloudfront = boto3.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    paths = set()
    for item in listed.get("Items", []):
        batch = cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
        paths |= set(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    return paths


def searched(tmp_path, settings, words: str) -> list[str]:
    """What a search container finds once it has loaded the newest snapshot."""
    folder = tmp_path / f"search-{uuid.uuid4().hex[:6]}" / "index"
    loader = SnapshotLoader(folder, index_bucket(settings.index_bucket), check_seconds=0)
    assert loader.refresh()
    return [hit.url for hit in SearchIndex(folder).search(words, lang="en").items]


def test_a_promotion_is_published_to_the_buckets_and_searchable_then_taken_back(
    request, tmp_path, deployed
):
    store = open_store(deployed.store)
    asha, ravi, mod = (
        store.create_user(name, f"{name}@example.com", "hash", role, DAY)
        for name, role in (("asha", "member"), ("ravi", "member"), ("mod", "moderator"))
    )
    question_id = store.create_question(
        asha.id, "Earbuds will not pair", "B", "<p>B</p>", "B", ["audio"], "en", DAY
    )
    answer_id = store.create_answer(
        question_id, ravi.id, "Reset them", "<p>Hold both buttons for ten seconds.</p>", DAY
    )
    store.accept_answer(question_id, answer_id, asha.id, DAY)
    indexer = AwsIndexer(deployed, tmp_path / "lambda")
    request.addfinalizer(indexer.close)

    first = indexer.run()
    assert first["changes"] >= 1 and first["snapshot"]
    assert "en/community/question/?id=" + str(question_id) in searched(
        tmp_path, deployed, "earbuds pair"
    )

    store.promote(
        answer_id, "en", "Pairing earbuds", "Reset them.", ["audio"], DAY, actor_id=mod.id
    )
    promoted = indexer.run()
    assert promoted["events_published"] >= 1
    source = f"en/community/answer-{answer_id}.md"
    page = f"en/community/answer-{answer_id}/index.html"
    assert source in keys(deployed.content_bucket)
    assert page in keys(deployed.site_bucket)
    assert f"/{page}" in invalidated(deployed.distribution_id)
    assert f"en/community/answer-{answer_id}/" in searched(tmp_path, deployed, "pairing earbuds")[0]
    other_languages = {key for key in keys(deployed.site_bucket) if key.startswith("ru/")}
    assert other_languages  # untouched: only the promoted page's language was built

    nothing = indexer.run()
    assert nothing == {"changes": 0, "events_published": 0, "snapshot": None}

    store.unpromote(answer_id, DAY, actor_id=mod.id, reason="outdated")
    indexer.run()
    assert source not in keys(deployed.content_bucket)
    assert page not in keys(deployed.site_bucket)
    assert not any(
        f"answer-{answer_id}" in url for url in searched(tmp_path, deployed, "pairing earbuds")
    )

    # A new container starts from the newest snapshot and the content bucket.
    indexer.close()  # the container is gone
    fresh = AwsIndexer(deployed, tmp_path / "lambda-2")
    request.addfinalizer(fresh.close)
    assert fresh.run()["changes"] == 0
