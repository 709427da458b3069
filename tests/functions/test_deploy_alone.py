"""Each function runs as its own app (as it would as one Lambda), sharing the store."""

from __future__ import annotations

import pytest

from functions import accounts, forum, notifications


@pytest.mark.parametrize(
    ("function", "path", "others"),
    [
        (accounts, "/api/session", "/api/questions"),
        (forum, "/api/questions", "/api/session"),
        (notifications, "/api/notifications", "/api/questions"),
    ],
)
def test_function_alone(community_paths, function, path, others):
    app = function.create_app(community_paths.settings())
    client = app.test_client()
    assert client.get(path).status_code in (200, 401)
    assert client.get(others).status_code == 404
    assert client.get("/api/openapi.json").status_code == 200
    app.extensions["portal_store"].close()
