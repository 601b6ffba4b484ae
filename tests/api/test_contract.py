"""The OpenAPI document tells the truth about the API.

django-ninja writes one component per schema *name* and silently keeps the last of two
same-named classes, so two routers each defining ``UpdateIn`` once made the document
describe ``POST /cases/cases/{id}/update`` with the inspection's fields. These tests hold
every router to the document:

- each schema class (and enum) used by an operation has a component name of its own, and
  the published component is exactly what that operation's class produces;
- each documented request body lists exactly the fields the endpoint accepts (and that
  it refuses any other field);
- each operation documents its error answers with ``ErrorOut``, and real error answers
  match it.

They read the routers (``api._get_bound_routers()``, the operations ninja serves and
documents), so a router that lands later is checked without being named here."""

from __future__ import annotations

import enum
import json
import typing
from collections import defaultdict

import jsonschema_rs
import pytest
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

from huigong.api import api

from .conftest import API, bearer, operations

BODY_SOURCES = {"body", "form", "file"}


def ninja_operations() -> dict[str, object]:
    """operationId → ninja ``Operation`` of every documented operation."""
    found = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if operation.include_in_schema:
                    key = operation.operation_id or api.get_openapi_operation_id(operation)
                    found[key] = operation
    return found


def _walk(annotation, found: set) -> None:
    """Collect the pydantic models and enums an annotation refers to, recursively."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _walk(field.annotation, found)
        return
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    for argument in typing.get_args(annotation):
        _walk(argument, found)


def _operation_classes(operation) -> set:
    """The schema classes an operation documents: the fields of ninja's parameter and
    response wrappers (which are flattened, never components themselves)."""
    found: set = set()
    wrappers = list(operation.models) + [m for m in operation.response_models.values() if m]
    for wrapper in wrappers:
        if isinstance(wrapper, type) and issubclass(wrapper, BaseModel):
            for field in wrapper.model_fields.values():
                _walk(field.annotation, found)
    return found


def _identity(cls) -> str:
    """Project classes are themselves; classes ninja makes on the fly (``PagedOrgOut``
    for every paginated list of ``OrgOut``) are the same when their schemas are."""
    if cls.__module__.startswith("huigong.") or issubclass(cls, enum.Enum):
        return f"{cls.__module__}.{cls.__qualname__}"
    schema = cls.model_json_schema(ref_template=REF_TEMPLATE, mode="serialization")
    return json.dumps(schema, sort_keys=True)


def test_every_schema_class_has_a_component_name_of_its_own(client):
    client.get(f"{API}/openapi.json")  # the routers are bound when the URLs are built
    by_name: dict[str, set[str]] = defaultdict(set)
    used_by: dict[str, set[str]] = defaultdict(set)
    for operation_id, operation in ninja_operations().items():
        for cls in _operation_classes(operation):
            by_name[cls.__name__].add(_identity(cls))
            used_by[cls.__name__].add(operation_id)
    assert by_name, "no schema class found: the routers were not read"
    clashes = {
        name: sorted(i[:80] for i in identities)
        for name, identities in by_name.items()
        if len(identities) > 1
    }
    assert not clashes, (
        "several schema classes share a component name; ninja would publish only one: "
        + "; ".join(
            f"{name}: {ids} (used by {sorted(used_by[name])})" for name, ids in clashes.items()
        )
    )


def _definitions(operation) -> list[tuple[str, dict]]:
    """The component definitions ninja derives from one operation, generated the way
    ``ninja.openapi.schema`` does it (validation for input, serialization for output)."""
    found = []
    for model in operation.models:
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE, by_alias=True, schema_generator=NinjaGenerateJsonSchema
        )
        found += list(schema.get("$defs", {}).items())
    for model in operation.response_models.values():
        if not model:
            continue
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE,
            by_alias=operation.by_alias,
            schema_generator=NinjaGenerateJsonSchema,
            mode="serialization",
        )
        found += list(schema.get("$defs", {}).items())
    return found


def test_published_components_are_what_each_operation_uses(openapi):
    components = openapi["components"]["schemas"]
    wrong = []
    for operation_id, operation in ninja_operations().items():
        for name, definition in _definitions(operation):
            if components.get(name) != definition:
                wrong.append(f"{operation_id}: {name}")
    assert not wrong, "the document shows another schema than the endpoint uses: " + ", ".join(
        sorted(set(wrong))
    )


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _accepted(operation) -> tuple[set[str], set[str], bool]:
    """(fields, required fields, refuses others) of what the endpoint's body accepts."""
    fields: set[str] = set()
    required: set[str] = set()
    strict = True
    for model in operation.models:
        if model.__ninja_param_source__ not in BODY_SOURCES:
            continue
        if model.__ninja_param_source__ == "body":
            (payload,) = model.model_fields.values()
            schema_class = payload.annotation
            for name, field in schema_class.model_fields.items():
                fields.add(field.alias or name)
                if field.is_required():
                    required.add(field.alias or name)
            strict = schema_class.model_config.get("extra") == "forbid"
        else:
            for name, field in model.model_fields.items():
                fields.add(field.alias or name)
                if field.is_required():
                    required.add(field.alias or name)
    return fields, required, strict


