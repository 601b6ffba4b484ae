"""Finishing a case: the resolution, the worker's rating, closing, merging, withdrawal."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.common.fields import FieldErrors, clean_choice, clean_multiline
from huigong.common.workdays import add_working_days, working_days_between

from .. import events
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseParty,
    CaseStatus,
    NotificationKind,
    Outcome,
    PartyRole,
    ReferralStatus,
    Satisfaction,
)
from .base import (
    HANDLE,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    _amount,
    _clean_note,
    _count,
    _lock,
    _lock_to_act,
    _logged,
    _now,
    _parent,
    _require,
    _require_status,
    _required_text,
    _responsible,
    notify,
)
from .escalation import escalate_to_parent


@transaction.atomic
def resolve_case(
    *,
    actor,
    case: Case,
    outcome: str,
    result_text: str,
    amount_recovered: Any = None,
    workers_benefited: Any = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Resolve (办结) a case in hand with its outcome, what was done, the amount recovered
    (not more than the amount claimed) and the workers who benefited (default: the
    parties)."""
    case = _lock_to_act(actor, case, [CaseStatus.ACCEPTED], _("办结"), _("您没有办结该诉求的权限"))
    errors = FieldErrors()
    outcome = clean_choice(outcome, Outcome, "outcome", errors, _("请选择办理结果"))
    result_text = _required_text(result_text, "result_text", RESULT_MAX_LENGTH, errors)
    amount = _amount(amount_recovered, "amount_recovered", errors)
    if amount is not None and case.amount_claimed is not None and amount > case.amount_claimed:
        errors.add(
            "amount_recovered",
            _("追回金额(%(amount)s 元)不能超过涉及金额(%(claimed)s 元)")
            % {"amount": amount, "claimed": case.amount_claimed},
        )
    workers = _count(workers_benefited, "workers_benefited", errors)
    errors.raise_if_any()
    if workers is None:
        workers = case.parties.count()
    now = _now(now)
    day = timezone.localdate(now)
    with _logged(actor, case, _("办结")) as before:
        case.resolve()
        case.outcome = outcome
        case.result_text = result_text
        case.amount_recovered = amount
        case.workers_benefited = workers
        case.resolved_at = now
        # On time: never marked overdue by the sweep and resolved by the deadline.
        case.resolved_on_time = case.overdue_marked_at is None and day <= case.due_date
        case.working_days_to_resolve = max(
            working_days_between(timezone.localdate(case.received_at), day), 0
        )
        case.is_overdue = False
        case.due_soon = False
        case.save()
        events.case_resolved_event(case=case, actor=actor, from_status=before["status"], time=now)
    return case


