"""AWS access: one module per service (``s3``, ``cloudfront``), and every boto3 call in them.

Endpoint, region and credentials come from boto3's own settings (``AWS_ENDPOINT_URL_S3``,
``AWS_ENDPOINT_URL``, ``AWS_REGION``, ``AWS_ACCESS_KEY_ID``, ``AWS_PROFILE``...), so the
same code talks to AWS or to a stand-in on loopback. A failure a user can fix leaves here as
an ``AwsError`` whose message says what to do; nothing above sees botocore's exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

# Retries with back-off for throttling and dropped connections; the rest fails at once.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


class AwsError(RuntimeError):
    """An AWS call that failed, said as a sentence that tells how to fix it."""


def client(service: str, region: str | None = None) -> Any:
    """A boto3 client for ``service``, configured by boto3's own settings.

    boto3 reads ``AWS_DEFAULT_REGION``; ``AWS_REGION`` (what Lambda and the other AWS SDKs
    set) is taken when that is unset. ``region`` is for global services.
    """
    region = region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    with translated(f"the {service} client"):
        # A session of its own: boto3's default one keeps the credentials it first found.
        session = boto3.session.Session()
        return session.client(service, region_name=region or None, config=_CONFIG)


@contextmanager
def translated(what: str, missing: dict[str, str] | None = None) -> Iterator[None]:
    """Turn botocore's exceptions raised while doing ``what`` into an ``AwsError``.

    ``missing`` maps error codes (``NoSuchBucket``) to the sentence that explains them.
    """
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise AwsError(
            f"No AWS credentials for {what}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE) and try again."
        ) from error
    except NoRegionError as error:
        raise AwsError(f"No AWS region for {what}: set AWS_REGION and try again.") from error
    except EndpointConnectionError as error:
        raise AwsError(
            f"Could not reach {error.kwargs.get('endpoint_url', 'AWS')} for {what}: check "
            "the network, or AWS_ENDPOINT_URL if you set it."
        ) from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if missing and code in missing:
            raise AwsError(missing[code]) from error
        if code in ("AccessDenied", "AccessDeniedException", "403"):
            raise AwsError(
                f"AWS refused {what} (access denied): the credentials in use need "
                "permission for it."
            ) from error
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId"):
            raise AwsError(
                f"AWS did not accept the credentials for {what} ({code}): check "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
            ) from error
        message = error.response.get("Error", {}).get("Message", "")
        raise AwsError(f"AWS refused {what}: {code} {message}".rstrip() + ".") from error
    except BotoCoreError as error:
        raise AwsError(f"AWS call failed for {what}: {error}") from error
