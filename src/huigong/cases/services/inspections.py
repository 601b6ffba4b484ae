"""Use cases of joint labour inspections (联合执法检查).

A union plans a campaign with partner departments (人社/劳动监察, 司法 …) over a period
(计划中), starts it (检查中), visits the target enterprises in its subtree and records
what it finds there, issues rectification orders with a due date in working days, records
their results (contracts signed, workers newly insured, money recovered), opens cases
from findings that need handling, and finishes the campaign (已结束) or cancels it.

Like the other case services, every function takes keyword-only ``actor`` (``None``: the
system), runs in one transaction, checks ``cases.manage_inspection`` at the campaign's
organization (``PermissionDenied``), the state (``ValidationError`` code
``invalid_state``) and the input (field-keyed Chinese messages), writes the campaign's
timeline (``inspection_events``) and the change log. On any error nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.fields import FieldErrors, clean_choice, clean_line, clean_multiline
from huigong.common.text import clean_code
from huigong.common.workdays import add_working_days, register_deadline_years
from huigong.orgs.models import Organization
from huigong.orgs.scope import user_can_at
from huigong.partners.models import Department
from huigong.people.models import Person

from .. import inspection_events as events
from ..models import (
    ACTIVE_INSPECTION_STATUSES,
    OPEN_RECTIFICATION_STATUSES,
    Case,
    CaseCategory,
    CaseKind,
    Channel,
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from .base import (
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    _amount,
    _is_worker,
    _required_text,
)
from .intake import submit_case

MANAGE = "cases.manage_inspection"
VIEW_INSPECTION = "cases.view_inspection"

NAME_MAX_LENGTH = 200
#: The longest campaign (calendar days) and the longest rectification period (working days).
MAX_PERIOD_DAYS = 366
MAX_RECTIFICATION_DAYS = 120
#: Upper bound of head counts and contract numbers (a typo guard).
MAX_FIGURE = 100_000
#: The earliest date a campaign may be recorded for.
EARLIEST_DATE = datetime.date(2000, 1, 1)

#: The case category a finding's case is filed under when the caller does not choose one.
FINDING_CATEGORY = {
    FindingKind.NO_CONTRACT: "labour_contract",
    FindingKind.SOCIAL_INSURANCE: "social_insurance",
    FindingKind.WAGE_ARREARS: "wage_arrears",
    FindingKind.OVERTIME: "labour_contract",
    FindingKind.SAFETY: "occupational_safety",
    FindingKind.OTHER: "other",
}

INSPECTION_AUDIT_FIELDS = ("name", "start_date", "end_date", "description", "status", "summary")
TARGET_AUDIT_FIELDS = (
    "organization",
    "name",
    "credit_code",
    "visited_on",
    "workers_employed",
    "result_summary",
)
ORDER_AUDIT_FIELDS = (
    "requirement",
    "due_date",
    "status",
    "rectified_at",
    "result_text",
    "contracts_signed",
    "workers_insured",
    "amount_recovered",
)


@register_deadline_years
def open_rectification_years() -> list[int]:
    """Years in which open rectification deadlines fall (for the holiday-schedule check)."""
    issued = RectificationOrder.objects.filter(status=RectificationStatus.ISSUED)
    return sorted({d.year for d in issued.dates("due_date", "year")})


# -- helpers -----------------------------------------------------------------------------------


def can_manage_inspection(user, organization: Organization) -> bool:
    """Whether ``user`` may run campaigns at ``organization`` (for showing forms)."""
    return (
        user is not None and not _is_worker(user) and user_can_at(user, MANAGE, organization.path)
    )


def _require_manage(actor, organization: Organization) -> None:
    if actor is None:
        return
    if not can_manage_inspection(actor, organization):
        raise PermissionDenied(_("您没有组织该执法检查的权限"))


def _lock(inspection: Inspection) -> Inspection:
    try:
        return (
            Inspection.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=inspection.pk)
        )
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"inspection": _("执法检查不存在")}, code="not_found")


def _require_state(inspection: Inspection, allowed: Iterable[str], action: str) -> None:
    if inspection.status in tuple(allowed):
        return
    raise ValidationError(
        _("执法检查当前状态为“%(status)s”,不能%(action)s")
        % {"status": inspection.get_status_display(), "action": action},
        code="invalid_state",
    )


def _log_inspection(actor, inspection: Inspection, before: dict | None, note: str) -> None:
    record_change(
        actor=actor,
        obj=inspection,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        before=before,
        after={
            **snapshot(inspection, INSPECTION_AUDIT_FIELDS),
            "departments": sorted(d.pk for d in inspection.departments.all()),
        },
        note=note,
    )


def _date(value: Any, name: str, errors: FieldErrors, *, required: bool = True):
    if value is None or value == "":
        if required:
            errors.add(name, _("请填写日期"))
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        errors.add(name, _("请填写有效的日期"))
        return None
    return value


def _figure(value: Any, name: str, errors: FieldErrors, *, default: int | None = 0) -> int | None:
    """A whole non-negative number (head count, contracts)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        errors.add(name, _("请填写整数"))
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        errors.add(name, _("请填写整数"))
        return default
    if isinstance(value, float) and value != number:
        errors.add(name, _("请填写整数"))
        return default
    if number < 0:
        errors.add(name, _("不能为负数"))
        return default
    if number > MAX_FIGURE:
        errors.add(name, _("数值过大,请核对"))
        return default
    return number


