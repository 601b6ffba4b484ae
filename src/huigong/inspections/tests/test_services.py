"""Joint labour inspections: the campaign's states, scope, findings, rectification orders,
the overdue sweep and cases opened from findings."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huigong.audit.models import ChangeLog
from huigong.cases.models import Case, Channel
from huigong.common.workdays import add_working_days
from huigong.inspections import services
from huigong.inspections.models import (
    FindingKind,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from huigong.testing.factories import OrganizationFactory, make_id_number

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2025, 9, 1)


@pytest.fixture
def firm(tree):
    """A private firm with a union in 黄土铺镇 (besides 新发食品)."""
    return OrganizationFactory.child(
        tree.huangtupu, name="祁东县宏达建材有限公司工会", kind="grassroots", category="enterprise"
    )


@pytest.fixture
def plan(plan):
    """The conftest's ``plan``, with a description, at ``NOW``."""
    return functools.partial(plan, description="检查劳动合同签订、社保缴纳和工资支付情况", now=NOW)


@pytest.fixture
def running(plan, township_cadre):
    inspection = plan()
    return services.start_inspection(actor=township_cadre, inspection=inspection, now=NOW)


@pytest.fixture
def target(running, township_cadre, tree):
    return services.add_inspection_target(
        actor=township_cadre, inspection=running, organization=tree.xinfa, now=NOW
    )


@pytest.fixture
def finding(target, township_cadre):
    return services.record_finding(
        actor=township_cadre,
        target=target,
        kind=FindingKind.NO_CONTRACT,
        description="32 名一线职工未签订书面劳动合同",
        workers_affected=32,
        now=NOW,
    )


def _kinds(inspection) -> list[str]:
    return list(inspection.events.order_by("time", "id").values_list("kind", flat=True))


# -- campaign ----------------------------------------------------------------------------------


def test_township_cadre_plans_campaign_with_departments(plan, labour_inspection, township_cadre):
    inspection = plan()
    assert inspection.status == InspectionStatus.PLANNED
    assert list(inspection.departments.all()) == [labour_inspection]
    assert inspection.created_by == township_cadre
    assert _kinds(inspection) == [InspectionEventKind.PLANNED]
    log = ChangeLog.objects.get(object_type="inspections.inspection", object_id=str(inspection.pk))
    assert log.changes["departments"] == [None, [labour_inspection.pk]]


def test_campaign_runs_planned_started_finished(running, target, township_cadre):
    assert running.status == InspectionStatus.IN_PROGRESS
    done = services.finish_inspection(
        actor=township_cadre, inspection=running, summary="检查 1 家企业", now=NOW
    )
    assert done.status == InspectionStatus.FINISHED
    assert done.summary == "检查 1 家企业"
    assert _kinds(done) == [
        InspectionEventKind.PLANNED,
        InspectionEventKind.STARTED,
        InspectionEventKind.TARGET_ADDED,
        InspectionEventKind.FINISHED,
    ]


def test_finishing_without_targets_is_refused(running, township_cadre):
    with pytest.raises(ValidationError) as exc:
        services.finish_inspection(actor=township_cadre, inspection=running)
    assert "summary" in exc.value.message_dict
    assert Inspection.objects.get(pk=running.pk).status == InspectionStatus.IN_PROGRESS


def test_finished_campaign_cannot_be_started_or_cancelled(running, target, township_cadre):
    services.finish_inspection(actor=township_cadre, inspection=running)
    for call in (
        lambda: services.start_inspection(actor=township_cadre, inspection=running),
        lambda: services.cancel_inspection(actor=township_cadre, inspection=running, reason="x"),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.code == "invalid_state"
    assert Inspection.objects.get(pk=running.pk).status == InspectionStatus.FINISHED


def test_cancel_needs_a_reason(plan, township_cadre):
    inspection = plan()
    with pytest.raises(ValidationError) as exc:
        services.cancel_inspection(actor=township_cadre, inspection=inspection, reason=" ")
    assert "reason" in exc.value.message_dict
    cancelled = services.cancel_inspection(
        actor=township_cadre, inspection=inspection, reason="与县级检查合并"
    )
    assert cancelled.status == InspectionStatus.CANCELLED
    assert cancelled.events.get(kind=InspectionEventKind.CANCELLED).note == "与县级检查合并"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"end_date": datetime.date(2025, 8, 1)}, "end_date"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "2025-09-01"}, "start_date"),
        ({"end_date": datetime.date(2027, 1, 1)}, "end_date"),
        ({"start_date": datetime.date(1990, 1, 1)}, "start_date"),
        ({"departments": [999999]}, "departments"),
        ({"description": "x" * 6000}, "description"),
    ],
)
def test_bad_plan_input_changes_nothing(plan, overrides, field):
    with pytest.raises(ValidationError) as exc:
        plan(**overrides)
    assert field in exc.value.message_dict
    assert not Inspection.objects.exists()
    assert not InspectionEvent.objects.exists()