@transaction.atomic
def rate_case(
    *,
    actor,
    case: Case,
    satisfaction: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Record the worker's satisfaction with a resolved case: by the worker on the portal,
    or by staff after a follow-up call. "Unsatisfied" reopens the case to the same handler
    once; a second "unsatisfied" escalates it to the parent organization."""
    case = _lock_to_act(
        actor, case, [CaseStatus.RESOLVED], _("评价"), _("您没有评价该诉求的权限"), or_party=True
    )
    if case.rated_at is not None and case.resolved_at and case.rated_at >= case.resolved_at:
        raise ValidationError(_("该诉求已评价过"), code="invalid_state")
    errors = FieldErrors()
    satisfaction = clean_choice(
        satisfaction, Satisfaction, "satisfaction", errors, _("请选择满意、基本满意或不满意")
    )
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    now = _now(now)
    with _logged(actor, case, _("满意度评价")):
        case.satisfaction = satisfaction
        case.rated_at = now
        case.save(update_fields=["satisfaction", "rated_at", "updated_at"])
        events.case_rated_event(case=case, actor=actor, note=note, time=now)
    if satisfaction != Satisfaction.UNSATISFIED:
        return case
    if case.reopen_count == 0:
        reason = _("职工评价不满意,退回原承办人重新办理")
        with _logged(actor, case, reason) as before:
            case.reopen()
            case.reopen_count = F("reopen_count") + 1
            day = timezone.localdate(now)
            case.due_date = add_working_days(day, case.category.days_for(case.complexity))
            case.resolved_at = None
            case.resolved_on_time = None
            case.save()
            case.refresh_from_db(fields=["reopen_count"])
            events.case_reopened_event(
                case=case, actor=actor, from_status=before["status"], reason=reason, time=now
            )
        notify(_responsible(case), case, NotificationKind.REOPENED)
        return case
    if _parent(case.organization) is None:
        # Nobody above: the rating stands and the case waits for closing.
        return case
    return escalate_to_parent(
        case,
        actor=actor,
        reason=_("重新办理后职工仍不满意,上报上级工会"),
        automatic=True,
        now=now,
    )


@transaction.atomic
def close_case(*, actor, case: Case, note: str = "", now: datetime.datetime | None = None) -> Case:
    """Close (归档) a resolved case."""
    case = _lock_to_act(actor, case, [CaseStatus.RESOLVED], _("归档"), _("您没有归档该诉求的权限"))
    note = _clean_note(note)
    with _logged(actor, case, _("归档")) as before:
        case.close()
        case.closed_at = _now(now)
        case.save(update_fields=["status", "closed_at", "updated_at"])
        events.case_closed_event(
            case=case, actor=actor, from_status=before["status"], note=note, time=case.closed_at
        )
    return case


@transaction.atomic
def merge_cases(
    *, actor, case: Case, into: Case, note: str = "", now: datetime.datetime | None = None
) -> Case:
    """Merge a duplicate ``case`` into ``into``: its workers join ``into`` as
    co-applicants and it stops (已合并). The actor must handle both."""
    if case.pk == into.pk:
        raise ValidationError({"into": [_("不能把诉求合并到它自己")]})
    # Lock in id order so two merges of the same pair cannot deadlock.
    first, second = sorted([case, into], key=lambda c: c.pk)
    locked = {c.pk: _lock(c) for c in (first, second)}
    case, into = locked[case.pk], locked[into.pk]
    _require(actor, HANDLE, case.organization, _("您没有合并该诉求的权限"))
    _require(actor, HANDLE, into.organization, _("您没有办理目标诉求的权限"))
    _require_status(case, OPEN_STATUSES, _("合并"))
    if into.status not in OPEN_STATUSES:
        raise ValidationError(
            {"into": [_("目标诉求已办结或已结束,不能再并入其他诉求")]}, code="invalid_state"
        )
    note = _clean_note(note)
    existing = set(into.parties.values_list("person_id", flat=True))
    CaseParty.objects.bulk_create(
        [
            CaseParty(case=into, person_id=pid, role=PartyRole.CO_APPLICANT)
            for pid in case.parties.values_list("person_id", flat=True)
            if pid not in existing
        ]
    )
    now = _now(now)
    with _logged(actor, case, _("合并到 %(number)s") % {"number": into.number}) as before:
        case.merge()
        case.merged_into = into
        case.save(update_fields=["status", "merged_into", "updated_at"])
        case.referrals.filter(status=ReferralStatus.WAITING).update(status=ReferralStatus.REPLIED)
        events.case_merged_event(
            case=case, actor=actor, from_status=before["status"], into=into, note=note, time=now
        )
        events.case_absorbed_event(case=into, actor=actor, merged=case, time=now)
    return case


@transaction.atomic
def withdraw_case(*, actor, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """Withdraw (撤回) an open case: by the worker whose case it is, or by a handler
    recording the worker's wish."""
    case = _lock_to_act(
        actor, case, OPEN_STATUSES, _("撤回"), _("您没有撤回该诉求的权限"), or_party=True
    )
    reason = _clean_note(reason, "reason", required=True)
    with _logged(actor, case, _("撤回")) as before:
        case.withdraw()
        case.save(update_fields=["status", "updated_at"])
        events.case_withdrawn_event(
            case=case, actor=actor, from_status=before["status"], reason=reason, time=_now(now)
        )
    return case