def _credit_code(value: Any, name: str, errors: FieldErrors) -> str:
    code = clean_code(str(value or ""))[:72]
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidLength:
        errors.add(name, _("统一社会信用代码应为 18 位"))
    except stdnum_errors.ValidationError:
        errors.add(name, _("统一社会信用代码校验不通过,请核对"))
    return ""


def usable_inspection_departments(organization: Organization) -> QuerySet[Department]:
    """Active partner departments a campaign at ``organization`` may be run with: those
    registered there or at an ancestor (the county's 劳动监察 serves every township)."""
    return Department.objects.active().usable_at(organization).order_by("name", "pk")


def _departments(value: Any, organization: Organization, errors: FieldErrors) -> list[Department]:
    items = list(value or [])
    if not items:
        return []
    ids = []
    for item in items:
        ids.append(item.pk if isinstance(item, Department) else item)
    try:
        found = list(usable_inspection_departments(organization).filter(pk__in=ids))
    except (ValueError, TypeError, ValidationError):
        found = []
    if len(found) != len(set(ids)):
        errors.add("departments", _("联合部门须为本级或上级登记的、启用中的协作部门"))
    return found


def _period(start: Any, end: Any, errors: FieldErrors, today: datetime.date):
    start = _date(start, "start_date", errors)
    end = _date(end, "end_date", errors)
    latest = today + datetime.timedelta(days=2 * 366)
    if start is not None and not EARLIEST_DATE <= start <= latest:
        errors.add("start_date", _("开始日期超出允许范围,请核对"))
        start = None
    if end is not None and not EARLIEST_DATE <= end <= latest:
        errors.add("end_date", _("结束日期超出允许范围,请核对"))
        end = None
    if start is not None and end is not None:
        if end < start:
            errors.add("end_date", _("结束日期不能早于开始日期"))
        elif (end - start).days > MAX_PERIOD_DAYS:
            errors.add("end_date", _("一次检查的期限不能超过一年"))
    return start, end


def _plan_fields(
    *,
    organization: Organization,
    name: Any,
    start_date: Any,
    end_date: Any,
    departments: Any,
    description: Any,
    today: datetime.date,
) -> dict[str, Any]:
    errors = FieldErrors()
    name = clean_line(name, "name", NAME_MAX_LENGTH, errors, required=True)
    start, end = _period(start_date, end_date, errors, today)
    chosen = _departments(departments, organization, errors)
    description = clean_multiline(description, "description", DESCRIPTION_MAX_LENGTH, errors)
    errors.raise_if_any()
    return {
        "name": name,
        "start_date": start,
        "end_date": end,
        "departments": chosen,
        "description": description,
    }


# -- campaign ----------------------------------------------------------------------------------


@transaction.atomic
def plan_inspection(
    *,
    actor,
    organization: Organization,
    name: str,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    departments: Iterable[Any] = (),
    description: str = "",
    now: datetime.datetime | None = None,
) -> Inspection:
    """Plan a campaign (计划中) organised by ``organization`` with partner departments."""
    if not isinstance(organization, Organization):
        raise ValidationError({"organization": [_("请选择组织单位")]})
    _require_manage(actor, organization)
    now = now or timezone.now()
    fields = _plan_fields(
        organization=organization,
        name=name,
        start_date=start_date,
        end_date=end_date,
        departments=departments,
        description=description,
        today=timezone.localdate(now),
    )
    chosen = fields.pop("departments")
    inspection = Inspection.objects.create(
        organization=organization,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
        **fields,
    )
    inspection.departments.set(chosen)
    events.inspection_planned_event(inspection=inspection, actor=actor, time=now)
    _log_inspection(actor, inspection, None, _("制定执法检查计划"))
    return inspection


