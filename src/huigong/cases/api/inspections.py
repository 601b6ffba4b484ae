"""Inspection API (mounted at ``/api/v1/cases/``): joint labour inspection campaigns, their
targets, findings, rectification orders and the cases opened from findings, for staff.

Lists and details go through ``Inspection.objects.visible_to`` (``cases.view_inspection``);
any id outside the scope is a 404. Actions call ``cases.services.inspections`` and need
``cases.manage_inspection`` at the campaign's organization. Errors carry the stable codes
of ``huigong.api``: ``validation_error`` (field messages), ``invalid_state`` (409),
``permission_denied`` (403), ``not_found`` (404).
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huigong.api import ErrorOut, InputSchema, Pagination, call_service
from huigong.common.workdays import deadline_status
from huigong.orgs.models import Organization
from huigong.orgs.scope import get_visible_or_404

from ..inspection_views import _targets_with_rows, _totals, with_totals
from ..models import (
    CaseKind,
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from ..services import inspections as services
from .cases import organization_filter_error
from .schemas import Ref

router = Router(tags=["inspections"])

VIEW = services.VIEW_INSPECTION
MAX_ID = 2**63 - 1
MAX_FIGURE = services.MAX_FIGURE


# -- schemas -------------------------------------------------------------------------------------

#: A department id as a client may send it: beyond a 64-bit integer no row can exist, and
#: the database would refuse the query (a 500) instead of finding nothing.
DepartmentId = Annotated[int, Field(ge=1, le=MAX_ID)]


class InspectionListOut(Schema):
    id: int
    name: str
    organization: Ref
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_label: str
    target_count: int
    finding_count: int
    order_count: int
    rectified_count: int
    contracts_total: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class RectificationOrderOut(Schema):
    id: int
    requirement: str
    due_date: datetime.date
    status: str
    status_label: str
    deadline: str = Field(description="剩余 N 个工作日 / 今天到期 / 已逾期 N 天(未整改的)")
    issued_at: datetime.datetime
    rectified_at: datetime.datetime | None
    rectified_on_time: bool | None
    result_text: str
    contracts_signed: int
    workers_insured: int
    amount_recovered: Decimal


class InspectionFindingOut(Schema):
    id: int
    kind: str
    kind_label: str
    workers_affected: int
    description: str
    amount_involved: Decimal | None
    case_id: int | None
    case_number: str
    recorded_at: datetime.datetime
    orders: list[RectificationOrderOut]


class InspectionTargetOut(Schema):
    id: int
    organization_id: int | None
    name: str
    credit_code: str
    visited_on: datetime.date | None
    workers_employed: int | None
    result_summary: str
    findings: list[InspectionFindingOut]


class InspectionTotalsOut(Schema):
    targets: int
    visited: int
    findings: int
    workers_affected: int
    orders: int
    rectified: int
    on_time: int
    overdue: int
    contracts_signed: int
    workers_insured: int
    amount_recovered: Decimal
    cases: int


class InspectionEventOut(Schema):
    kind: str
    label: str
    time: datetime.datetime
    actor: str
    note: str


class InspectionOut(Schema):
    id: int
    name: str
    organization: Ref
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_label: str
    description: str
    summary: str
    departments: list[Ref]
    targets: list[InspectionTargetOut]
    totals: InspectionTotalsOut
    timeline: list[InspectionEventOut]
    actions: list[str] = Field(description="当前用户可执行的操作")


class InspectionPlanIn(InputSchema):
    organization_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(max_length=800)
    start_date: datetime.date
    end_date: datetime.date
    department_ids: list[DepartmentId] = Field([], max_length=50)
    description: str = Field("", max_length=20000)


class InspectionUpdateIn(InputSchema):
    name: str = Field(max_length=800)
    start_date: datetime.date
    end_date: datetime.date
    department_ids: list[DepartmentId] = Field([], max_length=50)
    description: str = Field("", max_length=20000)


class InspectionFinishIn(InputSchema):
    summary: str = Field("", max_length=20000)


class InspectionCancelIn(InputSchema):
    reason: str = Field(max_length=8000)


class InspectionTargetIn(InputSchema):
    organization_id: int | None = Field(None, ge=1, le=MAX_ID)
    name: str = Field("", max_length=800)
    credit_code: str = Field("", max_length=72)
    visited_on: datetime.date | None = None
    workers_employed: int | None = Field(None, ge=0, le=MAX_FIGURE)
    result_summary: str = Field("", max_length=20000)


class TargetVisitIn(InputSchema):
    visited_on: datetime.date
    workers_employed: int | None = Field(None, ge=0, le=MAX_FIGURE)
    result_summary: str = Field("", max_length=20000)


class InspectionFindingIn(InputSchema):
    kind: FindingKind
    description: str = Field(max_length=20000)
    workers_affected: int = Field(0, ge=0, le=MAX_FIGURE)
    amount_involved: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class RectificationOrderIn(InputSchema):
    requirement: str = Field(max_length=20000)
    days: int | None = Field(None, ge=1, le=services.MAX_RECTIFICATION_DAYS)
    due_date: datetime.date | None = None


class RectificationIn(InputSchema):
    result_text: str = Field(max_length=20000)
    contracts_signed: int = Field(0, ge=0, le=MAX_FIGURE)
    workers_insured: int = Field(0, ge=0, le=MAX_FIGURE)
    amount_recovered: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class FindingApplicantIn(InputSchema):
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)


class FindingCaseIn(InputSchema):
    applicants: list[FindingApplicantIn] = Field(min_length=1, max_length=500)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: CaseKind = CaseKind.RIGHTS
    title: str = Field("", max_length=800)


class CaseOpenedOut(Schema):
    id: int
    number: str
    organization: Ref


class InspectionQueryParams(Schema):
    q: str = Field("", max_length=100, description="检查名称或单位")
    status: InspectionStatus | None = None
    year: int | None = Field(None, ge=2000, le=2100, description="检查期间所在年度")
    organization: int | None = Field(None, ge=1, le=MAX_ID, description="组织单位(含下级)")


# -- helpers -------------------------------------------------------------------------------------


def _staff(request):
    user = request.auth
    if getattr(user, "is_worker", False) or not user.has_perm(VIEW):
        raise PermissionDenied(_("没有查看执法检查的权限"))
    return user


def _load(request, inspection_id: int) -> Inspection:
    user = _staff(request)
    return get_visible_or_404(
        Inspection.objects.select_related("organization"), user, VIEW, pk=inspection_id
    )


def _allowed_actions(user, inspection: Inspection) -> list[str]:
    if not services.can_manage_inspection(user, inspection.organization):
        return []
    status = inspection.status
    actions = []
    if status == InspectionStatus.PLANNED:
        actions.append("start")
    if status in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS):
        actions += ["update", "add_target", "cancel"]
    if status == InspectionStatus.IN_PROGRESS:
        actions += ["record_visit", "record_finding", "finish"]
    if status in (InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED):
        actions += ["issue_order", "record_rectification", "open_case"]
    return actions


def _detail(request, inspection: Inspection) -> dict:
    inspection = Inspection.objects.select_related("organization").get(pk=inspection.pk)
    targets = _targets_with_rows(inspection)
    return {
        "id": inspection.pk,
        "name": inspection.name,
        "organization": inspection.organization,
        "start_date": inspection.start_date,
        "end_date": inspection.end_date,
        "status": inspection.status,
        "status_label": inspection.get_status_display(),
        "description": inspection.description,
        "summary": inspection.summary,
        "departments": list(inspection.departments.all()),
        "targets": [
            {
                "id": t.pk,
                "organization_id": t.organization_id,
                "name": t.name,
                "credit_code": t.credit_code,
                "visited_on": t.visited_on,
                "workers_employed": t.workers_employed,
                "result_summary": t.result_summary,
                "findings": [
                    {
                        "id": f.pk,
                        "kind": f.kind,
                        "kind_label": f.get_kind_display(),
                        "workers_affected": f.workers_affected,
                        "description": f.description,
                        "amount_involved": f.amount_involved,
                        "case_id": f.case_id,
                        "case_number": f.case.number if f.case_id else "",
                        "recorded_at": f.recorded_at,
                        "orders": [_order(o) for o in f.orders.all()],
                    }
                    for f in t.findings.all()
                ],
            }
            for t in targets
        ],
        "totals": _totals(targets),
        "timeline": [
            {
                "kind": e.kind,
                "label": e.get_kind_display(),
                "time": e.time,
                "actor": (e.actor.name or e.actor.username) if e.actor else "",
                "note": e.note,
            }
            for e in inspection.events.select_related("actor")
        ],
        "actions": _allowed_actions(request.auth, inspection),
    }


def _order(order: RectificationOrder) -> dict:
    open_ = order.status != RectificationStatus.RECTIFIED
    return {
        "id": order.pk,
        "requirement": order.requirement,
        "due_date": order.due_date,
        "status": order.status,
        "status_label": order.get_status_display(),
        "deadline": deadline_status(order.due_date).label if open_ else "",
        "issued_at": order.issued_at,
        "rectified_at": order.rectified_at,
        "rectified_on_time": order.rectified_on_time,
        "result_text": order.result_text,
        "contracts_signed": order.contracts_signed,
        "workers_insured": order.workers_insured,
        "amount_recovered": order.amount_recovered,
    }


def _target(inspection: Inspection, target_id: int) -> InspectionTarget:
    target = InspectionTarget.objects.filter(inspection=inspection, pk=target_id).first()
    if target is None:
        raise Http404
    return target


def _finding(inspection: Inspection, finding_id: int) -> InspectionFinding:
    finding = (
        InspectionFinding.objects.filter(target__inspection=inspection, pk=finding_id)
        .select_related("target")
        .first()
    )
    if finding is None:
        raise Http404
    return finding


def _order_of(inspection: Inspection, order_id: int) -> RectificationOrder:
    order = (
        RectificationOrder.objects.filter(finding__target__inspection=inspection, pk=order_id)
        .select_related("finding__target")
        .first()
    )
    if order is None:
        raise Http404
    return order


_ACTION = {200: InspectionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
_CREATED = {201: InspectionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# -- reading ---------------------------------------------------------------------------------------


@router.get(
    "/inspections",
    response={200: list[InspectionListOut], 403: ErrorOut, 422: ErrorOut},
    summary="联合执法检查列表(管辖范围内的)",
)
@paginate(Pagination)
def list_inspections(request, filters: Query[InspectionQueryParams]):
    user = _staff(request)
    qs = Inspection.objects.visible_to(user, VIEW).select_related("organization")
    if filters.q.strip():
        value = filters.q.strip()
        qs = qs.filter(Q(name__contains=value) | Q(targets__name__contains=value)).distinct()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(start_date__year__lte=filters.year, end_date__year__gte=filters.year)
    if filters.organization:
        org = Organization.objects.visible_to(user).filter(pk=filters.organization).first()
        if org is None:
            raise organization_filter_error()
        qs = qs.filter(organization__path__startswith=org.path)
    return with_totals(qs).order_by("-start_date", "-id")


@router.get(
    "/inspections/{int:inspection_id}",
    response={200: InspectionOut, 403: ErrorOut, 404: ErrorOut},
    summary="联合执法检查详情:检查对象、发现问题、整改通知、成果与检查记录",
)
def get_inspection(request, inspection_id: int):
    return _detail(request, _load(request, inspection_id))


# -- campaign --------------------------------------------------------------------------------------


@router.post(
    "/inspections",
    response={201: InspectionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="制定联合执法检查计划",
)
def plan_inspection(request, payload: InspectionPlanIn):
    user = _staff(request)
    organization = Organization.objects.visible_to(user).filter(pk=payload.organization_id).first()
    if organization is None:
        raise ValidationError({"organization_id": [_("所选组织不存在或不在您的管辖范围内")]})
    inspection = call_service(
        services.plan_inspection,
        actor=user,
        organization=organization,
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        departments=payload.department_ids,
        description=payload.description,
    )
    return Status(201, _detail(request, inspection))


@router.put("/inspections/{int:inspection_id}", response=_ACTION, summary="修改检查计划")
def update_inspection(request, inspection_id: int, payload: InspectionUpdateIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.update_inspection,
        actor=request.auth,
        inspection=inspection,
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        departments=payload.department_ids,
        description=payload.description,
    )
    return _detail(request, inspection)


@router.post("/inspections/{int:inspection_id}/start", response=_ACTION, summary="开始检查")
def start_inspection(request, inspection_id: int):
    inspection = _load(request, inspection_id)
    call_service(services.start_inspection, actor=request.auth, inspection=inspection)
    return _detail(request, inspection)


@router.post("/inspections/{int:inspection_id}/finish", response=_ACTION, summary="结束检查")
def finish_inspection(request, inspection_id: int, payload: InspectionFinishIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.finish_inspection,
        actor=request.auth,
        inspection=inspection,
        summary=payload.summary,
    )
    return _detail(request, inspection)


@router.post("/inspections/{int:inspection_id}/cancel", response=_ACTION, summary="取消检查")
def cancel_inspection(request, inspection_id: int, payload: InspectionCancelIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.cancel_inspection,
        actor=request.auth,
        inspection=inspection,
        reason=payload.reason,
    )
    return _detail(request, inspection)


# -- targets, findings, orders, cases -----------------------------------------------------------


@router.post("/inspections/{int:inspection_id}/targets", response=_CREATED, summary="添加检查对象")
def add_target(request, inspection_id: int, payload: InspectionTargetIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.add_inspection_target,
        actor=request.auth,
        inspection=inspection,
        organization=payload.organization_id,
        name=payload.name,
        credit_code=payload.credit_code,
        visited_on=payload.visited_on,
        workers_employed=payload.workers_employed,
        result_summary=payload.result_summary,
    )
    return Status(201, _detail(request, inspection))


@router.post(
    "/inspections/{int:inspection_id}/targets/{int:target_id}/visit",
    response=_ACTION,
    summary="登记检查情况",
)
def record_visit(request, inspection_id: int, target_id: int, payload: TargetVisitIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.record_target_visit,
        actor=request.auth,
        target=_target(inspection, target_id),
        visited_on=payload.visited_on,
        workers_employed=payload.workers_employed,
        result_summary=payload.result_summary,
    )
    return _detail(request, inspection)


@router.post(
    "/inspections/{int:inspection_id}/targets/{int:target_id}/findings",
    response=_CREATED,
    summary="登记发现问题",
)
def record_finding(request, inspection_id: int, target_id: int, payload: InspectionFindingIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.record_finding,
        actor=request.auth,
        target=_target(inspection, target_id),
        kind=payload.kind.value,
        description=payload.description,
        workers_affected=payload.workers_affected,
        amount_involved=payload.amount_involved,
    )
    return Status(201, _detail(request, inspection))


@router.post(
    "/inspections/{int:inspection_id}/findings/{int:finding_id}/orders",
    response=_CREATED,
    summary="下达整改通知(期限为工作日数或日期)",
)
def issue_order(request, inspection_id: int, finding_id: int, payload: RectificationOrderIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.issue_rectification_order,
        actor=request.auth,
        finding=_finding(inspection, finding_id),
        requirement=payload.requirement,
        days=payload.days,
        due_date=payload.due_date,
    )
    return Status(201, _detail(request, inspection))


@router.post(
    "/inspections/{int:inspection_id}/orders/{int:order_id}/rectify",
    response=_ACTION,
    summary="登记整改结果",
)
def record_rectification(request, inspection_id: int, order_id: int, payload: RectificationIn):
    inspection = _load(request, inspection_id)
    call_service(
        services.record_rectification,
        actor=request.auth,
        order=_order_of(inspection, order_id),
        result_text=payload.result_text,
        contracts_signed=payload.contracts_signed,
        workers_insured=payload.workers_insured,
        amount_recovered=payload.amount_recovered,
    )
    return _detail(request, inspection)


@router.post(
    "/inspections/{int:inspection_id}/findings/{int:finding_id}/case",
    response={201: CaseOpenedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="由发现问题立案(来源渠道:执法检查发现)",
)
def open_case(request, inspection_id: int, finding_id: int, payload: FindingCaseIn):
    inspection = _load(request, inspection_id)
    case = call_service(
        services.open_case_from_finding,
        actor=request.auth,
        finding=_finding(inspection, finding_id),
        applicants=[a.model_dump() for a in payload.applicants],
        category=payload.category_id,
        kind=payload.kind.value,
        title=payload.title,
    )
    return Status(201, {"id": case.pk, "number": case.number, "organization": case.organization})
