"""Amazon S3: the objects of one bucket, listed, written and deleted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from botocore.exceptions import ClientError

from core.aws import AwsError, client, translated

DELETE_BATCH = 1_000  # the most keys one DeleteObjects call takes


class Bucket:
    """One bucket, by name; a client made once and shared (boto3 clients are thread-safe)."""

    def __init__(
        self, name: str, setting: str = "PORTAL_SITE_BUCKET", holds: str = "the site"
    ) -> None:
        self.name = name
        self._client = client("s3")
        self._missing = {
            "NoSuchBucket": (
                f"There is no bucket named {name!r}: create it, or set {setting} to the "
                f"bucket that holds {holds}."
            )
        }

    def etags(self, prefix: str = "") -> dict[str, str]:
        """Every object's key and ETag (without quotes) under ``prefix``, one page of 1,000
        at a time.

        An object written in one piece without KMS has its body's MD5 as its ETag.
        """
        found = {}
        with translated(f"listing bucket {self.name!r}", self._missing):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.name, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    found[item["Key"]] = item["ETag"].strip('"')
        return found

    def list_keys(self, prefix: str = "") -> list[str]:
        """The keys under ``prefix``, in S3's order (ascending)."""
        return sorted(self.etags(prefix))

    def get(self, key: str, etag: str | None = None) -> tuple[bytes | None, str | None]:
        """The object's body and ETag; (None, etag) when its ETag is still ``etag`` (S3
        answers 304 without the body), (None, None) when there is no such object."""
        options = {"IfNoneMatch": f'"{etag}"'} if etag else {}
        with translated(f"reading {key!r} from bucket {self.name!r}", self._missing):
            try:
                answer = self._client.get_object(Bucket=self.name, Key=key, **options)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code in ("304", "NotModified"):
                    return None, etag
                if code in ("NoSuchKey", "404"):
                    return None, None
                raise
            return answer["Body"].read(), answer["ETag"].strip('"')

    def download(self, key: str, path: Path) -> None:
        """Write the object's body to ``path`` (streamed, not held in memory)."""
        with translated(f"reading {key!r} from bucket {self.name!r}", self._missing):
            self._client.download_file(self.name, key, str(path))

    def put(self, key: str, body: bytes, *, content_type: str, cache_control: str) -> None:
        with translated(f"uploading {key!r} to bucket {self.name!r}", self._missing):
            self._client.put_object(
                Bucket=self.name,
                Key=key,
                Body=body,
                ContentType=content_type,
                CacheControl=cache_control,
            )

    def delete(self, keys: Iterable[str]) -> None:
        """Delete ``keys``, up to 1,000 a call; any key S3 could not delete is an error."""
        keys = list(keys)
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            with translated(f"deleting from bucket {self.name!r}", self._missing):
                answer = self._client.delete_objects(
                    Bucket=self.name,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise AwsError(
                    f"S3 did not delete {len(answer['Errors'])} of {len(batch)} objects from "
                    f"bucket {self.name!r}, e.g. {first['Key']!r}: {first.get('Message', '')}"
                )