@transaction.atomic
def update_inspection(
    *,
    actor,
    inspection: Inspection,
    name: str,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    departments: Iterable[Any] = (),
    description: str = "",
) -> Inspection:
    """Correct a planned or running campaign's name, period, departments and content."""
    inspection = _lock(inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, ACTIVE_INSPECTION_STATUSES, _("修改"))
    fields = _plan_fields(
        organization=inspection.organization,
        name=name,
        start_date=start_date,
        end_date=end_date,
        departments=departments,
        description=description,
        today=timezone.localdate(),
    )
    chosen = fields.pop("departments")
    before = {
        **snapshot(inspection, INSPECTION_AUDIT_FIELDS),
        "departments": sorted(d.pk for d in inspection.departments.all()),
    }
    for key, value in fields.items():
        setattr(inspection, key, value)
    inspection.save(update_fields=list(fields))
    inspection.departments.set(chosen)
    after_departments = sorted(d.pk for d in chosen)
    changed = [k for k in fields if before[k] != snapshot(inspection, [k])[k]]
    if before["departments"] != after_departments:
        changed.append("departments")
    events.inspection_updated_event(inspection=inspection, actor=actor, fields=changed)
    _log_inspection(actor, inspection, before, _("修改执法检查计划"))
    return inspection


@transaction.atomic
def start_inspection(
    *, actor, inspection: Inspection, now: datetime.datetime | None = None
) -> Inspection:
    """Start a planned campaign (检查中): findings may be recorded from now on."""
    inspection = _lock(inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, [InspectionStatus.PLANNED], _("开始检查"))
    now = now or timezone.now()
    before = snapshot(inspection, INSPECTION_AUDIT_FIELDS)
    inspection.start()
    inspection.started_at = now
    inspection.save(update_fields=["status", "started_at"])
    events.inspection_started_event(
        inspection=inspection, actor=actor, from_status=before["status"], time=now
    )
    _log_inspection(actor, inspection, before, _("开始执法检查"))
    return inspection


@transaction.atomic
def finish_inspection(
    *,
    actor,
    inspection: Inspection,
    summary: str = "",
    now: datetime.datetime | None = None,
) -> Inspection:
    """Finish a running campaign (已结束) with a summary. Rectification orders already
    issued keep running and are followed up after the campaign."""
    inspection = _lock(inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, [InspectionStatus.IN_PROGRESS], _("结束检查"))
    errors = FieldErrors()
    summary = clean_multiline(summary, "summary", RESULT_MAX_LENGTH, errors)
    if not inspection.targets.exists():
        errors.add("summary", _("尚未添加任何检查对象,不能结束检查;不再开展请取消检查"))
    errors.raise_if_any()
    now = now or timezone.now()
    before = snapshot(inspection, INSPECTION_AUDIT_FIELDS)
    inspection.finish()
    inspection.summary = summary
    inspection.finished_at = now
    inspection.save(update_fields=["status", "summary", "finished_at"])
    events.inspection_finished_event(
        inspection=inspection, actor=actor, from_status=before["status"], time=now
    )
    _log_inspection(actor, inspection, before, _("结束执法检查"))
    return inspection