def test_department_of_sibling_township_is_refused(plan, tree):
    from huigong.partners.models import Department, DepartmentKind

    other = Department.objects.create(
        organization=tree.baidishi, name="白地市镇司法所", kind=DepartmentKind.JUSTICE
    )
    with pytest.raises(ValidationError) as exc:
        plan(departments=[other])
    assert "departments" in exc.value.message_dict


def test_update_changes_plan_and_records_fields(plan, township_cadre):
    inspection = plan()
    updated = services.update_inspection(
        actor=township_cadre,
        inspection=inspection,
        name="黄土铺镇劳动用工专项检查",
        start_date=inspection.start_date,
        end_date=datetime.date(2025, 10, 15),
        departments=[],
        description=inspection.description,
    )
    assert updated.name == "黄土铺镇劳动用工专项检查"
    assert updated.end_date == datetime.date(2025, 10, 15)
    assert not updated.departments.exists()
    event = updated.events.get(kind=InspectionEventKind.UPDATED)
    assert sorted(event.data["fields"]) == ["departments", "end_date", "name"]


# -- permissions and scope ---------------------------------------------------------------------


def test_station_staff_cannot_plan(plan, station_staff):
    with pytest.raises(PermissionDenied):
        plan(actor=station_staff)
    assert not Inspection.objects.exists()


def test_sibling_cadre_cannot_act_on_campaign(running, sibling_cadre, tree):
    with pytest.raises(PermissionDenied):
        services.add_inspection_target(
            actor=sibling_cadre, inspection=running, organization=tree.xinfa
        )
    with pytest.raises(PermissionDenied):
        services.cancel_inspection(actor=sibling_cadre, inspection=running, reason="越权")
    assert not running.targets.exists()
    assert Inspection.objects.get(pk=running.pk).status == InspectionStatus.IN_PROGRESS


def test_county_cadre_may_act_on_township_campaign(running, county_cadre, tree):
    target = services.add_inspection_target(
        actor=county_cadre, inspection=running, organization=tree.xinfa
    )
    assert target.name == tree.xinfa.name


def test_visible_to_scopes_every_row(finding, township_cadre, sibling_cadre, county_cadre):
    services.issue_rectification_order(
        actor=township_cadre, finding=finding, requirement="限期签订劳动合同", days=10, now=NOW
    )
    for model in (
        Inspection,
        InspectionTarget,
        InspectionFinding,
        RectificationOrder,
        InspectionEvent,
    ):
        assert model.objects.visible_to(township_cadre).exists(), model
        assert model.objects.visible_to(county_cadre).exists(), model
        assert not model.objects.visible_to(sibling_cadre).exists(), model


def test_target_outside_the_organizer_subtree_is_refused(running, township_cadre, tree):
    for org in (tree.liuquan, tree.huangtupu, tree.county):
        with pytest.raises(ValidationError) as exc:
            services.add_inspection_target(
                actor=township_cadre, inspection=running, organization=org
            )
        assert "organization" in exc.value.message_dict
    assert not running.targets.exists()


def test_free_text_target_with_credit_code(running, township_cadre):
    target = services.add_inspection_target(
        actor=township_cadre,
        inspection=running,
        name="黄土铺镇绿源种养专业合作社",
        credit_code="91430426ma4l1234xr",
    )
    assert target.organization is None
    assert target.credit_code == "91430426MA4L1234XR"
    assert target.name == "黄土铺镇绿源种养专业合作社"
    with pytest.raises(ValidationError) as exc:
        services.add_inspection_target(
            actor=township_cadre, inspection=running, name="某公司", credit_code="123"
        )
    assert "credit_code" in exc.value.message_dict


