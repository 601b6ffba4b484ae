"""Going up the tree: escalating a case to the parent organization (by a handler, or by
the deadline sweep), and supervision (督办) by an organization above the case."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.common.fields import FieldErrors
from huigong.common.workdays import add_working_days
from huigong.kernel.scope import user_can_at
from huigong.orgs.models import Organization

from .. import events
from ..models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseStatus,
    NotificationKind,
    Supervision,
)
from .base import (
    ACCEPT_DAYS,
    HANDLE,
    NOTE_MAX_LENGTH,
    SUPERVISE,
    SUPERVISION_DAYS,
    _ancestors_and_self,
    _clean_note,
    _is_worker,
    _lock,
    _lock_to_act,
    _logged,
    _now,
    _parent,
    _require,
    _require_status,
    _required_text,
    _responsible,
    handlers_at,
    notify,
)


def escalate_to_parent(
    case: Case, *, actor, reason: str, automatic: bool, now: datetime.datetime | None = None
) -> Case:
    """Move a locked case to the parent organization, awaiting acceptance there with
    fresh deadlines (the parent gets the category's time again, counted from today)."""
    parent = _parent(case.organization)
    if parent is None:
        raise ValidationError(_("该诉求已在最高一级组织,无法继续上报"), code="no_parent")
    now = _now(now)
    day = timezone.localdate(now)
    from_status, from_org = case.status, case.organization
    note = _("%(how)s上报至“%(org)s”") % {
        "how": _("逾期自动") if automatic else "",
        "org": parent.name,
    }
    with _logged(actor, case, note):
        case.escalate()
        case.organization = parent
        case.assignee = None
        case.accepted_at = None
        case.accept_due = add_working_days(day, ACCEPT_DAYS)
        case.due_date = add_working_days(day, case.category.days_for(case.complexity))
        case.is_overdue = False
        case.due_soon = False
        case.acceptance_overdue_notified_at = None
        case.escalation_count = F("escalation_count") + 1
        case.save()
        case.refresh_from_db(fields=["escalation_count"])
        events.case_escalated_event(
            case=case,
            actor=actor,
            from_status=from_status,
            from_org=from_org,
            reason=reason,
            automatic=automatic,
            time=now,
        )
    notify([*handlers_at(parent), case.owner], case, NotificationKind.ESCALATED)
    return case


@transaction.atomic
def escalate_case(*, actor, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """Escalate (上报) a case to the parent organization, with a reason; it awaits
    acceptance there. The deadline sweep escalates overdue cases automatically."""
    case = _lock_to_act(
        actor,
        case,
        [CaseStatus.NEW, CaseStatus.ACCEPTED],
        _("上报"),
        _("您没有上报该诉求的权限"),
    )
    reason = _clean_note(reason, "reason", required=True)
    return escalate_to_parent(case, actor=actor, reason=reason, automatic=False, now=now)


def supervising_organization(actor, case: Case) -> Organization | None:
    """The nearest organization above the case's where ``actor`` may supervise."""
    for org in _ancestors_and_self(case.organization)[1:]:
        if actor is None or user_can_at(actor, SUPERVISE, org.path):
            return org
    return None


@transaction.atomic
def supervise_case(
    *,
    actor,
    case: Case,
    comment: str,
    days: int = SUPERVISION_DAYS,
    now: datetime.datetime | None = None,
) -> Supervision:
    """Supervise (督办) an open case from a higher level: the handler must answer the
    comment within ``days`` working days (``answer_supervision``)."""
    case = _lock(case)
    if _is_worker(actor):
        raise PermissionDenied(_("您没有督办该诉求的权限"))
    organization = supervising_organization(actor, case)
    if organization is None:
        raise PermissionDenied(_("只有上级组织可以督办该诉求"))
    _require_status(case, OPEN_STATUSES, _("督办"))
    errors = FieldErrors()
    comment = _required_text(comment, "comment", NOTE_MAX_LENGTH, errors)
    if not isinstance(days, int) or not 1 <= days <= 30:
        errors.add("days", _("回复期限应为 1 到 30 个工作日"))
    errors.raise_if_any()
    now = _now(now)
    with _logged(actor, case, _("督办")):
        supervision = Supervision.objects.create(
            case=case,
            organization=organization,
            supervised_by=actor,
            created_at=now,
            comment=comment,
            due_date=add_working_days(timezone.localdate(now), days),
        )
        case.supervised = True
        case.save(update_fields=["supervised", "updated_at"])
        events.case_supervised_event(case=case, actor=actor, supervision=supervision, time=now)
        record_change(actor=actor, obj=supervision, action=ChangeAction.CREATE)
    notify(_responsible(case) or handlers_at(case.organization), case, NotificationKind.SUPERVISED)
    return supervision


@transaction.atomic
def answer_supervision(
    *, actor, supervision: Supervision | int, response: str, now: datetime.datetime | None = None
) -> Supervision:
    """The handler's answer to a supervision; the case stays "supervised" while another
    supervision is unanswered."""
    pk = supervision.pk if isinstance(supervision, Supervision) else supervision
    try:
        supervision = Supervision.objects.select_for_update().get(pk=pk)
    except (Supervision.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"supervision": [_("督办记录不存在")]}, code="not_found")
    case = _lock(supervision.case)
    _require(actor, HANDLE, case.organization, _("您没有回复该督办的权限"))
    if case.status in FINAL_STATUSES:
        _require_status(case, [], _("回复督办"))
    if supervision.responded_at is not None:
        raise ValidationError(_("该督办已回复"), code="invalid_state")
    response = _clean_note(response, "response", required=True)
    supervision.response = response
    supervision.responded_at = _now(now)
    supervision.responded_by = actor
    supervision.save(update_fields=["response", "responded_at", "responded_by"])
    record_change(
        actor=actor,
        obj=supervision,
        action=ChangeAction.UPDATE,
        before={"response": ""},
        after={"response": response},
    )
    if not case.supervisions.filter(responded_at__isnull=True).exists():
        with _logged(actor, case, _("督办已回复")):
            case.supervised = False
            case.save(update_fields=["supervised", "updated_at"])
    events.supervision_answered_event(
        case=case, actor=actor, supervision=supervision, time=supervision.responded_at
    )
    return supervision
