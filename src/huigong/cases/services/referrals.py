"""Referrals: sending a case to a partner department, the department's answer, and what
a department's member accounts see of the referrals sent to them (their queue, scoped by
membership rather than the organization tree). The departments themselves are managed
in ``huigong.partners``; members hold ``cases.answer_referral`` and answer through
``record_department_reply``."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change
from huigong.common.fields import FieldErrors, clean_line
from huigong.common.workdays import add_working_days
from huigong.partners.models import Department

from .. import events
from ..models import (
    Case,
    CaseStatus,
    NotificationKind,
    Referral,
    ReferralStatus,
)
from .base import (
    HANDLE,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    _is_worker,
    _lock,
    _lock_to_act,
    _logged,
    _now,
    _require,
    _require_status,
    _required_text,
    notify,
)

ANSWER_REFERRAL = "cases.answer_referral"


def referrals_for_member(user) -> QuerySet[Referral]:
    """Referrals sent to the departments ``user`` is a member of (the partner queue:
    scoped by membership, not by the organization tree)."""
    if user is None or not user.is_authenticated or getattr(user, "is_worker", False):
        return Referral.objects.none()
    if not user.has_perm(ANSWER_REFERRAL):
        return Referral.objects.none()
    return Referral.objects.filter(department__members=user)


def referral_queue(user) -> QuerySet[Referral]:
    """The partner's queue: the referrals of the user's departments, waiting ones first,
    soonest due first (the page and the API list the same)."""
    return (
        referrals_for_member(user)
        .select_related("case", "case__category", "department")
        .annotate(
            waiting=SqlCase(
                When(status=ReferralStatus.REPLIED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "due_date", "pk")
    )


def referral_answerable(referral: Referral) -> bool:
    """A referral can still be answered while it waits and its case is with the department."""
    return referral.status != ReferralStatus.REPLIED and referral.case.status == CaseStatus.REFERRED


def is_member_for(user, referral: Referral) -> bool:
    """True when ``user`` answers referrals for the referral's department."""
    return referrals_for_member(user).filter(pk=referral.pk).exists()


# -- referring a case and the department's answer ------------------------------------------


def usable_departments(case: Case, actor=None) -> QuerySet[Department]:
    """Departments the case may be referred to: active ones registered at the case's
    organization or above it (form choices use this too)."""
    return Department.objects.active().usable_at(case.organization)


@transaction.atomic
def refer_case(
    *,
    actor,
    case: Case,
    department: Department | int,
    note: str,
    now: datetime.datetime | None = None,
) -> Referral:
    """Refer (转办) an accepted case to a partner department, with the department's
    response deadline in working days; the case waits for the reply."""
    case = _lock_to_act(actor, case, [CaseStatus.ACCEPTED], _("转办"), _("您没有转办该诉求的权限"))
    errors = FieldErrors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    dept_pk = department.pk if isinstance(department, Department) else department
    try:
        department = usable_departments(case, actor).get(pk=dept_pk)
    except (Department.DoesNotExist, ValueError, TypeError, ValidationError):
        errors.add("department", _("请选择本级或上级登记的有效协作部门"))
    errors.raise_if_any()
    now = _now(now)
    with _logged(actor, case, _("转办至%(dept)s") % {"dept": department.name}) as before:
        referral = Referral.objects.create(
            case=case,
            department=department,
            note=note,
            sent_by=actor,
            sent_at=now,
            due_date=add_working_days(timezone.localdate(now), department.response_days),
        )
        case.refer()
        case.save(update_fields=["status", "updated_at"])
        events.case_referred_event(
            case=case, actor=actor, referral=referral, from_status=before["status"], time=now
        )
        record_change(actor=actor, obj=referral, action=ChangeAction.CREATE)
    return referral


def answers_for_department(actor, referral: Referral) -> bool:
    """True when ``actor`` is a member account of the referral's department holding
    ``cases.answer_referral`` (协作部门 answering on the workbench themselves)."""
    return (
        actor is not None
        and not _is_worker(actor)
        and actor.is_active
        and actor.has_perm("cases.answer_referral")
        and referral.department.members.filter(pk=actor.pk).exists()
    )


@transaction.atomic
def record_department_reply(
    *,
    actor,
    referral: Referral | int,
    reply_text: str,
    replied_by: str = "",
    now: datetime.datetime | None = None,
) -> Referral:
    """Record a department's reply to a referral — by a handler of the case, or by a
    member account of the department itself; when no other referral is waiting the case
    goes back to its handler (办理中), who is notified."""
    pk = referral.pk if isinstance(referral, Referral) else referral
    try:
        referral = Referral.objects.select_for_update().get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"referral": [_("转办记录不存在")]}, code="not_found")
    case = _lock(referral.case)
    member = answers_for_department(actor, referral)
    if not member:
        _require(actor, HANDLE, case.organization, _("您没有登记该转办答复的权限"))
    _require_status(case, [CaseStatus.REFERRED], _("登记部门答复"))
    if referral.status == ReferralStatus.REPLIED:
        raise ValidationError(_("该转办已登记过答复"), code="invalid_state")
    errors = FieldErrors()
    reply_text = _required_text(reply_text, "reply_text", RESULT_MAX_LENGTH, errors)
    replied_by = clean_line(replied_by, "replied_by", 100, errors)
    errors.raise_if_any()
    if member and not replied_by:
        replied_by = f"{actor.name or actor.username}({referral.department.name})"[:100]
    with change_recorded(actor=actor, obj=referral, fields=["status", "reply_text", "replied_by"]):
        referral.reply_text = reply_text
        referral.replied_by = replied_by
        referral.replied_at = _now(now)
        referral.status = ReferralStatus.REPLIED
        referral.save(update_fields=["reply_text", "replied_by", "replied_at", "status"])
    from_status = case.status
    still_waiting = (
        case.referrals.exclude(pk=referral.pk).exclude(status=ReferralStatus.REPLIED).exists()
    )
    if not still_waiting:
        with _logged(actor, case, _("部门已答复")):
            case.department_replied()
            case.save(update_fields=["status", "updated_at"])
    events.department_replied_event(
        case=case,
        actor=actor,
        referral=referral,
        from_status=from_status,
        time=referral.replied_at,
    )
    handler = case.assignee or case.owner
    if handler is not None and handler != actor:
        notify([handler], case, NotificationKind.REFERRAL_REPLIED)
    return referral
