"""Inspection API (mounted at ``/api/v1/cases/``, where it was published when inspections
were part of cases): joint labour inspection campaigns, their targets, findings,
rectification orders and the cases opened from findings, for staff.

Lists and details go through ``inspections.policy`` (``inspections.view_inspection``);
any id outside the scope is a 404. Actions call ``inspections.services`` and need
``inspections.manage_inspection`` at the campaign's organization; a campaign's
``actions`` are those its page offers (``inspections.actions``). Errors carry the stable
codes of ``huigong.api``: ``validation_error`` (field messages), ``invalid_state`` (409),
``permission_denied`` (403), ``not_found`` (404).
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from huigong.api import ErrorOut, Pagination, call_service, organization_filter_error
from huigong.common.workdays import deadline_status
from huigong.orgs.models import Organization

from .. import policy, services
from ..actions import inspection_actions
from ..models import Inspection, RectificationOrder, RectificationStatus
from .schemas import (
    CaseOpenedOut,
    FindingCaseIn,
    InspectionCancelIn,
    InspectionFindingIn,
    InspectionFinishIn,
    InspectionListOut,
    InspectionOut,
    InspectionPlanIn,
    InspectionQueryParams,
    InspectionTargetIn,
    InspectionUpdateIn,
    RectificationIn,
    RectificationOrderIn,
    TargetVisitIn,
)

#: The operation ids this router's endpoints were published with under the cases API;
#: clients generated from the OpenAPI document name their methods after them.
OPERATION_ID = "huigong_cases_api_inspections_{name}"


class InspectionRouter(Router):
    """A router whose operations keep their published ids (``OPERATION_ID``)."""

    def add_api_operation(self, path, methods, view_func, **kwargs) -> None:
        if not kwargs.get("operation_id"):
            kwargs["operation_id"] = OPERATION_ID.format(name=view_func.__name__)
        super().add_api_operation(path, methods, view_func, **kwargs)


router = InspectionRouter()


# -- helpers -------------------------------------------------------------------------------------


def _staff(request):
    policy.require_viewer(request.auth)
    return request.auth


def _load(request, inspection_id: int) -> Inspection:
    return policy.visible_inspection(_staff(request), inspection_id)


def _detail(request, inspection: Inspection) -> dict:
    inspection = Inspection.objects.select_related("organization").get(pk=inspection.pk)
    targets = policy.targets_with_rows(inspection)
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
        "totals": policy.totals(targets),
        "timeline": [
            {
                "kind": row["event"].kind,
                "label": row["label"],
                "time": row["event"].time,
                # The system (the overdue sweep) has no name here.
                "actor": row["actor"] if row["event"].actor_id else "",
                "note": row["note"],
            }
            for row in policy.inspection_timeline(inspection)
        ],
        "actions": inspection_actions.allowed_names(request.auth, inspection),
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
    qs = policy.visible_inspections(user)
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
    return policy.with_totals(qs).order_by("-start_date", "-id")


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
        target=policy.target_of(inspection, target_id),
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
        target=policy.target_of(inspection, target_id),
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
        finding=policy.finding_of(inspection, finding_id),
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
        order=policy.order_of(inspection, order_id),
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
        finding=policy.finding_of(inspection, finding_id),
        applicants=[a.model_dump() for a in payload.applicants],
        category=payload.category_id,
        kind=payload.kind.value,
        title=payload.title,
    )
    return Status(201, {"id": case.pk, "number": case.number, "organization": case.organization})
