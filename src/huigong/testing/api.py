"""The API client of the tests and the assertions shared by the tests of the API's error
answers."""

from __future__ import annotations

import json


class ApiClient:
    """Calls the API as ``user`` with a bearer token of write scope, through Django's test
    ``client``; paths are relative to ``base`` (e.g. ``/api/v1/cases``)."""

    def __init__(self, client, user, base: str = ""):
        from huigong.accounts.models import ApiToken

        _token, key = ApiToken.issue(user, "tests", scope="write")
        self.client = client
        self.base = base
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path, **params):
        return self.client.get(self.base + path, params, headers=self.headers)

    def post(self, path, data=None, raw=None):
        """POST ``data`` as JSON, or the ``raw`` body as it is (malformed JSON, say)."""
        return self._send("post", path, raw if raw is not None else _json(data or {}))

    def put(self, path, data):
        return self._send("put", path, _json(data))

    def patch(self, path, data):
        return self._send("patch", path, _json(data))

    def delete(self, path):
        return self.client.delete(self.base + path, headers=self.headers)

    def upload(self, path, file):
        """POST ``file`` as the multipart field ``file``."""
        return self.client.post(self.base + path, {"file": file}, headers=self.headers)

    def _send(self, method, path, body: str):
        call = getattr(self.client, method)
        return call(self.base + path, body, content_type="application/json", headers=self.headers)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)


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