def test_same_target_twice_is_refused(target, running, township_cadre, tree):
    with pytest.raises(ValidationError) as exc:
        services.add_inspection_target(
            actor=township_cadre, inspection=running, organization=tree.xinfa
        )
    assert "name" in exc.value.message_dict
    assert running.targets.count() == 1


def test_record_visit(target, township_cadre):
    visited = services.record_target_visit(
        actor=township_cadre,
        target=target,
        visited_on=datetime.date(2025, 9, 1),
        workers_employed=120,
        result_summary="查阅花名册和工资表",
        now=NOW,
    )
    assert visited.workers_employed == 120
    with pytest.raises(ValidationError) as exc:
        services.record_target_visit(
            actor=township_cadre,
            target=target,
            visited_on=datetime.date(2025, 8, 1),
            workers_employed=-1,
            now=NOW,
        )
    assert set(exc.value.message_dict) == {"visited_on", "workers_employed"}
    assert InspectionTarget.objects.get(pk=target.pk).workers_employed == 120


# -- findings ----------------------------------------------------------------------------------


def test_finding_needs_a_running_campaign(plan, township_cadre, tree):
    inspection = plan()
    target = services.add_inspection_target(
        actor=township_cadre, inspection=inspection, organization=tree.xinfa
    )
    with pytest.raises(ValidationError) as exc:
        services.record_finding(
            actor=township_cadre, target=target, kind="no_contract", description="未签合同"
        )
    assert exc.value.code == "invalid_state"
    assert not InspectionFinding.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"description": ""}, "description"),
        ({"workers_affected": -3}, "workers_affected"),
        ({"workers_affected": "many"}, "workers_affected"),
        ({"amount_involved": "-1"}, "amount_involved"),
        ({"amount_involved": "1.234"}, "amount_involved"),
    ],
)
def test_bad_finding_input_changes_nothing(target, township_cadre, overrides, field):
    values = {"kind": "wage_arrears", "description": "拖欠 3 个月工资", "workers_affected": 5}
    values.update(overrides)
    with pytest.raises(ValidationError) as exc:
        services.record_finding(actor=township_cadre, target=target, **values)
    assert field in exc.value.message_dict
    assert not InspectionFinding.objects.exists()


# -- rectification -----------------------------------------------------------------------------


