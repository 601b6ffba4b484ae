"""Helpers for the API convention tests: bearer tokens and the operations the OpenAPI
document lists (so every router that lands is checked without naming it here)."""

from __future__ import annotations

import pytest

from huigong.accounts.models import ApiToken

API = "/api/v1"


def bearer(user, **token_fields) -> dict[str, str]:
    """Django test-client headers authenticating ``user`` with a fresh API token
    (read-write unless ``scope="read"`` is given)."""
    token_fields.setdefault("scope", "write")
    _token, key = ApiToken.issue(user, "测试令牌", **token_fields)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def openapi(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200, response.content[:2000]
    return response.json()


def operations(schema: dict):
    """(method, path, operation) for every documented operation."""
    for path, item in sorted(schema["paths"].items()):
        for method, operation in sorted(item.items()):
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation
