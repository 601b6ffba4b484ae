"""The inspection API: the permission matrix, the scoped paginated list and its query count,
the campaign's flow through the endpoints, and errors with stable codes."""

from __future__ import annotations

import datetime

import pytest

from huigong.cases.models import Case, Channel
from huigong.inspections.models import (
    Inspection,
    InspectionFinding,
    InspectionStatus,
    RectificationOrder,
)
from huigong.testing.factories import make_id_number

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"
#: First and last day of the later campaigns (the ``running`` one is in September).
OCTOBER = (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))


def _state(inspection):
    inspection.refresh_from_db()
    return (inspection.status, inspection.events.count(), inspection.targets.count())


def test_anonymous_is_401(client, running):
    response = client.get(f"{BASE}/inspections")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_worker_and_staff_without_permission_get_403(api, worker, finance, running):
    for user in (worker, finance):
        response = api(user).get("/inspections")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        response = api(user).post(f"/inspections/{running.pk}/cancel", {"reason": "x"})
        assert response.status_code == 403
    assert _state(running)[0] == InspectionStatus.IN_PROGRESS


def test_out_of_scope_is_404(api, sibling_cadre, running):
    client = api(sibling_cadre)
    before = _state(running)
    assert client.get(f"/inspections/{running.pk}").status_code == 404
    response = client.post(f"/inspections/{running.pk}/cancel", {"reason": "越权"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/inspections").json()["count"] == 0
    assert _state(running) == before


def test_viewer_without_manage_cannot_act(api, station_staff, running):
    client = api(station_staff)
    detail = client.get(f"/inspections/{running.pk}").json()
    assert detail["actions"] == []
    before = _state(running)
    response = client.post(f"/inspections/{running.pk}/cancel", {"reason": "无权"})
    assert response.status_code == 403
    assert _state(running) == before


def test_list_is_paginated_scoped_and_filtered(api, county_cadre, running, tree):
    client = api(county_cadre)
    body = client.get("/inspections").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["name"] == running.name
    assert row["status_label"] == "检查中"
    assert (row["target_count"], row["finding_count"], row["order_count"]) == (1, 1, 1)
    assert client.get("/inspections", year=2024).json()["count"] == 0
    assert client.get("/inspections", q="新发").json()["count"] == 1
    assert client.get("/inspections", organization=tree.baidishi.pk).json()["count"] == 0
    response = client.get("/inspections", year=1)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_list_query_count_does_not_grow(
    api, township_cadre, running, plan, django_assert_max_num_queries
):
    client = api(township_cadre)
    client.get("/inspections")
    with django_assert_max_num_queries(20) as few:
        client.get("/inspections")
    baseline = len(few.captured_queries)
    for i in range(5):
        plan(name=f"检查 {i}", start_date=OCTOBER[0], end_date=OCTOBER[1], departments=())
    with django_assert_max_num_queries(baseline):
        body = client.get("/inspections").json()
    assert body["count"] == 6


def test_campaign_through_the_api(api, township_cadre, tree, labour_inspection, categories):
    client = api(township_cadre)
    response = client.post(
        "/inspections",
        {
            "organization_id": tree.huangtupu.pk,
            "name": "联合执法检查",
            "start_date": "2025-09-01",
            "end_date": "2025-12-31",
            "department_ids": [labour_inspection.pk],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["status"] == "planned"
    assert body["departments"] == [{"id": labour_inspection.pk, "name": labour_inspection.name}]
    assert "start" in body["actions"]
    assert client.post(f"/inspections/{pk}/start").json()["status"] == "in_progress"
    body = client.post(f"/inspections/{pk}/targets", {"organization_id": tree.xinfa.pk}).json()
    target_id = body["targets"][0]["id"]
    body = client.post(
        f"/inspections/{pk}/targets/{target_id}/visit",
        {"visited_on": "2025-09-02", "workers_employed": 120},
    ).json()
    assert body["targets"][0]["workers_employed"] == 120
    response = client.post(
        f"/inspections/{pk}/targets/{target_id}/findings",
        {"kind": "social_insurance", "description": "20 人未参保", "workers_affected": 20},
    )
    assert response.status_code == 201
    finding_id = response.json()["targets"][0]["findings"][0]["id"]
    response = client.post(
        f"/inspections/{pk}/findings/{finding_id}/orders",
        {"requirement": "一个月内补缴", "days": 20},
    )
    assert response.status_code == 201
    order = response.json()["targets"][0]["findings"][0]["orders"][0]
    assert order["status"] == "issued" and order["deadline"]
    body = client.post(
        f"/inspections/{pk}/orders/{order['id']}/rectify",
        {"result_text": "已补缴", "workers_insured": 20, "amount_recovered": "3600.00"},
    ).json()
    assert body["totals"]["workers_insured"] == 20
    assert body["totals"]["rectified"] == 1
    response = client.post(
        f"/inspections/{pk}/findings/{finding_id}/case",
        {"applicants": [{"name": "王建国", "id_number": make_id_number()}]},
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.channel == Channel.INSPECTION
    assert case.category.code == "social_insurance"
    response = client.post(
        f"/inspections/{pk}/findings/{finding_id}/case",
        {"applicants": [{"name": "李四", "id_number": make_id_number()}]},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    body = client.post(f"/inspections/{pk}/finish", {"summary": "完成"}).json()
    assert body["status"] == "finished"
    assert [e["kind"] for e in body["timeline"]][-1] == "finished"
    body = client.put(
        f"/inspections/{pk}",
        {"name": "改名", "start_date": "2025-09-01", "end_date": "2025-12-31"},
    )
    assert body.status_code == 409


def test_bad_input_is_400_with_fields_and_changes_nothing(api, township_cadre, running):
    client = api(township_cadre)
    finding = InspectionFinding.objects.get(target__inspection=running)
    before = _state(running)
    response = client.post(
        f"/inspections/{running.pk}/findings/{finding.pk}/orders",
        {"requirement": "整改", "days": 5, "due_date": "2025-12-01"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(e["field"] == "due_date" for e in body["errors"])
    response = client.post(
        f"/inspections/{running.pk}/targets", {"name": "某厂", "credit_code": "123"}
    )
    assert response.status_code == 400
    response = client.post(f"/inspections/{running.pk}/cancel", {"reason": ""})
    assert response.status_code == 400
    assert RectificationOrder.objects.filter(finding=finding).count() == 1
    assert _state(running) == before


def test_ids_of_another_campaign_are_404(api, township_cadre, running, plan):
    other = plan(name="另一次检查", start_date=OCTOBER[0], end_date=OCTOBER[1], departments=())
    finding = InspectionFinding.objects.get(target__inspection=running)
    response = api(township_cadre).post(
        f"/inspections/{other.pk}/findings/{finding.pk}/orders",
        {"requirement": "整改", "days": 5},
    )
    assert response.status_code == 404
    assert Inspection.objects.count() == 2