def test_documented_request_bodies_are_exactly_what_the_endpoints_accept(openapi):
    by_id = ninja_operations()
    checked = 0
    for method, path, documented in operations(openapi):
        if method not in {"post", "put", "patch"}:
            continue
        operation = by_id[documented["operationId"]]
        fields, required, strict = _accepted(operation)
        content = documented.get("requestBody", {}).get("content", {})
        if not content:
            assert not fields, f"{method.upper()} {path} takes {fields} but documents no body"
            continue
        ((media_type, body),) = content.items()
        schema = _resolve(body["schema"], openapi)
        where = f"{method.upper()} {path}"
        assert set(schema.get("properties", {})) == fields, where
        assert set(schema.get("required", [])) == required, where
        if media_type == "application/json":
            assert strict, f"{where}: its body schema must derive from huigong.api.InputSchema"
            assert schema.get("additionalProperties") is False, where
        checked += 1
    assert checked > 20


# -- errors --------------------------------------------------------------------------------------


def test_every_operation_documents_its_errors_with_error_out(openapi):
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    for method, path, operation in operations(openapi):
        where = f"{method.upper()} {path}"
        responses = {int(status): answer for status, answer in operation["responses"].items()}
        expected = set()
        if operation.get("security"):
            expected |= {401, 403}
        if "{" in path:
            expected.add(404)
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add(422)
        if method != "get":
            expected |= {400, 503}
        assert expected <= set(responses), f"{where} lacks {sorted(expected - set(responses))}"
        for status, answer in responses.items():
            if status >= 400:
                body = answer["content"]["application/json"]["schema"]
                assert body == error_ref, f"{where} documents {status} without ErrorOut"
        assert responses[min(responses)]["description"], where


@pytest.fixture
def error_schema(openapi):
    """A validator of the published ``ErrorOut`` (with the document's components)."""
    schema = {
        "$ref": "#/components/schemas/ErrorOut",
        "components": openapi["components"],
    }
    return jsonschema_rs.Draft202012Validator(schema)


@pytest.fixture
def wage_category(db):
    from huigong.cases.services import seed_categories
    from huigong.common import workdays

    workdays.seed_holidays()
    seed_categories()
    yield
    workdays.invalidate_years()


def _submit(client, staff, organization) -> dict:
    from huigong.cases.models import CaseCategory
    from huigong.testing.factories import make_id_number

    category = CaseCategory.objects.get(code="wage_arrears")
    response = client.post(
        f"{API}/cases/cases",
        {
            "category_id": category.pk,
            "kind": "rights",
            "description": "工地欠薪三个月",
            "organization_id": organization.pk,
            "channel": "walk_in",
            "applicants": [{"name": "王建国", "id_number": make_id_number()}],
        },
        content_type="application/json",
        **bearer(staff),
    )
    assert response.status_code == 201, response.content[:500]
    return response.json()


