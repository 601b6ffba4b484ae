"""The campaign itself: plan it with partner departments, correct the plan, start it,
finish it with a summary or cancel it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.services import record_created, snapshot
from huigong.common.fields import FieldErrors, clean_line, clean_multiline, clean_required_text
from huigong.orgs.models import Organization
from huigong.partners.models import Department

from .. import events
from ..models import ACTIVE_INSPECTION_STATUSES, Inspection, InspectionStatus
from .base import (
    DESCRIPTION_MAX_LENGTH,
    EARLIEST_DATE,
    MAX_PERIOD_DAYS,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    _date,
    _inspection_state,
    _lock_to_act,
    _logged,
    _require_manage,
)


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
    record_created(actor=actor, obj=inspection, state=_inspection_state, note=_("制定执法检查计划"))
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
    inspection = _lock_to_act(actor, inspection, ACTIVE_INSPECTION_STATUSES, _("修改"))
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
    with _logged(actor, inspection, _("修改执法检查计划")) as before:
        for key, value in fields.items():
            setattr(inspection, key, value)
        inspection.save(update_fields=list(fields))
        inspection.departments.set(chosen)
        after_departments = sorted(d.pk for d in chosen)
        changed = [k for k in fields if before[k] != snapshot(inspection, [k])[k]]
        if before["departments"] != after_departments:
            changed.append("departments")
        events.inspection_updated_event(inspection=inspection, actor=actor, fields=changed)
    return inspection


@transaction.atomic
def start_inspection(
    *, actor, inspection: Inspection, now: datetime.datetime | None = None
) -> Inspection:
    """Start a planned campaign (检查中): findings may be recorded from now on."""
    inspection = _lock_to_act(actor, inspection, [InspectionStatus.PLANNED], _("开始检查"))
    now = now or timezone.now()
    with _logged(actor, inspection, _("开始执法检查")) as before:
        inspection.start()
        inspection.started_at = now
        inspection.save(update_fields=["status", "started_at"])
        events.inspection_started_event(
            inspection=inspection, actor=actor, from_status=before["status"], time=now
        )
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
    inspection = _lock_to_act(actor, inspection, [InspectionStatus.IN_PROGRESS], _("结束检查"))
    errors = FieldErrors()
    summary = clean_multiline(summary, "summary", RESULT_MAX_LENGTH, errors)
    if not inspection.targets.exists():
        errors.add("summary", _("尚未添加任何检查对象,不能结束检查;不再开展请取消检查"))
    errors.raise_if_any()
    now = now or timezone.now()
    with _logged(actor, inspection, _("结束执法检查")) as before:
        inspection.finish()
        inspection.summary = summary
        inspection.finished_at = now
        inspection.save(update_fields=["status", "summary", "finished_at"])
        events.inspection_finished_event(
            inspection=inspection, actor=actor, from_status=before["status"], time=now
        )
    return inspection


@transaction.atomic
def cancel_inspection(
    *, actor, inspection: Inspection, reason: str, now: datetime.datetime | None = None
) -> Inspection:
    """Cancel a planned or running campaign, saying why."""
    inspection = _lock_to_act(actor, inspection, ACTIVE_INSPECTION_STATUSES, _("取消"))
    errors = FieldErrors()
    reason = clean_required_text(reason, "reason", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    now = now or timezone.now()
    with _logged(actor, inspection, _("取消执法检查")) as before:
        inspection.cancel()
        inspection.finished_at = now
        inspection.save(update_fields=["status", "finished_at"])
        events.inspection_cancelled_event(
            inspection=inspection,
            actor=actor,
            from_status=before["status"],
            reason=reason,
            time=now,
        )
    return inspection
