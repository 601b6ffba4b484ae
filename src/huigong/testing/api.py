"""Assertions shared by the tests of the API's error answers."""

from __future__ import annotations


def assert_api_error(response, status: int, code: str) -> dict:
    """The response is the API's JSON error envelope with this status and code, and a
    message; returns the body."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert body["message"]
    return body