@transaction.atomic
def cancel_inspection(
    *, actor, inspection: Inspection, reason: str, now: datetime.datetime | None = None
) -> Inspection:
    """Cancel a planned or running campaign, saying why."""
    inspection = _lock(inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, ACTIVE_INSPECTION_STATUSES, _("取消"))
    errors = FieldErrors()
    reason = _required_text(reason, "reason", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    now = now or timezone.now()
    before = snapshot(inspection, INSPECTION_AUDIT_FIELDS)
    inspection.cancel()
    inspection.finished_at = now
    inspection.save(update_fields=["status", "finished_at"])
    events.inspection_cancelled_event(
        inspection=inspection, actor=actor, from_status=before["status"], reason=reason, time=now
    )
    _log_inspection(actor, inspection, before, _("取消执法检查"))
    return inspection


# -- targets and findings ----------------------------------------------------------------------


def target_organizations(inspection: Inspection) -> QuerySet[Organization]:
    """Organizations a campaign may inspect: those below its organizer."""
    org = inspection.organization
    return (
        Organization.objects.active()
        .filter(path__startswith=org.path, depth__gt=org.depth)
        .order_by("path")
    )


def _visit_fields(
    visited_on: Any,
    workers_employed: Any,
    result_summary: Any,
    inspection: Inspection,
    errors: FieldErrors,
    today: datetime.date,
) -> dict[str, Any]:
    visited = _date(visited_on, "visited_on", errors, required=False)
    if visited is not None:
        if visited > today:
            errors.add("visited_on", _("检查日期不能晚于今天"))
        elif visited < inspection.start_date:
            errors.add("visited_on", _("检查日期不能早于检查开始日期"))
    return {
        "visited_on": visited,
        "workers_employed": _figure(workers_employed, "workers_employed", errors, default=None),
        "result_summary": clean_multiline(
            result_summary, "result_summary", RESULT_MAX_LENGTH, errors
        ),
    }


@transaction.atomic
def add_inspection_target(
    *,
    actor,
    inspection: Inspection,
    organization: Organization | int | None = None,
    name: str = "",
    credit_code: str = "",
    visited_on: datetime.date | None = None,
    workers_employed: int | None = None,
    result_summary: str = "",
    now: datetime.datetime | None = None,
) -> InspectionTarget:
    """Add an enterprise to a planned or running campaign: a union in the organizer's
    subtree, or a firm without a union by name (and credit code)."""
    inspection = _lock(inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, ACTIVE_INSPECTION_STATUSES, _("添加检查对象"))
    now = now or timezone.now()
    errors = FieldErrors()
    org = None
    if organization not in (None, ""):
        allowed = target_organizations(inspection)
        pk = organization.pk if isinstance(organization, Organization) else organization
        try:
            org = allowed.filter(pk=pk).first()
        except (ValueError, TypeError, ValidationError):
            org = None
        if org is None:
            errors.add("organization", _("检查对象须为组织单位下属的单位"))
    name = clean_line(name, "name", NAME_MAX_LENGTH, errors)
    code = _credit_code(credit_code, "credit_code", errors)
    if org is not None:
        name = name or org.name
        code = code or (org.credit_code or "")
    if not name and "name" not in errors and "organization" not in errors:
        errors.add("name", _("请选择已建会单位或填写单位名称"))
    visit = _visit_fields(
        visited_on, workers_employed, result_summary, inspection, errors, timezone.localdate(now)
    )
    errors.raise_if_any()
    if inspection.targets.filter(name=name).exists() or (
        org is not None and inspection.targets.filter(organization=org).exists()
    ):
        raise ValidationError({"name": [_("该单位已在本次检查对象中")]})
    try:
        with transaction.atomic():
            target = InspectionTarget.objects.create(
                inspection=inspection,
                organization=org,
                name=name,
                credit_code=code[:18],
                created_at=now,
                **visit,
            )
    except IntegrityError:
        raise ValidationError({"name": [_("该单位已在本次检查对象中")]})
    events.target_added_event(target=target, actor=actor, time=now)
    record_change(
        actor=actor,
        obj=target,
        action=ChangeAction.CREATE,
        after=snapshot(target, TARGET_AUDIT_FIELDS),
        note=_("添加检查对象"),
    )
    return target


@transaction.atomic
def record_target_visit(
    *,
    actor,
    target: InspectionTarget,
    visited_on: datetime.date | None,
    workers_employed: int | None = None,
    result_summary: str = "",
    now: datetime.datetime | None = None,
) -> InspectionTarget:
    """Record the visit of a target enterprise: the date, its head count, what was seen."""
    inspection = _lock(target.inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, [InspectionStatus.IN_PROGRESS], _("登记检查情况"))
    target = InspectionTarget.objects.select_for_update().get(pk=target.pk)
    errors = FieldErrors()
    if visited_on in (None, ""):
        errors.add("visited_on", _("请填写检查日期"))
    visit = _visit_fields(
        visited_on, workers_employed, result_summary, inspection, errors, timezone.localdate(now)
    )
    errors.raise_if_any()
    before = snapshot(target, TARGET_AUDIT_FIELDS)
    for key, value in visit.items():
        setattr(target, key, value)
    target.save(update_fields=list(visit))
    target.inspection = inspection
    events.target_visited_event(target=target, actor=actor, time=now)
    record_change(
        actor=actor,
        obj=target,
        action=ChangeAction.UPDATE,
        before=before,
        after=snapshot(target, TARGET_AUDIT_FIELDS),
        note=_("登记检查情况"),
    )
    return target


@transaction.atomic
def record_finding(
    *,
    actor,
    target: InspectionTarget,
    kind: str,
    description: str,
    workers_affected: int | None = 0,
    amount_involved: Any = None,
    now: datetime.datetime | None = None,
) -> InspectionFinding:
    """Record a problem found at a target enterprise of a running campaign."""
    inspection = _lock(target.inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, [InspectionStatus.IN_PROGRESS], _("登记发现问题"))
    errors = FieldErrors()
    kind = clean_choice(kind, FindingKind, "kind", errors, _("请选择问题类型"))
    description = _required_text(description, "description", DESCRIPTION_MAX_LENGTH, errors)
    workers = _figure(workers_affected, "workers_affected", errors)
    amount = _amount(amount_involved, "amount_involved", errors)
    errors.raise_if_any()
    now = now or timezone.now()
    finding = InspectionFinding.objects.create(
        target=target,
        kind=kind,
        description=description,
        workers_affected=workers,
        amount_involved=amount,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=now,
    )
    finding.target.inspection = inspection
    events.finding_recorded_event(finding=finding, actor=actor, time=now)
    record_change(actor=actor, obj=finding, action=ChangeAction.CREATE, note=_("登记发现问题"))
    return finding


# -- rectification -----------------------------------------------------------------------------


@transaction.atomic
def issue_rectification_order(
    *,
    actor,
    finding: InspectionFinding,
    requirement: str,
    days: int | None = None,
    due_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> RectificationOrder:
    """Order the enterprise to put a finding right (整改通知) by ``due_date`` or within
    ``days`` working days of today."""
    inspection = _lock(finding.target.inspection)
    _require_manage(actor, inspection.organization)
    _require_state(
        inspection,
        [InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED],
        _("下达整改通知"),
    )
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = FieldErrors()
    requirement = _required_text(requirement, "requirement", DESCRIPTION_MAX_LENGTH, errors)
    due = None
    if days not in (None, ""):
        count = _figure(days, "days", errors, default=None)
        if count is not None and not 1 <= count <= MAX_RECTIFICATION_DAYS:
            errors.add(
                "days",
                _("整改期限应为 1 至 %(n)d 个工作日") % {"n": MAX_RECTIFICATION_DAYS},
            )
        elif count is not None:
            due = add_working_days(today, count)
        if due_date not in (None, ""):
            errors.add("due_date", _("整改期限请只填写工作日数或日期中的一项"))
    else:
        due = _date(due_date, "due_date", errors)
        if due is not None and due <= today:
            errors.add("due_date", _("整改期限应晚于今天"))
        elif due is not None and due > today + datetime.timedelta(days=366):
            errors.add("due_date", _("整改期限不能超过一年"))
    errors.raise_if_any()
    order = RectificationOrder.objects.create(
        finding=finding,
        requirement=requirement,
        due_date=due,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        issued_at=now,
    )
    order.finding.target.inspection = inspection
    events.order_issued_event(order=order, actor=actor, time=now)
    record_change(
        actor=actor,
        obj=order,
        action=ChangeAction.CREATE,
        after=snapshot(order, ORDER_AUDIT_FIELDS),
        note=_("下达整改通知"),
    )
    return order


@transaction.atomic
def record_rectification(
    *,
    actor,
    order: RectificationOrder,
    result_text: str,
    contracts_signed: int | None = 0,
    workers_insured: int | None = 0,
    amount_recovered: Any = None,
    now: datetime.datetime | None = None,
) -> RectificationOrder:
    """Record that an order was carried out (已整改) and its results: contracts signed,
    workers newly insured, money paid to the workers. Late rectification counts, but
    not as on time."""
    inspection = _lock(order.finding.target.inspection)
    _require_manage(actor, inspection.organization)
    _require_state(
        inspection,
        [InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED],
        _("登记整改结果"),
    )
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in OPEN_RECTIFICATION_STATUSES:
        raise ValidationError(_("该整改通知已登记整改结果"), code="invalid_state")
    errors = FieldErrors()
    result_text = _required_text(result_text, "result_text", RESULT_MAX_LENGTH, errors)
    contracts = _figure(contracts_signed, "contracts_signed", errors)
    insured = _figure(workers_insured, "workers_insured", errors)
    amount = _amount(amount_recovered, "amount_recovered", errors)
    errors.raise_if_any()
    now = now or timezone.now()
    before = snapshot(order, ORDER_AUDIT_FIELDS)
    order.rectify()
    order.rectified_at = now
    order.rectified_on_time = timezone.localdate(now) <= order.due_date
    order.result_text = result_text
    order.contracts_signed = contracts
    order.workers_insured = insured
    order.amount_recovered = amount if amount is not None else Decimal("0.00")
    order.save()
    order.finding = InspectionFinding.objects.select_related("target").get(pk=order.finding_id)
    order.finding.target.inspection = inspection
    events.order_rectified_event(order=order, actor=actor, time=now)
    record_change(
        actor=actor,
        obj=order,
        action=ChangeAction.UPDATE,
        before=before,
        after=snapshot(order, ORDER_AUDIT_FIELDS),
        note=_("登记整改结果"),
    )
    return order


def mark_overdue_rectifications(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark issued orders whose due date has passed (a working day has gone by after it)
    as overdue. Each row is claimed with a compare-and-set update, so two sweeps running
    at once never write the same event twice. Returns the number marked."""
    from ..sweep import overdue_cutoff

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    cutoff = overdue_cutoff(today)
    due = RectificationOrder.objects.filter(
        status=RectificationStatus.ISSUED, due_date__lt=cutoff
    ).order_by("due_date", "pk")
    marked = 0
    for pk, due_date in due.values_list("pk", "due_date"):
        with transaction.atomic():
            claimed = RectificationOrder.objects.filter(
                pk=pk, status=RectificationStatus.ISSUED, due_date=due_date
            ).update(status=RectificationStatus.OVERDUE, overdue_marked_at=now)
            if not claimed:
                continue
            order = RectificationOrder.objects.select_related(
                "finding__target__inspection__organization"
            ).get(pk=pk)
            events.order_overdue_event(order=order, time=now)
            record_change(
                actor=None,
                obj=order,
                action=ChangeAction.UPDATE,
                before={"status": RectificationStatus.ISSUED},
                after={"status": RectificationStatus.OVERDUE},
                note=_("整改逾期"),
            )
            marked += 1
    return marked


# -- cases -------------------------------------------------------------------------------------


@transaction.atomic
def open_case_from_finding(
    *,
    actor,
    finding: InspectionFinding,
    applicants: Sequence[Person | dict] = (),
    category: CaseCategory | int | None = None,
    kind: str = CaseKind.RIGHTS,
    title: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Open a case (channel 执法检查发现) from a finding that needs handling: against the
    target enterprise, described by the finding, received by the campaign's organizer
    and routed like any case. One case per finding."""
    inspection = _lock(finding.target.inspection)
    _require_manage(actor, inspection.organization)
    _require_state(
        inspection,
        [InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED],
        _("立案"),
    )
    finding = (
        InspectionFinding.objects.select_for_update(of=("self",))
        .select_related("target__organization")
        .get(pk=finding.pk)
    )
    if finding.case_id is not None:
        raise ValidationError(_("该问题已立案,不能重复立案"), code="invalid_state")
    target = finding.target
    if category in (None, ""):
        category = CaseCategory.objects.filter(code=FINDING_CATEGORY[finding.kind]).first()
        if category is None:
            raise ValidationError({"category": [_("请选择诉求类别")]})
    errors = FieldErrors()
    title = clean_line(title, "title", TITLE_MAX_LENGTH, errors)
    errors.raise_if_any()
    default_title = _("%(name)s:%(kind)s") % {
        "name": target.name,
        "kind": finding.get_kind_display(),
    }
    case = submit_case(
        actor=actor,
        organization=inspection.organization,
        channel=Channel.INSPECTION,
        kind=kind,
        category=category,
        title=title or default_title[:TITLE_MAX_LENGTH],
        description=finding.description,
        applicants=applicants,
        employer=target.organization,
        employer_name=target.name,
        employer_credit_code=target.credit_code,
        amount_claimed=finding.amount_involved,
        now=now,
    )
    finding.case = case
    finding.save(update_fields=["case"])
    target.inspection = inspection
    events.case_opened_event(finding=finding, actor=actor, time=now)
    record_change(
        actor=actor,
        obj=finding,
        action=ChangeAction.UPDATE,
        before={"case": None},
        after={"case": case.pk},
        note=_("立案转办"),
    )
    return case
