"""Going up the tree: escalating a case to the parent organization (by a handler, or by
the deadline sweep), and supervision (督办) by an organization above the case."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import Expression, F, Value, When, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction, ChangeLog
from huigong.audit.services import change_entry, record_change
from huigong.common.bulk import insert_many
from huigong.common.fields import FieldErrors
from huigong.common.workdays import add_working_days
from huigong.kernel.notifications import notify_many
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
    _require,
    _require_status,
    _required_text,
    _responsible,
    _snapshot,
    handlers_at,
    handlers_at_many,
    notify,
)


def _parents(organizations: Iterable[Organization]) -> dict[int, Organization]:
    """Each organization's parent (``_parent``) by the organization's id, read in one
    query; raises ``ValidationError`` if one of them has none."""
    organizations = list(organizations)
    paths = {org.parent_path for org in organizations if org.depth > 1}
    found = {org.path: org for org in Organization.objects.filter(path__in=paths)} if paths else {}
    parents = {}
    for org in organizations:
        parent = found.get(org.parent_path) if org.depth > 1 else None
        if parent is None:
            raise ValidationError(_("该诉求已在最高一级组织,无法继续上报"), code="no_parent")
        parents[org.pk] = parent
    return parents


#: What an escalation changes on the case row, besides the counter (``F() + 1``).
_ESCALATED_FIELDS = (
    "status",
    "organization",
    "assignee",
    "accepted_at",
    "accept_due",
    "due_date",
    "is_overdue",
    "due_soon",
    "acceptance_overdue_notified_at",
    "updated_at",
)


def _as_held(cases: list[Case], name: str) -> Expression:
    """The value of field ``name`` that each of ``cases`` holds, as one expression for an
    ``UPDATE`` of all of them: the value itself when they share it, else a ``CASE`` with
    one branch per distinct value (a chunk of escalations goes to a few parents with a
    few deadlines, so the statement stays short)."""
    field = Case._meta.get_field(name)
    target = field.target_field if field.is_relation else field
    by_value: dict = defaultdict(list)
    for case in cases:
        by_value[getattr(case, field.attname)].append(case.pk)
    values = [Value(value, output_field=target) for value in by_value]
    if len(values) == 1:
        return values[0]
    branches = [When(pk__in=pks, then=v) for v, pks in zip(values, by_value.values(), strict=True)]
    return SqlCase(*branches, output_field=target)


def escalate_many(
    cases: Iterable[Case],
    *,
    actor=None,
    reason: str,
    automatic: bool = True,
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Move locked cases each to its parent organization, awaiting acceptance there with
    fresh deadlines (the parent gets the category's time again, counted from today): one
    level, whatever the case missed. The rows are written together — one ``UPDATE``, one
    insert each of events, change log and notifications, and one query each for the
    parents and their handlers — so a sweep escalating a thousand overdue cases sends a
    dozen statements, not seven thousand. Runs in the caller's transaction, which holds
    the rows' locks; raises before writing anything when a case is at the top of the
    tree or may not be escalated from its status."""
    cases = list(cases)
    if not cases:
        return cases
    prefetch_related_objects(cases, "organization", "category", "owner")
    parents = _parents({case.organization_id: case.organization for case in cases}.values())
    handlers = handlers_at_many({parent.pk: parent for parent in parents.values()}.values())
    how = _("逾期自动") if automatic else ""
    notes = {
        pk: _("%(how)s上报至“%(org)s”") % {"how": how, "org": p.name} for pk, p in parents.items()
    }
    now = _now(now)
    day = timezone.localdate(now)
    accept_due = add_working_days(day, ACCEPT_DAYS)
    due_dates: dict[int, datetime.date] = {}
    updated_at = timezone.now()
    moves = []  # (case, its snapshot before, where it came from)
    for case in cases:
        before, from_org = _snapshot(case), case.organization
        case.escalate()
        case.organization = parents[from_org.pk]
        case.assignee = None
        case.accepted_at = None
        case.accept_due = accept_due
        days = case.category.days_for(case.complexity)
        if days not in due_dates:
            due_dates[days] = add_working_days(day, days)
        case.due_date = due_dates[days]
        case.is_overdue = False
        case.due_soon = False
        case.acceptance_overdue_notified_at = None
        case.updated_at = updated_at
        moves.append((case, before, from_org))

    rows = Case.objects.filter(pk__in=[case.pk for case in cases])
    rows.update(
        **{name: _as_held(cases, name) for name in _ESCALATED_FIELDS},
        escalation_count=F("escalation_count") + 1,
    )
    counts = dict(rows.values_list("pk", "escalation_count"))
    for case in cases:
        case.escalation_count = counts[case.pk]

    insert_many(
        ChangeLog,
        [
            change_entry(
                actor=actor,
                obj=case,
                action=ChangeAction.UPDATE,
                before=before,
                after=_snapshot(case),
                note=notes[from_org.pk],
            )
            for case, before, from_org in moves
        ],
    )
    # The rows of one writer share their ``from_status``: one insert per status left.
    escalated_from: dict[str, list[dict]] = defaultdict(list)
    for case, before, from_org in moves:
        escalated_from[before["status"]].append(
            {"case": case, "from_org": from_org, "reason": reason, "automatic": automatic}
        )
    for from_status, arguments in escalated_from.items():
        events.case_escalated_event.bulk(arguments, actor=actor, from_status=from_status, time=now)
    notify_many(
        ([*handlers[case.organization_id], case.owner], case, NotificationKind.ESCALATED)
        for case in cases
    )
    return cases


def escalate_to_parent(
    case: Case, *, actor, reason: str, automatic: bool, now: datetime.datetime | None = None
) -> Case:
    """Move a locked case to the parent organization (``escalate_many`` of one case)."""
    return escalate_many([case], actor=actor, reason=reason, automatic=automatic, now=now)[0]


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
