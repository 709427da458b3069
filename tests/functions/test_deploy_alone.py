"""Each function runs as its own app (as it would as one Lambda), sharing the store, and
documents only the operations it serves."""

from __future__ import annotations

import pytest

from functions.app import FUNCTIONS, create_app


@pytest.mark.parametrize(
    ("function", "path", "others"),
    [
        ("accounts", "/api/session", "/api/questions"),
        ("forum", "/api/questions", "/api/session"),
        ("notifications", "/api/notifications", "/api/questions"),
        ("search", "/api/search?q=x", "/api/questions"),
        ("health", "/api/health", "/api/questions"),
        ("moderation", "/api/review", "/api/questions"),
    ],
)
def test_function_alone(community_paths, function, path, others):
    app = create_app(community_paths.settings(), function=function)
    client = app.test_client()
    assert client.get(path).status_code in (200, 401, 503)
    assert client.get(others).status_code == 404
    document = client.get("/api/openapi.json").get_json()
    tags = {op["tags"][0] for item in document["paths"].values() for op in item.values()}
    served = {blueprint.name for blueprint in FUNCTIONS[function]}
    assert tags <= served, f"{function} documents operations it does not serve: {tags}"
    app.extensions["portal_store"].close()


def test_every_function_is_listed_once():
    blueprints = [bp for bps in FUNCTIONS.values() for bp in bps]
    assert len(blueprints) == len(set(blueprints))
    with pytest.raises(ValueError, match="no function 'nope'"):
        create_app(function="nope")


def test_all_together_document_every_operation(community_app):
    document = community_app.test_client().get("/api/openapi.json").get_json()
    tags = {op["tags"][0] for item in document["paths"].values() for op in item.values()}
    assert {"accounts", "forum", "notifications"} <= tags
