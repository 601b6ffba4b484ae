"""The error conventions of huigong.api: JSON {"code", "message", "errors"} with a stable
code for every failure, field details for invalid input, and never a 500 for bad input.

The first part drives a probe API sharing the real handlers (``probe_urls``); the second
part walks every operation the OpenAPI document lists, so each router that lands is held
to the same rules."""

from __future__ import annotations

import re

import pytest

from huigong.api import ErrorCode
from huigong.testing.api import assert_api_error as error_of

from .conftest import API, bearer, operations

KNOWN_CODES = {v for k, v in vars(ErrorCode).items() if k.isupper()}


@pytest.fixture
def probe_client(client, settings, county_cadre):
    settings.ROOT_URLCONF = "tests.api.probe_urls"
    client.defaults.update(bearer(county_cadre))
    return client


# -- the handlers ----------------------------------------------------------------------------


def test_missing_object_is_404_not_found(probe_client):
    body = error_of(probe_client.get("/probe/things/42"), 404, "not_found")
    assert body["message"] == "未找到该对象,或不在您的管辖范围内"


def test_invalid_query_parameter_is_422_with_the_field(probe_client):
    body = error_of(probe_client.get("/probe/things/42?verbose=maybe"), 422, "invalid_input")
    assert body["message"] == "请求参数有误,请检查各字段"
    assert [e["field"] for e in body["errors"]] == ["query.verbose"]
    assert body["errors"][0]["type"] == "bool_parsing"


def test_invalid_body_is_422_with_every_field(probe_client):
    response = probe_client.post(
        "/probe/things",
        data={"name": "", "count": "many", "day": "2026-02-30"},
        content_type="application/json",
    )
    body = error_of(response, 422, "invalid_input")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"body.payload.name", "body.payload.count", "body.payload.day"}
    assert all(e["message"] and e["type"] for e in body["errors"])


def test_missing_body_fields_are_named(probe_client):
    response = probe_client.post("/probe/things", data={}, content_type="application/json")
    body = error_of(response, 422, "invalid_input")
    assert {e["field"] for e in body["errors"]} == {"body.payload.name", "body.payload.count"}
    assert {e["type"] for e in body["errors"]} == {"missing"}


def test_valid_body_passes(probe_client):
    response = probe_client.post(
        "/probe/things", data={"name": "水杯", "count": 3}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"name": "水杯", "count": 3}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"name": "a", "count": 1',
        b"\xff\xfe\xfa",
        b"\x00",
        b"{'single': 'quotes'}",
        b"NaN-ish",
    ],
)
def test_malformed_json_is_400_invalid_input(probe_client, raw):
    response = probe_client.post("/probe/things", data=raw, content_type="application/json")
    body = error_of(response, 400, "invalid_input")
    assert body["message"] == "请求格式有误(例如 JSON 无法解析)"


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"null", b"42", b"[" * 5000 + b"]" * 5000])
def test_json_of_the_wrong_shape_is_a_4xx_with_a_code(probe_client, raw):
    response = probe_client.post("/probe/things", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == "invalid_input"


def test_service_validation_error_is_400_with_field(probe_client):
    body = error_of(probe_client.post("/probe/service-rule"), 400, "validation_error")
    assert body["message"] == "该名称已被使用"
    assert body["errors"] == [{"field": "name", "message": "该名称已被使用", "type": "invalid"}]


def test_several_service_errors_are_all_listed(probe_client):
    body = error_of(probe_client.post("/probe/service-rules"), 400, "validation_error")
    assert body["message"] == "提交的数据未通过校验"
    assert [e["message"] for e in body["errors"]] == ["第一条问题", "第二条问题"]


def test_permission_denied_is_403(probe_client):
    body = error_of(probe_client.post("/probe/denied"), 403, "permission_denied")
    assert body["message"] == "没有执行此操作的权限"


def test_api_error_keeps_its_code_status_and_message(probe_client):
    body = error_of(probe_client.post("/probe/bad-state"), 409, "invalid_state")
    assert body["message"] == "该诉求已办结,不能再转办"


def test_unexpected_error_is_json_500_without_internals(probe_client, caplog):
    body = error_of(probe_client.get("/probe/boom"), 500, "server_error")
    assert "secret" not in body["message"]
    assert "unhandled API error" in caplog.text


def test_probe_requires_authentication_like_the_api(client, settings, tree):
    settings.ROOT_URLCONF = "tests.api.probe_urls"
    error_of(client.get("/probe/things/1"), 401, "unauthenticated")


# -- unknown endpoints --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nope", "/nope/1/edit", "/../../etc/passwd", "/%E4%B8%AD%E6%96%87"]
)
def test_unknown_api_path_is_json_404(client, superuser, path):
    response = client.get(API + path, **bearer(superuser))
    body = error_of(response, 404, "not_found")
    assert body["message"].startswith("没有这个接口")


