"""`portal deploy`: the plan's rules alone, then deploys to S3 and CloudFront on moto's server.

moto runs as a real server on loopback and boto3 reaches it over HTTP through
``AWS_ENDPOINT_URL``, exactly as it would reach AWS; nothing in boto3 is patched.
"""

from __future__ import annotations

import uuid

import boto3
import pytest
from portal_testing import PortalPaths, run_portal, small_content, write_page

from core import settings as settings_module
from site_config.build import build
from site_config.deploy import (
    ASSET_CACHE,
    FINGERPRINTED_CACHE,
    MAX_INVALIDATION_PATHS,
    PAGE_CACHE,
    DeployError,
    cache_control,
    content_type,
    deploy,
    invalidation_paths,
    plan,
    site_digests,
)

HTML, CSS, JS = (f"text/{kind}; charset=utf-8" for kind in ("html", "css", "javascript"))


@pytest.mark.parametrize(
    ("key", "kind", "cache"),
    [
        ("index.html", HTML, PAGE_CACHE),  # the root redirect
        ("en/404.html", HTML, PAGE_CACHE),
        ("en/faq/refunds/index.html", HTML, PAGE_CACHE),
        ("en/sitemap.xml", "application/xml; charset=utf-8", PAGE_CACHE),
        ("en/sitemap.xml.gz", "application/gzip", PAGE_CACHE),
        ("en/search/search_index.json", "application/json; charset=utf-8", PAGE_CACHE),
        ("site.webmanifest", "application/manifest+json; charset=utf-8", PAGE_CACHE),
        (
            "en/assets/javascripts/bundle.a5f9d56c.min.js",
            JS,
            FINGERPRINTED_CACHE,
        ),
        (
            "en/assets/javascripts/bundle.a5f9d56c.min.js.map",
            "application/json; charset=utf-8",
            FINGERPRINTED_CACHE,
        ),
        ("en/assets/stylesheets/main.57a0d79d.min.css", CSS, FINGERPRINTED_CACHE),
        ("en/assets/javascripts/lunr/min/lunr.ar.min.js", JS, ASSET_CACHE),
        ("en/assets/javascripts/community/core.js", JS, ASSET_CACHE),
        ("en/assets/stylesheets/portal.css", CSS, ASSET_CACHE),
        ("en/assets/images/favicon.png", "image/png", ASSET_CACHE),
        ("en/assets/images/logo.svg", "image/svg+xml; charset=utf-8", ASSET_CACHE),
        ("en/assets/fonts/noto.woff2", "font/woff2", ASSET_CACHE),
        ("en/assets/vendor/uplot/LICENSE", "application/octet-stream", ASSET_CACHE),
    ],
)
def test_headers_by_name(key, kind, cache):
    assert content_type(key) == kind
    assert cache_control(key) == cache


def test_the_plan_uploads_what_changed_assets_first_and_deletes_what_is_gone():
    local = {"en/faq/a/index.html": "1", "en/app.12345678.min.js": "2", "en/same.css": "3"}
    remote = {"en/same.css": "3", "en/faq/a/index.html": "old", "en/gone/index.html": "4"}

    steps = plan(local, remote)

    assert [upload.key for upload in steps.uploads] == [
        "en/app.12345678.min.js",
        "en/faq/a/index.html",
    ]
    assert steps.deletions == ("en/gone/index.html",)
    assert steps.invalidations == (
        "/en/faq/a/",
        "/en/faq/a/index.html",
        "/en/gone/",
        "/en/gone/index.html",
    )
    assert plan(local, dict(local)).empty and not plan(local, dict(local)).invalidations


def test_invalidation_paths_name_both_forms_of_a_page_and_only_pages():
    assert invalidation_paths(["index.html", "en/404.html", "en/a.css", "en/sitemap.xml"]) == [
        "/",
        "/en/404.html",
        "/index.html",
    ]
    assert invalidation_paths(["ru/faq/гарантия/index.html"])[0] == (
        "/ru/faq/%D0%B3%D0%B0%D1%80%D0%B0%D0%BD%D1%82%D0%B8%D1%8F/"
    )
    many = [f"en/p{number}/index.html" for number in range(MAX_INVALIDATION_PATHS)]
    assert invalidation_paths(many) == ["/*"]