def test_real_error_answers_match_the_documented_error_out(
    client, tree, county_cadre, worker, wage_category, error_schema
):
    case = _submit(client, county_cadre, tree.huangtupu)
    url = f"{API}/cases/cases/{case['id']}"
    answers = {
        401: client.get(f"{API}/cases/cases"),
        403: client.post(f"{url}/accept", {}, content_type="application/json", **bearer(worker)),
        404: client.get(f"{API}/cases/cases/2147483646", **bearer(county_cadre)),
        409: client.post(
            f"{url}/resolve",
            {"outcome": "resolved_in_favour", "result_text": "已解决"},
            content_type="application/json",
            **bearer(county_cadre),
        ),
        422: client.post(
            f"{url}/update",
            {"name": "检查"},
            content_type="application/json",
            **bearer(county_cadre),
        ),
        400: client.post(
            f"{url}/update", b"{not json", content_type="application/json", **bearer(county_cadre)
        ),
    }
    for status, response in answers.items():
        assert response.status_code == status, (status, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        errors = list(error_schema.iter_errors(body))
        assert not errors, (status, body, [str(e) for e in errors])
    assert answers[409].json()["code"] == "invalid_state"
    assert answers[422].json()["errors"][0]["type"] == "extra_forbidden"


# -- the defect that started this: two schemas named UpdateIn and ApplicantIn -----------------


def test_case_update_is_documented_with_the_case_fields(openapi):
    operation = openapi["paths"][f"{API}/cases/cases/{{case_id}}/update"]["post"]
    schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"], openapi)
    assert {"title", "category_id", "urgency", "amount_claimed"} <= set(schema["properties"])
    assert not {"name", "start_date", "department_ids"} & set(schema["properties"])
    submit = openapi["paths"][f"{API}/cases/cases"]["post"]
    body = _resolve(submit["requestBody"]["content"]["application/json"]["schema"], openapi)
    applicant = _resolve(body["properties"]["applicants"]["items"], openapi)
    assert "person_id" in applicant["properties"]


def test_a_client_following_the_document_updates_the_case(
    client, tree, county_cadre, wage_category
):
    from huigong.cases.models import Case

    case = _submit(client, county_cadre, tree.huangtupu)
    response = client.post(
        f"{API}/cases/cases/{case['id']}/update",
        {"title": "工地欠薪(更正)", "urgency": "urgent"},
        content_type="application/json",
        **bearer(county_cadre),
    )
    assert response.status_code == 200, response.content[:500]
    row = Case.objects.get(pk=case["id"])
    assert (row.title, row.urgency) == ("工地欠薪(更正)", "urgent")


def test_fields_the_document_does_not_list_are_refused_and_change_nothing(
    client, tree, county_cadre, wage_category
):
    from huigong.cases.models import Case

    case = _submit(client, county_cadre, tree.huangtupu)
    response = client.post(
        f"{API}/cases/cases/{case['id']}/update",
        {"name": "白地市镇执法检查", "start_date": "2026-03-01"},
        content_type="application/json",
        **bearer(county_cadre),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.payload.name", "body.payload.start_date"}
    assert Case.objects.get(pk=case["id"]).title == case["title"]


def test_applicant_person_id_links_the_existing_worker(client, tree, county_cadre, wage_category):
    from huigong.cases.models import Case, CaseCategory
    from huigong.testing.factories import PersonFactory

    person = PersonFactory(organization=tree.xinfa, name="刘洋")
    response = client.post(
        f"{API}/cases/cases",
        {
            "category_id": CaseCategory.objects.get(code="wage_arrears").pk,
            "description": "加班费未发",
            "organization_id": tree.huangtupu.pk,
            "applicants": [{"person_id": person.pk}],
        },
        content_type="application/json",
        **bearer(county_cadre),
    )
    assert response.status_code == 201, response.content[:500]
    case = Case.objects.get(pk=response.json()["id"])
    assert list(case.parties.values_list("person_id", flat=True)) == [person.pk]


# -- defects the fuzz run found -------------------------------------------------------------------


def test_department_ids_beyond_64_bits_are_refused_not_a_server_error(client, tree, county_cadre):
    from huigong.inspections.models import Inspection

    payload = {
        "organization_id": tree.huangtupu.pk,
        "name": "黄土铺镇民营企业用工检查",
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
        "department_ids": [7618573119957680438386884608],
    }
    response = client.post(
        f"{API}/cases/inspections", payload, content_type="application/json", **bearer(county_cadre)
    )
    assert response.status_code == 422, response.content[:300]
    assert response.json()["errors"][0]["field"] == "body.payload.department_ids.0"
    assert not Inspection.objects.exists()
