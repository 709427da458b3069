"""Shared fixtures: small content trees, the real `portal` command and a real server."""

from __future__ import annotations

import pytest
from portal_testing import PortalPaths, small_content


@pytest.fixture
def paths(tmp_path) -> PortalPaths:
    """Fresh content, site and index locations for one test."""
    return PortalPaths.under(tmp_path)


@pytest.fixture
def small_paths(paths: PortalPaths) -> PortalPaths:
    small_content(paths.content)
    return paths
