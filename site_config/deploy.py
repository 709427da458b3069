"""`portal deploy`: the built site onto its S3 bucket, behind CloudFront.

A deploy is a plan, made by pure functions from two lists of (key, MD5): the files in
site/ and the objects in the bucket. Only new and changed files are uploaded, each with its
Content-Type and Cache-Control; then stale objects are deleted; then CloudFront drops the
pages that changed. The steps keep the old site serving until the new one is whole:

1. assets (everything but pages), so no new page names a file that is not there yet;
2. pages, the files that name others (HTML, sitemaps, JSON);
3. deletions, only once every upload has succeeded;
4. one invalidation of the pages uploaded or deleted, in both their forms
   (``/en/faq/refunds/index.html`` and ``/en/faq/refunds/``).

Cache-Control, by the file's name:

- pages (``.html``, so 404 pages and the root redirect too; sitemaps; ``.json``;
  ``.webmanifest``): ``public, max-age=0, must-revalidate``, since their names never change;
- fingerprinted assets, whose name has a dot-separated part of 8 or more hex digits (Material's
  ``assets/javascripts/bundle.a5f9d56c.min.js``, ``main.57a0d79d.min.css``, their ``.map``):
  ``public, max-age=31536000, immutable``, since new content comes under a new name;
- every other asset (the theme's own CSS and JavaScript, images, fonts, vendor files):
  ``public, max-age=3600``, an hour, so a change reaches readers within the hour.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import urllib.parse
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.aws import AwsError, cloudfront
from core.aws.s3 import Bucket
from core.settings import Settings

PAGE_CACHE = "public, max-age=0, must-revalidate"
FINGERPRINTED_CACHE = "public, max-age=31536000, immutable"
ASSET_CACHE = "public, max-age=3600"

_FINGERPRINT = re.compile(r"\.[0-9a-f]{8,}\.")  # bundle.a5f9d56c.min.js
_PAGE_SUFFIXES = {".html", ".json", ".webmanifest"}
# Web types stated here, not left to the machine's mime.types, which vary.
_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".txt": "text/plain",
    ".gz": "application/gzip",  # sitemap.xml.gz is a gzip file, not gzip-encoded XML
}
_TEXT_TYPES = {"application/json", "application/manifest+json", "application/xml", "image/svg+xml"}
UPLOAD_THREADS = 8
MAX_INVALIDATION_PATHS = 1_000  # beyond this, one "/*" costs less and stays within limits


class DeployError(RuntimeError):
    """A deploy that cannot start or did not finish; the message says what to do."""


@dataclass(frozen=True)
class Upload:
    key: str
    content_type: str
    cache_control: str

    @property
    def is_page(self) -> bool:
        return self.cache_control == PAGE_CACHE


@dataclass(frozen=True)
class Plan:
    uploads: tuple[Upload, ...]  # assets first, then pages
    deletions: tuple[str, ...]
    invalidations: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.uploads or self.deletions)


def is_page(key: str) -> bool:
    name = PurePosixPath(key).name
    return PurePosixPath(key).suffix in _PAGE_SUFFIXES or name.startswith("sitemap")


def cache_control(key: str) -> str:
    """The Cache-Control header for ``key``, by the rule in this module's docstring."""
    if is_page(key):
        return PAGE_CACHE
    if _FINGERPRINT.search(PurePosixPath(key).name):
        return FINGERPRINTED_CACHE
    return ASSET_CACHE


def content_type(key: str) -> str:
    """The Content-Type for ``key``, with ``charset=utf-8`` for text."""
    suffix = PurePosixPath(key).suffix.lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


def plan(local: Mapping[str, str], remote: Mapping[str, str]) -> Plan:
    """What to upload, delete and invalidate, from (key → MD5) of site/ and of the bucket."""
    changed = [key for key, md5 in local.items() if remote.get(key) != md5]
    uploads = sorted(
        (Upload(key, content_type(key), cache_control(key)) for key in changed),
        key=lambda upload: (upload.is_page, upload.key),
    )
    deletions = sorted(set(remote) - set(local))
    pages = [upload.key for upload in uploads if upload.is_page]
    pages += [key for key in deletions if is_page(key)]
    return Plan(tuple(uploads), tuple(deletions), tuple(invalidation_paths(pages)))


def invalidation_paths(keys: list[str]) -> list[str]:
    """The CloudFront paths of the HTML among ``keys``: ``a/index.html`` is ``a/`` too."""
    paths = set()
    for key in keys:
        if not key.endswith(".html"):
            continue
        paths.add("/" + key)
        if PurePosixPath(key).name == "index.html":
            paths.add("/" + key.removesuffix("index.html"))
    if len(paths) > MAX_INVALIDATION_PATHS:
        return ["/*"]
    return sorted(urllib.parse.quote(path) for path in paths)


