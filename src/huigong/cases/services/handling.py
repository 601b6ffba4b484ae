"""Working on a case: acceptance, reassignment, notes, referral, escalation, supervision."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.accounts.models import User
from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.workdays import add_working_days
from huigong.orgs.models import Organization
from huigong.orgs.scope import user_can_at
from huigong.people.services import clean_line, clean_multiline

from .. import events
from ..models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Department,
    NotificationKind,
    Referral,
    ReferralStatus,
    Supervision,
)
from .base import (
    ACCEPT_DAYS,
    HANDLE,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    SUPERVISE,
    SUPERVISION_DAYS,
    _ancestors_and_self,
    _Errors,
    _handlers_at,
    _is_worker,
    _lock,
    _log,
    _now,
    _parent,
    _require,
    _require_handler_or_party,
    _require_status,
    _required_text,
    _responsible,
    _snapshot,
    notify,
)

# -- handling -----------------------------------------------------------------------------------


def _check_assignee(assignee, case: Case) -> User:
    if assignee is None:
        raise ValidationError({"assignee": [_("请选择承办人")]})
    if not isinstance(assignee, User):
        try:
            assignee = User.objects.get(pk=assignee)
        except (User.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"assignee": [_("请选择有效的承办人")]})
    if (
        not assignee.is_active
        or assignee.is_worker
        or not user_can_at(assignee, HANDLE, case.organization.path)
    ):
        raise ValidationError(
            {
                "assignee": [
                    _("“%(user)s”在“%(org)s”没有办理诉求的权限")
                    % {
                        "user": assignee,
                        "org": case.organization.name,
                    }
                ]
            }
        )
    return assignee


@transaction.atomic
def accept_case(
    *, actor, case: Case, assignee: User | None = None, now: datetime.datetime | None = None
) -> Case:
    """Accept a case awaiting acceptance at the actor's organization: the acceptor becomes
    the owner (first-contact ownership ends) and the handler unless ``assignee`` is
    given. ``now`` is for back-entering and tests; it defaults to the current time."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有受理该诉求的权限"))
    _require_status(case, [CaseStatus.NEW], _("受理"))
    assignee = _check_assignee(assignee or actor, case) if actor or assignee else None
    now = _now(now)
    before = _snapshot(case)
    from_status = case.status
    case.accept()
    case.owner = actor if actor is not None else assignee
    case.assignee = assignee
    case.accepted_at = now
    case.accepted_on_time = timezone.localdate(now) <= case.accept_due
    case.save()
    events.case_accepted_event(case=case, actor=actor, from_status=from_status, time=now)
    _log(actor, case, before, _("受理"))
    return case


@transaction.atomic
def reassign_case(*, actor, case: Case, assignee: User, note: str = "") -> Case:
    """Hand an accepted case to another handler at the same organization; the new handler
    becomes responsible for it."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有改派该诉求的权限"))
    _require_status(case, [CaseStatus.ACCEPTED, CaseStatus.REFERRED], _("改派"))
    errors = _Errors()
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    assignee = _check_assignee(assignee, case)
    if assignee == case.assignee:
        raise ValidationError({"assignee": [_("该诉求已由“%(user)s”承办") % {"user": assignee}]})
    before = _snapshot(case)
    previous = case.assignee
    case.assignee = assignee
    case.owner = assignee
    case.save(update_fields=["assignee", "owner", "updated_at"])
    events.case_reassigned_event(case=case, actor=actor, previous_assignee=previous, note=note)
    _log(actor, case, before, _("改派"))
    notify([assignee], case, NotificationKind.AWAITING_ACCEPTANCE)
    return case


@transaction.atomic
def add_note(*, actor, case: Case, note: str):
    """Add a note to the timeline (a handler's working note, or more information from the
    worker on the portal)."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有为该诉求添加记录的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("添加记录"))
    errors = _Errors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    return events.note_added_event(case=case, actor=actor, note=note)


CONTACT_METHODS = {
    "phone": gettext_lazy("电话"),
    "visit": gettext_lazy("走访"),
    "meeting": gettext_lazy("面谈"),
    "message": gettext_lazy("短信/微信"),
}


