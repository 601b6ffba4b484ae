"""Workbench pages of joint labour inspections: the permission matrix, the list, its
query count and export, the plan form and the action forms with bad input."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from huigong.cases.models import Case, Channel
from huigong.inspections import services
from huigong.inspections.models import (
    Inspection,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from huigong.testing.factories import OrganizationFactory, make_id_number

from .conftest import at

pytestmark = pytest.mark.django_db

LIST = reverse("inspections:list")
CREATE = reverse("inspections:create")


def detail(inspection):
    return reverse("inspections:detail", args=[inspection.pk])


def action(inspection, name):
    return reverse("inspections:action", args=[inspection.pk, name])


@pytest.fixture
def theirs(campaign, sibling_cadre, tree):
    return campaign(name="白地市镇的检查", organization=tree.baidishi, actor=sibling_cadre)


def state(inspection):
    inspection.refresh_from_db()
    return (
        inspection.status,
        inspection.events.count(),
        InspectionTarget.objects.filter(inspection=inspection).count(),
        InspectionFinding.objects.filter(target__inspection=inspection).count(),
        RectificationOrder.objects.filter(finding__target__inspection=inspection).count(),
    )


# -- permission matrix ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, running):
    for url in (LIST, CREATE, detail(running)):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
    before = state(running)
    response = client.post(action(running, "start"))
    assert response.status_code == 302
    assert state(running) == before


def test_worker_goes_to_portal(login, worker, running):
    response = login(worker).get(LIST)
    assert response.status_code == 302


def test_staff_without_permission_gets_403(login, finance, running):
    client = login(finance)
    for url in (LIST, CREATE, detail(running)):
        assert client.get(url).status_code == 403
    before = state(running)
    assert client.post(action(running, "cancel"), {"cancel-reason": "x"}).status_code == 403
    assert state(running) == before


def test_out_of_scope_campaign_is_404(login, sibling_cadre, running):
    client = login(sibling_cadre)
    before = state(running)
    assert client.get(detail(running)).status_code == 404
    assert client.get(reverse("inspections:edit", args=[running.pk])).status_code == 404
    assert client.post(action(running, "cancel"), {"cancel-reason": "越权"}).status_code == 404
    assert state(running) == before
    assert running.name not in client.get(LIST).content.decode()


def test_viewer_without_manage_sees_but_cannot_act(login, station_staff, running):
    client = login(station_staff)
    response = client.get(detail(running))
    assert response.status_code == 200
    body = response.content.decode()
    assert running.name in body
    assert 'data-testid="action-finish"' not in body
    assert client.get(CREATE).status_code == 403
    before = state(running)
    response = client.post(action(running, "cancel"), {"cancel-reason": "无权"})
    assert response.status_code == 403
    assert state(running) == before


def test_unknown_action_is_404(login, township_cadre, running):
    assert login(township_cadre).post(action(running, "explode")).status_code == 404


# -- list --------------------------------------------------------------------------------------


def test_list_shows_scope_and_totals(login, township_cadre, county_cadre, running, theirs):
    body = login(township_cadre).get(LIST).content.decode()
    assert running.name in body
    assert theirs.name not in body
    body = login(county_cadre).get(LIST).content.decode()
    assert running.name in body and theirs.name in body


def test_list_filters(login, county_cadre, running, theirs, tree):
    client = login(county_cadre)
    body = client.get(LIST, {"organization": tree.baidishi.pk}).content.decode()
    assert theirs.name in body and running.name not in body
    body = client.get(LIST, {"year": 2024}).content.decode()
    assert running.name not in body
    body = client.get(LIST, {"year": 2025, "status": "in_progress"}).content.decode()
    assert running.name in body
    for bad in ({"year": "99999999999999999999"}, {"status": "bogus"}, {"year": "abc"}):
        response = client.get(LIST, bad)
        assert response.status_code == 200
        assert running.name not in response.content.decode()


def test_list_query_count_does_not_grow(
    login, township_cadre, campaign, running, django_assert_max_num_queries
):
    client = login(township_cadre)
    client.get(LIST)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    baseline = len(few.captured_queries)
    for i in range(6):
        campaign(name=f"第 {i} 次检查")
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST)
    assert response.content.decode().count('data-testid="inspection-name"') == 7


def test_export_is_what_the_list_shows(login, county_cadre, auditor, running, theirs, tree):
    response = login(county_cadre).get(LIST, {"organization": tree.huangtupu.pk, "export": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["检查名称", "组织单位", "检查期间", "状态"]
    assert len(rows) == 2
    assert rows[1][0] == running.name
    assert rows[1][2] == "2025-09-01 ~ 2025-09-30"
    assert rows[1][3] == "检查中"
    assert [int(v) for v in rows[1][4:8]] == [1, 1, 1, 0]
    assert login(auditor).get(LIST, {"export": "xlsx"}).status_code == 403


def test_detail_query_count_does_not_grow(
    login, township_cadre, running, django_assert_max_num_queries
):
    client = login(township_cadre)
    client.get(detail(running))
    with django_assert_max_num_queries(60) as few:
        client.get(detail(running))
    baseline = len(few.captured_queries)
    for i in range(4):
        target = services.add_inspection_target(
            actor=township_cadre, inspection=running, name=f"某合作社{i}"
        )
        finding = services.record_finding(
            actor=township_cadre, target=target, kind="other", description="问题"
        )
        services.issue_rectification_order(
            actor=township_cadre, finding=finding, requirement="整改", days=3
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(detail(running))
    assert response.content.decode().count('data-testid="order-row"') == 5


# -- plan form ---------------------------------------------------------------------------------


def test_create_campaign(login, township_cadre, tree, labour_inspection):
    response = login(township_cadre).post(
        CREATE,
        {
            "organization": tree.huangtupu.pk,
            "name": "2025 年民营企业劳动用工检查",
            "start_date": "2025-10-08",
            "end_date": "2025-10-31",
            "departments": [labour_inspection.pk],
            "description": "劳动合同、社保",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(inspection)
    assert inspection.status == InspectionStatus.PLANNED
    assert list(inspection.departments.all()) == [labour_inspection]


def test_create_with_bad_input_shows_messages(login, township_cadre, tree):
    client = login(township_cadre)
    response = client.post(
        CREATE,
        {
            "organization": tree.baidishi.pk,
            "name": "",
            "start_date": "2025-10-31",
            "end_date": "not a date",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-organization"' in body
    assert 'data-testid="error-name"' in body
    assert 'data-testid="error-end_date"' in body
    response = client.post(
        CREATE,
        {
            "organization": tree.huangtupu.pk,
            "name": "检查",
            "start_date": "2025-10-31",
            "end_date": "2025-10-01",
        },
    )
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Inspection.objects.exists()


def test_edit_campaign(login, township_cadre, running):
    url = reverse("inspections:edit", args=[running.pk])
    client = login(township_cadre)
    assert running.name in client.get(url).content.decode()
    response = client.post(
        url, {"name": "改名后的检查", "start_date": "2025-09-01", "end_date": "2025-10-15"}
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.name == "改名后的检查"
    assert not running.departments.exists()


# -- actions -----------------------------------------------------------------------------------


def test_full_flow_through_the_forms(login, township_cadre, tree, categories):
    client = login(township_cadre)
    firm = OrganizationFactory.child(tree.huangtupu, name="宏达建材公司工会", kind="grassroots")
    client.post(
        CREATE,
        {
            "organization": tree.huangtupu.pk,
            "name": "联合执法检查",
            "start_date": "2025-09-01",
            "end_date": "2025-12-31",
        },
    )
    inspection = Inspection.objects.get()
    assert client.post(action(inspection, "start")).status_code == 302
    response = client.post(action(inspection, "target"), {"target-organization": firm.pk})
    assert response.status_code == 302
    target = inspection.targets.get()
    response = client.post(
        action(inspection, "finding"),
        {
            "finding-target": target.pk,
            "finding-kind": "wage_arrears",
            "finding-workers_affected": "13",
            "finding-amount_involved": "115000",
            "finding-description": "拖欠 13 名职工工资 11.5 万元",
        },
    )
    assert response.status_code == 302
    finding = InspectionFinding.objects.get()
    response = client.post(
        action(inspection, "order"),
        {"order-finding": finding.pk, "order-requirement": "十日内结清", "order-days": "10"},
    )
    assert response.status_code == 302
    order = RectificationOrder.objects.get()
    body = client.get(detail(inspection)).content.decode()
    assert "剩余" in body or "今天到期" in body
    response = client.post(
        action(inspection, "rectify"),
        {
            "rectify-order": order.pk,
            "rectify-result_text": "已结清",
            "rectify-contracts_signed": "13",
            "rectify-amount_recovered": "115000.00",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == RectificationStatus.RECTIFIED
    response = client.post(
        action(inspection, "case"),
        {
            "case-finding": finding.pk,
            "case-applicant_name": "王建国",
            "case-applicant_id_number": make_id_number(),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.channel == Channel.INSPECTION
    body = client.get(detail(inspection)).content.decode()
    assert case.number in body
    assert 'data-testid="total-contracts">13<' in body
    response = client.post(action(inspection, "finish"), {"finish-summary": "检查 1 家"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINISHED


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("finding", {"finding-kind": "bogus", "finding-description": ""}, "error-finding-kind"),
        ("finding", {"finding-workers_affected": "-1"}, "error-finding-workers_affected"),
        ("order", {"order-requirement": "整改", "order-days": "0"}, "error-order-days"),
        ("order", {"order-requirement": "整改"}, "error-order-due_date"),
        ("rectify", {"rectify-result_text": ""}, "error-rectify-result_text"),
        (
            "target",
            {"target-credit_code": "123", "target-name": "某厂"},
            "error-target-credit_code",
        ),
        ("cancel", {"cancel-reason": ""}, "error-cancel-reason"),
        ("case", {"case-applicant_name": ""}, "error-case-applicant_name"),
    ],
)
def test_bad_action_input_shows_messages(login, township_cadre, running, name, data, error):
    finding = InspectionFinding.objects.get(target__inspection=running)
    order = RectificationOrder.objects.get(finding=finding)
    data = {
        "finding-target": finding.target_id,
        "finding-kind": "other",
        "finding-description": "问题",
        "order-finding": finding.pk,
        "rectify-order": order.pk,
        "case-finding": finding.pk,
        **data,
    }
    before = state(running)
    response = login(township_cadre).post(action(running, name), data)
    assert response.status_code == 400
    assert f'data-testid="{error}"' in response.content.decode()
    assert state(running) == before


def test_case_form_without_applicant_id_says_why(login, township_cadre, running, categories):
    finding = InspectionFinding.objects.get(target__inspection=running)
    response = login(township_cadre).post(
        action(running, "case"), {"case-finding": finding.pk, "case-applicant_name": "新职工"}
    )
    assert response.status_code == 400
    assert "身份证号码" in response.content.decode()
    assert not Case.objects.exists()


def test_finish_on_planned_campaign_is_state_error(login, township_cadre, plan):
    inspection = plan(name="计划中的检查", departments=())
    response = login(township_cadre).post(action(inspection, "finish"), {"finish-summary": ""})
    assert response.status_code == 400
    assert "不能结束检查" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED


def test_menu_marks_only_inspections_active(login, township_cadre, running):
    body = login(township_cadre).get(LIST).content.decode()
    assert reverse("inspections:list") in body
    from huigong.accounts.navigation import workbench_nav

    items = {
        str(i["label"]): i["active"]
        for i in workbench_nav(township_cadre, "inspections", "inspections:list")
    }
    assert items["执法检查"] is True
    assert items["诉求"] is False
    items = {
        str(i["label"]): i["active"] for i in workbench_nav(township_cadre, "cases", "cases:list")
    }
    assert items["执法检查"] is False
    assert items["诉求"] is True


def test_overdue_order_shows_days_overdue(login, township_cadre, running):
    order = RectificationOrder.objects.get(finding__target__inspection=running)
    RectificationOrder.objects.filter(pk=order.pk).update(due_date=datetime.date(2020, 1, 1))
    services.mark_overdue_rectifications(now=at(2025, 9, 1))
    body = login(township_cadre).get(detail(running)).content.decode()
    assert "已逾期" in body
    assert "逾期未整改" in body
