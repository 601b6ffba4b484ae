"""Rectification orders (整改通知): issued for a finding with a due date in working days,
their results recorded, and the sweep that marks the ones past their due date."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change, record_created
from huigong.common.fields import FieldErrors, clean_required_text
from huigong.common.workdays import add_working_days, overdue_cutoff, register_deadline_years

from .. import events
from ..models import (
    OPEN_RECTIFICATION_STATUSES,
    InspectionFinding,
    RectificationOrder,
    RectificationStatus,
)
from .base import (
    DESCRIPTION_MAX_LENGTH,
    FOLLOW_UP_STATUSES,
    MAX_RECTIFICATION_DAYS,
    RESULT_MAX_LENGTH,
    _amount,
    _date,
    _figure,
    _lock_to_act,
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
    inspection = _lock_to_act(
        actor, finding.target.inspection, FOLLOW_UP_STATUSES, _("下达整改通知")
    )
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = FieldErrors()
    requirement = clean_required_text(requirement, "requirement", DESCRIPTION_MAX_LENGTH, errors)
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
    record_created(actor=actor, obj=order, fields=ORDER_AUDIT_FIELDS, note=_("下达整改通知"))
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
    inspection = _lock_to_act(
        actor, order.finding.target.inspection, FOLLOW_UP_STATUSES, _("登记整改结果")
    )
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in OPEN_RECTIFICATION_STATUSES:
        raise ValidationError(_("该整改通知已登记整改结果"), code="invalid_state")
    errors = FieldErrors()
    result_text = clean_required_text(result_text, "result_text", RESULT_MAX_LENGTH, errors)
    contracts = _figure(contracts_signed, "contracts_signed", errors)
    insured = _figure(workers_insured, "workers_insured", errors)
    amount = _amount(amount_recovered, "amount_recovered", errors)
    errors.raise_if_any()
    now = now or timezone.now()
    with change_recorded(actor=actor, obj=order, fields=ORDER_AUDIT_FIELDS, note=_("登记整改结果")):
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
    return order


def mark_overdue_rectifications(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark issued orders whose due date has passed (a working day has gone by after it)
    as overdue. Each row is claimed with a compare-and-set update, so two sweeps running
    at once never write the same event twice. Returns the number marked."""
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