@transaction.atomic
def log_contact(*, actor, case: Case, note: str, method: str = "phone", contact: str = ""):
    """Record a contact with the worker, the employer or a department (call, visit…)."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有为该诉求添加记录的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("添加联系记录"))
    errors = _Errors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    contact = clean_line(contact, "contact", 100, errors)
    if method not in CONTACT_METHODS:
        errors.add("method", _("请选择有效的联系方式"))
    errors.raise_if_any()
    return events.contact_logged_event(
        case=case, actor=actor, note=note, method=method, contact=contact
    )


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
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有转办该诉求的权限"))
    _require_status(case, [CaseStatus.ACCEPTED], _("转办"))
    errors = _Errors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    dept_pk = department.pk if isinstance(department, Department) else department
    try:
        department = usable_departments(case, actor).get(pk=dept_pk)
    except (Department.DoesNotExist, ValueError, TypeError, ValidationError):
        errors.add("department", _("请选择本级或上级登记的有效协作部门"))
    errors.raise_if_any()
    now = _now(now)
    before = _snapshot(case)
    from_status = case.status
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
        case=case, actor=actor, referral=referral, from_status=from_status, time=now
    )
    record_change(actor=actor, obj=referral, action=ChangeAction.CREATE)
    _log(actor, case, before, _("转办至%(dept)s") % {"dept": department.name})
    return referral


@transaction.atomic
def record_department_reply(
    *,
    actor,
    referral: Referral | int,
    reply_text: str,
    replied_by: str = "",
    now: datetime.datetime | None = None,
) -> Referral:
    """Record a department's reply to a referral; when no other referral is waiting the
    case goes back to its handler (办理中)."""
    pk = referral.pk if isinstance(referral, Referral) else referral
    try:
        referral = Referral.objects.select_for_update().get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"referral": [_("转办记录不存在")]}, code="not_found")
    case = _lock(referral.case)
    _require(actor, HANDLE, case.organization, _("您没有登记该转办答复的权限"))
    _require_status(case, [CaseStatus.REFERRED], _("登记部门答复"))
    if referral.status == ReferralStatus.REPLIED:
        raise ValidationError(_("该转办已登记过答复"), code="invalid_state")
    errors = _Errors()
    reply_text = _required_text(reply_text, "reply_text", RESULT_MAX_LENGTH, errors)
    replied_by = clean_line(replied_by, "replied_by", 100, errors)
    errors.raise_if_any()
    before_referral = snapshot(referral, ["status", "reply_text", "replied_by"])
    referral.reply_text = reply_text
    referral.replied_by = replied_by
    referral.replied_at = _now(now)
    referral.status = ReferralStatus.REPLIED
    referral.save(update_fields=["reply_text", "replied_by", "replied_at", "status"])
    record_change(
        actor=actor,
        obj=referral,
        action=ChangeAction.UPDATE,
        before=before_referral,
        after=snapshot(referral, ["status", "reply_text", "replied_by"]),
    )
    before = _snapshot(case)
    from_status = case.status
    still_waiting = (
        case.referrals.exclude(pk=referral.pk).exclude(status=ReferralStatus.REPLIED).exists()
    )
    if not still_waiting:
        case.department_replied()
        case.save(update_fields=["status", "updated_at"])
        _log(actor, case, before, _("部门已答复"))
    events.department_replied_event(
        case=case,
        actor=actor,
        referral=referral,
        from_status=from_status,
        time=referral.replied_at,
    )
    return referral


def _escalate(
    case: Case, *, actor, reason: str, automatic: bool, now: datetime.datetime | None = None
) -> Case:
    """Move a locked case to the parent organization, awaiting acceptance there with
    fresh deadlines (the parent gets the category's time again, counted from today)."""
    parent = _parent(case.organization)
    if parent is None:
        raise ValidationError(_("该诉求已在最高一级组织,无法继续上报"), code="no_parent")
    now = _now(now)
    day = timezone.localdate(now)
    before = _snapshot(case)
    from_status, from_org = case.status, case.organization
    case.escalate()
    case.organization = parent
    case.assignee = None
    case.accepted_at = None
    case.accept_due = add_working_days(day, ACCEPT_DAYS)
    case.due_date = add_working_days(day, case.category.days_for(case.complexity))
    case.is_overdue = False
    case.due_soon = False
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
    _log(
        actor,
        case,
        before,
        _("%(how)s上报至“%(org)s”")
        % {"how": _("逾期自动") if automatic else "", "org": parent.name},
    )
    notify([*_handlers_at(parent), case.owner], case, NotificationKind.ESCALATED)
    return case


@transaction.atomic
def escalate_case(*, actor, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """Escalate (上报) a case to the parent organization, with a reason; it awaits
    acceptance there. The deadline sweep escalates overdue cases automatically."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有上报该诉求的权限"))
    _require_status(case, [CaseStatus.NEW, CaseStatus.ACCEPTED], _("上报"))
    errors = _Errors()
    reason = _required_text(reason, "reason", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    return _escalate(case, actor=actor, reason=reason, automatic=False, now=now)


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
    errors = _Errors()
    comment = _required_text(comment, "comment", NOTE_MAX_LENGTH, errors)
    if not isinstance(days, int) or not 1 <= days <= 30:
        errors.add("days", _("回复期限应为 1 到 30 个工作日"))
    errors.raise_if_any()
    now = _now(now)
    before = _snapshot(case)
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
    _log(actor, case, before, _("督办"))
    notify(_responsible(case) or _handlers_at(case.organization), case, NotificationKind.SUPERVISED)
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
    errors = _Errors()
    response = _required_text(response, "response", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
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
    before = _snapshot(case)
    if not case.supervisions.filter(responded_at__isnull=True).exists():
        case.supervised = False
        case.save(update_fields=["supervised", "updated_at"])
        _log(actor, case, before, _("督办已回复"))
    events.supervision_answered_event(
        case=case, actor=actor, supervision=supervision, time=supervision.responded_at
    )
    return supervision