def test_order_due_in_working_days(finding, township_cadre, holidays):
    order = services.issue_rectification_order(
        actor=township_cadre, finding=finding, requirement="限期签订劳动合同", days=10, now=NOW
    )
    assert order.status == RectificationStatus.ISSUED
    assert order.due_date == add_working_days(datetime.date(2025, 9, 1), 10)
    # The National Day week is not counted.
    order2 = services.issue_rectification_order(
        actor=township_cadre,
        finding=finding,
        requirement="补缴社保",
        days=5,
        now=at(2025, 9, 29),
    )
    assert order2.due_date == datetime.date(2025, 10, 13)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"requirement": ""}, "requirement"),
        ({"days": 0}, "days"),
        ({"days": 500}, "days"),
        ({"days": 5, "due_date": datetime.date(2025, 9, 20)}, "due_date"),
        ({"due_date": datetime.date(2025, 8, 20)}, "due_date"),
        ({}, "due_date"),
    ],
)
def test_bad_order_input_changes_nothing(finding, township_cadre, kwargs, field):
    values = {"requirement": "限期整改", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.issue_rectification_order(actor=township_cadre, finding=finding, now=NOW, **values)
    assert field in exc.value.message_dict
    assert not RectificationOrder.objects.exists()


def test_rectification_records_figures(finding, township_cadre):
    order = services.issue_rectification_order(
        actor=township_cadre,
        finding=finding,
        requirement="限期签订劳动合同",
        due_date=datetime.date(2025, 9, 15),
        now=NOW,
    )
    done = services.record_rectification(
        actor=township_cadre,
        order=order,
        result_text="已与 32 名职工签订劳动合同",
        contracts_signed=32,
        workers_insured=30,
        amount_recovered="12000.50",
        now=at(2025, 9, 12),
    )
    assert done.status == RectificationStatus.RECTIFIED
    assert done.rectified_on_time is True
    assert done.contracts_signed == 32
    assert done.amount_recovered == Decimal("12000.50")
    event = finding.target.inspection.events.get(kind=InspectionEventKind.RECTIFIED)
    assert event.data["contracts_signed"] == 32
    with pytest.raises(ValidationError) as exc:
        services.record_rectification(actor=township_cadre, order=order, result_text="再次")
    assert exc.value.code == "invalid_state"


def test_bad_rectification_input_changes_nothing(finding, township_cadre):
    order = services.issue_rectification_order(
        actor=township_cadre, finding=finding, requirement="整改", days=5, now=NOW
    )
    with pytest.raises(ValidationError) as exc:
        services.record_rectification(
            actor=township_cadre,
            order=order,
            result_text="",
            contracts_signed=-1,
            workers_insured="x",
            amount_recovered="abc",
        )
    assert set(exc.value.message_dict) == {
        "result_text",
        "contracts_signed",
        "workers_insured",
        "amount_recovered",
    }
    order.refresh_from_db()
    assert order.status == RectificationStatus.ISSUED
    assert order.contracts_signed == 0


def test_orders_and_rectification_continue_after_the_campaign(finding, township_cadre):
    inspection = finding.target.inspection
    order = services.issue_rectification_order(
        actor=township_cadre, finding=finding, requirement="整改", days=5, now=NOW
    )
    services.finish_inspection(actor=township_cadre, inspection=inspection)
    done = services.record_rectification(
        actor=township_cadre, order=order, result_text="已整改", contracts_signed=3
    )
    assert done.status == RectificationStatus.RECTIFIED


def test_overdue_sweep_claims_each_order_once(finding, township_cadre, holidays):
    order = services.issue_rectification_order(
        actor=township_cadre,
        finding=finding,
        requirement="整改",
        due_date=datetime.date(2025, 9, 5),  # a Friday
        now=NOW,
    )
    # Saturday and Sunday after the deadline: no working day has passed yet.
    assert services.mark_overdue_rectifications(today=datetime.date(2025, 9, 7), now=NOW) == 0
    assert services.mark_overdue_rectifications(today=datetime.date(2025, 9, 8), now=NOW) == 1
    assert services.mark_overdue_rectifications(today=datetime.date(2025, 9, 9), now=NOW) == 0
    order.refresh_from_db()
    assert order.status == RectificationStatus.OVERDUE
    inspection = finding.target.inspection
    assert inspection.events.filter(kind=InspectionEventKind.ORDER_OVERDUE).count() == 1
    late = services.record_rectification(
        actor=township_cadre, order=order, result_text="逾期后整改", now=at(2025, 9, 10)
    )
    assert late.status == RectificationStatus.RECTIFIED
    assert late.rectified_on_time is False


def test_the_registered_sweep_marks_overdue_orders(finding, township_cadre, holidays):
    """Beat and ``sweep_deadlines`` run the inspections' own sweep from the registry."""
    from django.core.management import call_command

    from huigong.kernel.registry import RUN_SWEEP_TASK, beat_schedule

    order = services.issue_rectification_order(
        actor=township_cadre,
        finding=finding,
        requirement="整改",
        due_date=datetime.date(2025, 9, 5),
        now=NOW,
    )
    entry = beat_schedule()["sweep-inspections.rectifications"]
    assert entry["task"] == RUN_SWEEP_TASK and entry["args"] == ("inspections.rectifications",)
    call_command("sweep_deadlines", "--date", "2025-09-10", "--only", "inspections.rectifications")
    order.refresh_from_db()
    assert order.status == RectificationStatus.OVERDUE


# -- cases -------------------------------------------------------------------------------------


def test_case_opened_from_finding(finding, township_cadre, categories, tree):
    case = services.open_case_from_finding(
        actor=township_cadre,
        finding=finding,
        applicants=[{"name": "王建国", "id_number": make_id_number()}],
        now=NOW,
    )
    assert case.channel == Channel.INSPECTION
    assert case.category.code == "labour_contract"
    assert case.employer == tree.xinfa
    assert case.description == finding.description
    assert case.title == f"{tree.xinfa.name}:未签订劳动合同"
    finding.refresh_from_db()
    assert finding.case == case
    event = finding.target.inspection.events.get(kind=InspectionEventKind.CASE_OPENED)
    assert event.data["case"] == case.pk
    with pytest.raises(ValidationError) as exc:
        services.open_case_from_finding(
            actor=township_cadre,
            finding=finding,
            applicants=[{"name": "李四", "id_number": make_id_number()}],
        )
    assert exc.value.code == "invalid_state"
    assert Case.objects.count() == 1


def test_case_from_finding_needs_an_applicant(finding, township_cadre, categories):
    with pytest.raises(ValidationError) as exc:
        services.open_case_from_finding(actor=township_cadre, finding=finding)
    assert "applicants" in exc.value.message_dict
    assert not Case.objects.exists()
    finding.refresh_from_db()
    assert finding.case is None


def test_sibling_cannot_open_case_from_finding(finding, sibling_cadre, categories):
    with pytest.raises(PermissionDenied):
        services.open_case_from_finding(
            actor=sibling_cadre,
            finding=finding,
            applicants=[{"name": "王建国", "id_number": make_id_number()}],
        )
    assert not Case.objects.exists()


def test_database_refuses_negative_figures_and_reversed_period(running):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.filter(pk=running.pk).update(end_date=datetime.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        target = InspectionTarget.objects.create(inspection=running, name="甲")
        finding = InspectionFinding.objects.create(target=target, kind="other", description="x")
        RectificationOrder.objects.create(
            finding=finding,
            requirement="x",
            due_date=datetime.date(2025, 9, 9),
            amount_recovered=Decimal("-1"),
        )


# -- indicators --------------------------------------------------------------------------------


def test_indicators_count_at_the_organizer_and_roll_up(
    finding, township_cadre, county_cadre, sibling_cadre, categories, tree
):
    from huigong.kernel.indicators import get_indicator, get_ratio
    from huigong.kernel.periods import parse_period
    from huigong.stats.services import live_figures

    target = finding.target
    services.record_target_visit(
        actor=township_cadre, target=target, visited_on=datetime.date(2025, 9, 1), now=NOW
    )
    on_time = services.issue_rectification_order(
        actor=township_cadre, finding=finding, requirement="签合同", days=5, now=NOW
    )
    late = services.issue_rectification_order(
        actor=township_cadre,
        finding=finding,
        requirement="补缴社保",
        due_date=datetime.date(2025, 9, 3),
        now=NOW,
    )
    services.record_rectification(
        actor=township_cadre,
        order=on_time,
        result_text="已签",
        contracts_signed=32,
        now=at(2025, 9, 3),
    )
    services.record_rectification(
        actor=township_cadre,
        order=late,
        result_text="已补缴",
        workers_insured=30,
        amount_recovered="5000",
        now=at(2025, 9, 10),
    )
    services.open_case_from_finding(
        actor=township_cadre,
        finding=finding,
        applicants=[{"name": "王建国", "id_number": make_id_number()}],
        now=at(2025, 9, 10),
    )
    keys = [
        "cases.inspections_held",
        "cases.enterprises_inspected",
        "cases.inspection_findings",
        "cases.rectification_orders",
        "cases.rectified",
        "cases.rectified_on_time",
        "cases.inspection_contracts_signed",
        "cases.inspection_workers_insured",
        "cases.inspection_amount_recovered",
        "cases.inspection_cases",
    ]
    period = parse_period("2025-09", today=datetime.date(2025, 10, 1))
    figures = live_figures([get_indicator(k) for k in keys], tree.county, period, user=county_cadre)
    values = {k: figures.current.get((k, ""), 0) for k in keys}
    assert values == {
        "cases.inspections_held": 1,
        "cases.enterprises_inspected": 1,
        "cases.inspection_findings": 1,
        "cases.rectification_orders": 2,
        "cases.rectified": 2,
        "cases.rectified_on_time": 1,
        "cases.inspection_contracts_signed": 32,
        "cases.inspection_workers_insured": 30,
        "cases.inspection_amount_recovered": Decimal("5000.00"),
        "cases.inspection_cases": 1,
    }
    assert figures.current[("cases.inspection_findings", "no_contract")] == 1
    assert figures.by_group[tree.huangtupu.path][("cases.inspection_contracts_signed", "")] == 32
    rate = get_ratio("cases.rectified_on_time_rate").value_of(figures.current)
    assert rate == Decimal("50.0")
    hidden = live_figures([get_indicator(k) for k in keys], tree.county, period, user=sibling_cadre)
    assert not any(hidden.current.values())