def test_missing_trailing_slash_is_explained(client, superuser, openapi):
    with_slash = [p for p in openapi["paths"] if p.endswith("/") and p.count("/") > 3]
    if not with_slash:
        pytest.skip("no endpoint with a trailing slash is documented yet")
    response = client.get(with_slash[0].rstrip("/"), **bearer(superuser))
    body = error_of(response, 404, "not_found")
    assert "斜杠" in body["message"]


def test_unknown_path_of_any_method_is_json(client, superuser):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            f"{API}/nope", data="{}", content_type="application/json", **bearer(superuser)
        )
        error_of(response, 404, "not_found")


# -- every documented operation ---------------------------------------------------------------


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_object_endpoint_answers_404_json_for_a_missing_id(client, superuser, openapi):
    checked = 0
    for method, path, _operation in operations(openapi):
        if method != "get" or "{" not in path:
            continue
        response = client.get(_fill(path, "2147483646"), **bearer(superuser))
        error_of(response, 404, "not_found")
        # A malformed id is refused as JSON too: 404 (no such path) or 422 (bad parameter).
        response = client.get(_fill(path, "abc"), **bearer(superuser))
        assert response.status_code in (404, 422), (path, response.content[:300])
        assert response.json()["code"] in {"not_found", "invalid_input"}
        checked += 1
    if not checked:
        pytest.skip("no object endpoint is documented yet")


def test_every_list_rejects_a_bad_or_absurd_page_with_422(client, superuser, openapi):
    checked = 0
    for method, path, operation in operations(openapi):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if method != "get" or "page" not in names or "{" in path:
            continue
        for page in ("abc", "0", "-1", str(10**25)):
            response = client.get(path, {"page": page}, **bearer(superuser))
            body = error_of(response, 422, "invalid_input")
            assert any("page" in e["field"] for e in body["errors"]), (path, page, body)
        ok = client.get(path, {"page": "1", "page_size": "1"}, **bearer(superuser))
        assert ok.status_code == 200, (path, ok.content[:500])
        assert set(ok.json()) >= {"items", "count"}
        checked += 1
    if not checked:
        pytest.skip("no paginated list is documented yet")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[]", b"null"])
def test_no_write_endpoint_answers_malformed_json_with_a_500(client, superuser, openapi, raw):
    checked = 0
    for method, path, operation in operations(openapi):
        body_types = operation.get("requestBody", {}).get("content", {})
        if method not in {"post", "put", "patch"} or "application/json" not in body_types:
            continue
        response = getattr(client, method)(
            _fill(path, "1"), data=raw, content_type="application/json", **bearer(superuser)
        )
        assert 400 <= response.status_code < 500, (method, path, response.content[:500])
        assert response.json()["code"] in KNOWN_CODES, (method, path)
        checked += 1
    if not checked:
        pytest.skip("no JSON write endpoint is documented yet")


def test_every_operation_refuses_anonymous_callers_with_json(client, tree, openapi):
    for method, path, operation in operations(openapi):
        if operation.get("security") == [] or "security" not in operation:
            continue  # a public endpoint, e.g. the station map
        if method == "get":
            response = client.get(_fill(path, "1"))
        else:
            response = getattr(client, method)(
                _fill(path, "1"), data="{}", content_type="application/json"
            )
        error_of(response, 401, "unauthenticated")