# Against moto's server ---------------------------------------------------------------


pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> PortalPaths:
    paths = PortalPaths.under(tmp_path_factory.mktemp("deploy"))
    small_content(paths.content)
    build(paths.settings(), say=lambda line: None)
    return paths


@pytest.fixture
def s3():
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def cloudfront():
    return boto3.client("cloudfront", region_name="us-east-1")


@pytest.fixture
def bucket(s3) -> str:
    name = f"site-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def distribution(cloudfront) -> str:
    origin = {"Id": "site", "DomainName": "site.s3.amazonaws.com"}
    answer = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Comment": "portal deploy tests",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [{**origin, "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
            },
        }
    )
    return answer["Distribution"]["Id"]


def settings_for(paths: PortalPaths, bucket: str, distribution: str | None = None):
    extra = {"PORTAL_SITE_BUCKET": bucket}
    if distribution:
        extra["PORTAL_DISTRIBUTION_ID"] = distribution
    return settings_module.load(paths.environ(**extra))


def objects(s3, bucket: str) -> dict[str, str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def invalidations(cloudfront, distribution: str) -> list[set[str]]:
    """Every invalidation's paths, oldest first."""
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    found = []
    for item in listed.get("Items", []):
        batch = cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
        found.append(set(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]))
    return found


def test_first_deploy_uploads_everything_assets_first_with_their_headers(
    site, s3, cloudfront, bucket, distribution
):
    said: list[str] = []

    steps = deploy(settings_for(site, bucket, distribution), dry_run=False, say=said.append)

    files = site_digests(site.site.resolve())
    assert set(objects(s3, bucket)) == set(files)
    assert all(etag.strip('"') == files[key] for key, etag in objects(s3, bucket).items())
    uploaded = [line.split()[1] for line in said if line.startswith("uploaded ")]
    assert sorted(uploaded) == sorted(files)
    first_page = min(index for index, key in enumerate(uploaded) if key.endswith(".html"))
    assert all(cache_control(key) == PAGE_CACHE for key in uploaded[first_page:])
    assert [upload.key for upload in steps.uploads] == uploaded  # done in the plan's order

    bundle = next(site.site.glob("en/assets/javascripts/bundle.*.min.js")).relative_to(site.site)
    for key, kind, cache in [
        ("en/faq/warranty/index.html", HTML, PAGE_CACHE),
        (bundle.as_posix(), JS, FINGERPRINTED_CACHE),
        ("en/assets/images/favicon.png", "image/png", ASSET_CACHE),
    ]:
        head = s3.head_object(Bucket=bucket, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (kind, cache), key

    pages = [key for key in files if key.endswith(".html")]
    [paths] = invalidations(cloudfront, distribution)
    assert paths == set(invalidation_paths(pages))
    assert {"/", "/index.html", "/en/faq/warranty/", "/en/faq/warranty/index.html"} <= paths


def test_a_second_deploy_of_the_same_site_sends_nothing(site, s3, cloudfront, bucket, distribution):
    settings = settings_for(site, bucket, distribution)
    deploy(settings, dry_run=False, say=lambda line: None)
    before = objects(s3, bucket)
    said: list[str] = []

    steps = deploy(settings, dry_run=False, say=said.append)

    assert steps.empty and not steps.invalidations
    assert said == [f"Nothing to deploy: bucket {bucket!r} already holds this site."]
    assert objects(s3, bucket) == before
    assert len(invalidations(cloudfront, distribution)) == 1


def test_a_changed_page_is_all_that_goes_up_and_a_removed_file_comes_down(
    paths, s3, cloudfront, bucket, distribution
):
    small_content(paths.content)
    build(paths.settings(), say=lambda line: None)
    settings = settings_for(paths, bucket, distribution)
    deploy(settings, dry_run=False, say=lambda line: None)
    before = site_digests(paths.site.resolve())
    s3.put_object(Bucket=bucket, Key="en/faq/retired/index.html", Body=b"<p>old</p>")
    s3.put_object(Bucket=bucket, Key="en/assets/javascripts/bundle.0badc0de.min.js", Body=b"")

    write_page(paths.content, "en", "faq/warranty.md", body="The warranty now lasts longer.\n")
    build(paths.settings(), say=lambda line: None)
    after = site_digests(paths.site.resolve())
    steps = deploy(settings, dry_run=False, say=lambda line: None)

    changed = {key for key in after if before.get(key) != after[key]}
    assert "en/faq/warranty/index.html" in changed
    assert "en/guides/claim/index.html" not in changed  # the other pages stay as they were
    assert {upload.key for upload in steps.uploads} == changed
    assert steps.deletions == (
        "en/assets/javascripts/bundle.0badc0de.min.js",
        "en/faq/retired/index.html",
    )
    assert set(objects(s3, bucket)) == set(after)
    changed_pages = [key for key in changed if key.endswith(".html")]
    expected = set(invalidation_paths([*changed_pages, "en/faq/retired/index.html"]))
    assert {"/en/faq/warranty/", "/en/faq/retired/index.html"} <= expected
    assert "/en/assets/javascripts/bundle.0badc0de.min.js" not in expected
    assert invalidations(cloudfront, distribution)[-1] == expected


def test_a_dry_run_prints_the_plan_and_changes_nothing(site, s3, cloudfront, bucket, distribution):
    s3.put_object(Bucket=bucket, Key="stale.txt", Body=b"left over")
    before = objects(s3, bucket)
    said: list[str] = []

    steps = deploy(settings_for(site, bucket, distribution), dry_run=True, say=said.append)

    assert objects(s3, bucket) == before
    assert invalidations(cloudfront, distribution) == []
    assert len(steps.uploads) == len(site_digests(site.site.resolve()))
    assert f"upload      en/faq/warranty/index.html  ({HTML}; {PAGE_CACHE})" in said
    assert "delete      stale.txt" in said
    assert "invalidate  /en/faq/warranty/" in said
    assert said[-1] == "Dry run: nothing was changed."


def test_a_failure_while_assets_go_up_sends_no_page_and_deletes_nothing(site, s3, bucket):
    s3.put_object(Bucket=bucket, Key="stale.txt", Body=b"left over")

    class Stopped(Exception):
        """Stands for anything that ends a deploy part way: a lost connection, Ctrl-C."""

    def stop_after_one_upload(line: str) -> None:
        if line.startswith("uploaded "):
            raise Stopped

    with pytest.raises(Stopped):
        deploy(settings_for(site, bucket), dry_run=False, say=stop_after_one_upload)

    keys = set(objects(s3, bucket))
    assert "stale.txt" in keys
    assert not any(key.endswith(".html") for key in keys)


def test_clear_errors(site, paths, bucket, monkeypatch):
    with pytest.raises(DeployError, match="There is no bucket named 'no-such-bucket'"):
        deploy(settings_for(site, "no-such-bucket"), dry_run=True, say=lambda line: None)
    with pytest.raises(DeployError, match="run `portal build` first"):
        deploy(settings_for(paths, bucket), dry_run=True, say=lambda line: None)
    with pytest.raises(DeployError, match="Set PORTAL_SITE_BUCKET"):
        deploy(site.settings(), dry_run=True, say=lambda line: None)
    with pytest.raises(settings_module.SettingsError, match="PORTAL_SITE_BUCKET must be"):
        settings_for(site, "s3://Nimbus")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(DeployError, match="No AWS credentials"):
        deploy(settings_for(site, bucket), dry_run=True, say=lambda line: None)


def test_the_command_prints_a_dry_run_and_explains_a_missing_bucket(site, s3, bucket):
    dry = run_portal("deploy", "--dry-run", env=site.environ(PORTAL_SITE_BUCKET=bucket))
    missing = run_portal("deploy", env=site.environ(PORTAL_SITE_BUCKET="no-such-bucket"))

    assert dry.returncode == 0, dry.stderr
    assert "upload      index.html" in dry.stdout
    assert dry.stdout.rstrip().endswith("Dry run: nothing was changed.")
    assert objects(s3, bucket) == {}
    assert missing.returncode == 1
    assert missing.stderr.startswith("portal deploy: There is no bucket named 'no-such-bucket'")