def site_digests(site: Path) -> dict[str, str]:
    """Every file under ``site`` by key (its path with ``/``) and the MD5 of its bytes."""
    return {
        path.relative_to(site).as_posix(): hashlib.md5(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def deploy(settings: Settings, *, dry_run: bool, say: Callable[[str], None]) -> Plan:
    """Bring the bucket up to date with site/ (or, with ``dry_run``, only say how)."""
    if not settings.site_bucket:
        raise DeployError(
            "Set PORTAL_SITE_BUCKET to the S3 bucket the site is served from, then try again."
        )
    if not settings.site_dir.exists():
        raise DeployError(f"There is no site at {settings.site_dir}: run `portal build` first.")
    site = settings.site_dir.resolve()  # one build, even if a new one is published meanwhile
    try:
        bucket = Bucket(settings.site_bucket)
        steps = plan(site_digests(site), bucket.etags())
    except AwsError as error:
        raise DeployError(str(error)) from error
    _describe(steps, settings, say)
    if settings.index_bucket:
        say(f"index       a new snapshot of {settings.index_dir} to {settings.index_bucket!r}")
    if dry_run:
        say("Dry run: nothing was changed.")
    elif not steps.empty:
        try:
            _apply(steps, site, bucket, settings.distribution_id, say)
        except AwsError as error:
            # Pages go up after assets and deletions after uploads, so what is online
            # still works; a second run sends only what is still missing.
            raise DeployError(
                f"{error} The deploy stopped part way; run `portal deploy` again to finish."
            ) from error
    if settings.index_bucket and not dry_run:
        _publish_index(settings, say)
    return steps


def _publish_index(settings: Settings, say: Callable[[str], None]) -> None:
    """The built index, as the snapshot the search functions and the indexer start from."""
    from search_index.snapshots import index_bucket, publish_snapshot

    try:
        version = publish_snapshot(settings.index_dir, index_bucket(settings.index_bucket or ""))
    except (AwsError, FileNotFoundError) as error:
        raise DeployError(
            f"{error} The site is deployed, but not its search index; run `portal deploy` "
            "again to send it."
        ) from error
    say(f"published   search index snapshot {version} to bucket {settings.index_bucket!r}")


def deploy_language(settings: Settings, lang: str, built: Path, say: Callable[[str], None]) -> Plan:
    """Bring one language's part of the bucket (``<lang>/``) up to date with a build of that
    language alone (``built``, a folder named for the language), as :func:`deploy` does the
    whole site: how a promoted answer's page is published in AWS."""
    if built.name != lang:
        raise ValueError(f"a build of {lang} must be in a folder named {lang}, not {built}")
    if not settings.site_bucket:
        raise DeployError("Set PORTAL_SITE_BUCKET to the S3 bucket the site is served from.")
    bucket = Bucket(settings.site_bucket)
    local = {f"{lang}/{key}": md5 for key, md5 in site_digests(built).items()}
    steps = plan(local, bucket.etags(f"{lang}/"))
    if not steps.empty:
        _apply(steps, built.parent, bucket, settings.distribution_id, say)
    return steps


def _describe(steps: Plan, settings: Settings, say: Callable[[str], None]) -> None:
    if steps.empty:
        say(f"Nothing to deploy: bucket {settings.site_bucket!r} already holds this site.")
        return
    for upload in steps.uploads:
        say(f"upload      {upload.key}  ({upload.content_type}; {upload.cache_control})")
    for key in steps.deletions:
        say(f"delete      {key}")
    for path in steps.invalidations:
        say(f"invalidate  {path}")
    if steps.invalidations and not settings.distribution_id:
        say("PORTAL_DISTRIBUTION_ID is not set: no CloudFront cache will be invalidated.")


def _apply(
    steps: Plan,
    site: Path,
    bucket: Bucket,
    distribution_id: str | None,
    say: Callable[[str], None],
) -> None:
    def send(upload: Upload) -> Upload:
        bucket.put(
            upload.key,
            (site / upload.key).read_bytes(),
            content_type=upload.content_type,
            cache_control=upload.cache_control,
        )
        return upload

    for pages in (False, True):  # every asset is in the bucket before the first page
        group = [upload for upload in steps.uploads if upload.is_page == pages]
        with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
            try:
                for upload in pool.map(send, group):
                    say(f"uploaded    {upload.key}")
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    if steps.deletions:
        bucket.delete(steps.deletions)
        say(f"deleted     {len(steps.deletions)} stale object(s)")
    if steps.invalidations and distribution_id:
        try:
            reference = cloudfront.invalidate(distribution_id, list(steps.invalidations))
        except AwsError as error:
            # The site is uploaded whole; a second run would find nothing left to do.
            raise DeployError(
                f"{error} The site was uploaded, but these paths were not invalidated: "
                + " ".join(steps.invalidations)
            ) from error
        say(f"invalidated {len(steps.invalidations)} path(s): {reference}")
    say(
        f"Deployed to bucket {bucket.name!r}: {len(steps.uploads)} uploaded, "
        f"{len(steps.deletions)} deleted, {len(steps.invalidations)} path(s) invalidated."
    )
