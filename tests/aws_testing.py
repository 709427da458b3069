"""AWS for tests: moto's server on loopback, reached over HTTP as AWS itself would be.

One server per test process, started on first use. ``aws_environ`` is the environment
that points boto3 (in this process and in `portal` subprocesses) at it, with fake
credentials and nothing from this machine's own AWS set-up.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import uuid
from pathlib import Path

from portal_testing import free_port

from bench.aws import moto_server

_endpoint: str | None = None


def moto_endpoint() -> str:
    """The address of this test process's moto server, started now if it is not running:
    a process of its own (on the other core), stopped when the tests end."""
    global _endpoint
    if _endpoint is None:
        server = moto_server(free_port())
        environ = server.__enter__()
        atexit.register(server.__exit__, None, None, None)
        _endpoint = environ["AWS_ENDPOINT_URL"]
    return _endpoint


def aws_environ(endpoint: str, folder: Path) -> dict[str, str]:
    """Variables to set (``None``-free) so boto3 talks to ``endpoint`` only."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(folder / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# Variables of this machine's own AWS set-up that would take precedence over ours.
AWS_UNSET = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_CLOUDFRONT",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


def new_table_name() -> str:
    return f"portal-{uuid.uuid4().hex[:12]}"


_tables: dict[str, Path] = {}  # made by table_for and not dropped yet: their trees' roots


def use_moto_everywhere(folder: Path) -> None:
    """Point this process (and the processes it starts) at moto's server, for good: the
    tests run with ``PORTAL_TEST_STORE=dynamodb``."""
    for name in AWS_UNSET:
        os.environ.pop(name, None)
    os.environ.update(aws_environ(moto_endpoint(), folder))


def table_for(root: Path) -> str:
    """The table of one test's tree, created on first use."""
    name = "portal-" + hashlib.sha256(str(root).encode()).hexdigest()[:20]
    if name not in _tables:
        from functions.store.dynamodb import create_table

        create_table(name, stream=False)  # the tests' consumers read the log, not the stream
        _tables[name] = root
    return name


def drop_tables_under(folder: Path) -> None:
    """Delete the tables of the trees under ``folder`` (a test's or a module's temporary
    folder, when it is done): moto keeps every table in its memory, and copies the tables a
    transaction touches each time."""
    from core.aws.dynamodb import Table

    for name, root in list(_tables.items()):
        if root.is_relative_to(folder):
            Table(name).drop()
            del _tables[name]
