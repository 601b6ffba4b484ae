"""What the inspection services share: permissions, limits, the campaign lock, the
permission and state checks, the audit of a campaign, and the input cleaners of dates,
head counts and credit codes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from huigong.audit.services import change_recorded, snapshot
from huigong.common.fields import FieldErrors, clean_amount
from huigong.kernel.scope import user_can_at
from huigong.orgs.models import Organization

from ..models import Inspection, InspectionStatus

MANAGE = "inspections.manage_inspection"
VIEW_INSPECTION = "inspections.view_inspection"

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000
RESULT_MAX_LENGTH = 5000
#: The longest campaign (calendar days) and the longest rectification period (working days).
MAX_PERIOD_DAYS = 366
MAX_RECTIFICATION_DAYS = 120
#: Upper bound of head counts and contract numbers (a typo guard).
MAX_FIGURE = 100_000
#: Upper bound of an amount (found or recovered); the columns hold 12 digits.
MAX_AMOUNT = Decimal("9999999999.99")
#: The earliest date a campaign may be recorded for.
EARLIEST_DATE = datetime.date(2000, 1, 1)

#: Campaign states in which findings are followed up: orders, their results, cases.
FOLLOW_UP_STATUSES = (InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED)

INSPECTION_AUDIT_FIELDS = ("name", "start_date", "end_date", "description", "status", "summary")


def can_manage_inspection(user, organization: Organization) -> bool:
    """Whether ``user`` may run campaigns at ``organization`` (for showing forms)."""
    return (
        user is not None
        and not getattr(user, "is_worker", False)
        and user_can_at(user, MANAGE, organization.path)
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


def _lock_to_act(actor, inspection: Inspection, allowed: Iterable[str], action: str) -> Inspection:
    """The campaign locked for ``actor`` to ``action`` it: they may manage campaigns at
    its organization and its status is one of ``allowed``."""
    inspection = _lock(inspection)
    _require_manage(actor, inspection.organization)
    _require_state(inspection, allowed, action)
    return inspection


def _inspection_state(inspection: Inspection) -> dict[str, Any]:
    """What the change log follows of a campaign: its fields and its departments."""
    return {
        **snapshot(inspection, INSPECTION_AUDIT_FIELDS),
        "departments": sorted(d.pk for d in inspection.departments.all()),
    }


def _logged(actor, inspection: Inspection, note: str) -> AbstractContextManager[dict[str, Any]]:
    """Log the change the block makes to a campaign with ``note``."""
    return change_recorded(actor=actor, obj=inspection, state=_inspection_state, note=note)


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


def _amount(value: Any, name: str, errors: FieldErrors) -> Decimal | None:
    return clean_amount(value, name, errors, maximum=MAX_AMOUNT)
