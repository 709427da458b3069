"""Shared fixtures: small content trees, the real `portal` command and a real server."""

from __future__ import annotations

import pytest
from portal_testing import TEST_STORE, PortalPaths, small_content


@pytest.fixture(scope="session", autouse=True)
def store_backend(tmp_path_factory) -> str:
    """With ``PORTAL_TEST_STORE=dynamodb``, every store is a table on moto's server."""
    if TEST_STORE == "dynamodb":
        from aws_testing import use_moto_everywhere

        use_moto_everywhere(tmp_path_factory.mktemp("aws"))
    return TEST_STORE


@pytest.fixture
def paths(tmp_path) -> PortalPaths:
    """Fresh content, site and index locations for one test."""
    return PortalPaths.under(tmp_path)


@pytest.fixture
def small_paths(paths: PortalPaths) -> PortalPaths:
    small_content(paths.content)
    return paths


@pytest.fixture(autouse=True)
def drop_test_tables(store_backend, request):
    """With ``PORTAL_TEST_STORE=dynamodb``, the tables of a test's own folder go with it
    (those of a module's folder stay while the module's fixtures use them)."""
    yield
    folder = request.node.funcargs.get("tmp_path")
    if store_backend == "dynamodb" and folder is not None:
        from aws_testing import drop_tables_under

        drop_tables_under(folder)


@pytest.fixture(scope="module", autouse=True)
def drop_module_tables(store_backend, tmp_path_factory):
    """... and every table made while the module ran goes with the module."""
    yield
    if store_backend == "dynamodb":
        from aws_testing import drop_tables_under

        drop_tables_under(tmp_path_factory.getbasetemp())


@pytest.fixture
def aws(monkeypatch, tmp_path) -> dict[str, str]:
    """boto3 in this test (and the `portal` commands it runs) talks to moto's server only,
    with fake credentials; the variables set."""
    from aws_testing import AWS_UNSET, aws_environ, moto_endpoint

    for name in AWS_UNSET:
        monkeypatch.delenv(name, raising=False)
    environ = aws_environ(moto_endpoint(), tmp_path)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ
