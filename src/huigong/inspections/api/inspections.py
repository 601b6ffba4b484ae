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

from django.db.models import Q
from ninja import Query, Router, Status
from ninja.pagination import paginate

from huigong.api import (
    ACTION_ERRORS,
    ActionRoutes,
    ErrorOut,
    Pagination,
    body_arguments,
    call_service,
)
from huigong.common.workdays import deadline_status
from huigong.orgs.api import chosen_organization, filter_organization, within

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
        qs = within(qs, filter_organization(user, filters.organization))
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
    "/inspections", response={201: InspectionOut, **ACTION_ERRORS}, summary="制定联合执法检查计划"
)
def plan_inspection(request, payload: InspectionPlanIn):
    user = _staff(request)
    organization = chosen_organization(user, payload.organization_id, "organization_id")
    arguments = {**body_arguments(payload), "organization": organization}
    inspection = call_service(services.plan_inspection, actor=user, **arguments)
    return Status(201, _detail(request, inspection))


steps = ActionRoutes(
    router,
    "/inspections/{int:inspection_id}",
    load=_load,
    detail=_detail,
    subject="inspection",
    response={200: InspectionOut, **ACTION_ERRORS},
    module=__name__,
)
steps.put("", services.update_inspection, InspectionUpdateIn, summary="修改检查计划")
steps.post("/start", services.start_inspection, summary="开始检查")
steps.post("/finish", services.finish_inspection, InspectionFinishIn, summary="结束检查")
steps.post("/cancel", services.cancel_inspection, InspectionCancelIn, summary="取消检查")


# -- targets, findings, orders, cases -----------------------------------------------------------

steps.post(
    "/targets",
    services.add_inspection_target,
    InspectionTargetIn,
    name="add_target",
    summary="添加检查对象",
    created=True,
)
steps.post(
    "/targets/{int:target_id}/visit",
    services.record_target_visit,
    TargetVisitIn,
    name="record_visit",
    summary="登记检查情况",
    part=("target", policy.target_of),
)
steps.post(
    "/targets/{int:target_id}/findings",
    services.record_finding,
    InspectionFindingIn,
    summary="登记发现问题",
    created=True,
    part=("target", policy.target_of),
)
steps.post(
    "/findings/{int:finding_id}/orders",
    services.issue_rectification_order,
    RectificationOrderIn,
    name="issue_order",
    summary="下达整改通知(期限为工作日数或日期)",
    created=True,
    part=("finding", policy.finding_of),
)
steps.post(
    "/orders/{int:order_id}/rectify",
    services.record_rectification,
    RectificationIn,
    summary="登记整改结果",
    part=("order", policy.order_of),
)


@router.post(
    "/inspections/{int:inspection_id}/findings/{int:finding_id}/case",
    response={201: CaseOpenedOut, **ACTION_ERRORS},
    summary="由发现问题立案(来源渠道:执法检查发现)",
)
def open_case(request, inspection_id: int, finding_id: int, payload: FindingCaseIn):
    inspection = _load(request, inspection_id)
    case = call_service(
        services.open_case_from_finding,
        actor=request.auth,
        finding=policy.finding_of(inspection, finding_id),
        **body_arguments(payload),
    )
    return Status(201, {"id": case.pk, "number": case.number, "organization": case.organization})
