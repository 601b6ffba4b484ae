"""The API describes itself: /api/v1/openapi.json and the interactive docs."""

from __future__ import annotations

import json

from .conftest import API, operations


def test_openapi_document_is_valid_json_listing_the_paths(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Huigong API"
    assert f"{API}/me" in schema["paths"]
    assert schema["paths"][f"{API}/me"]["get"]["summary"] == "当前用户与管辖范围"
    # The catch-all for unknown paths is not part of the contract.
    assert not any("{rest}" in p or "<path" in p for p in schema["paths"])


def test_every_operation_is_described_and_authenticated_by_default(client):
    schema = client.get(f"{API}/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    ids = []
    for method, path, operation in operations(schema):
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)), "operation ids must be unique"


def test_docs_page_renders_and_points_at_the_schema(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert f"{API}/openapi.json" in html
