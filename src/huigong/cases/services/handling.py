"""Working on a case: acceptance, reassignment, notes, referral, escalation, supervision."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.accounts.models import User
from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.fields import FieldErrors, clean_choice, clean_line, clean_multiline
from huigong.common.workdays import add_working_days
from huigong.orgs.models import Organization
from huigong.orgs.scope import user_can_at
from huigong.partners.models import Department

from .. import events
from ..models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseStatus,
    Complexity,
    NotificationKind,
    Referral,
    ReferralStatus,
    Supervision,
    Urgency,
)
from .base import (
    ACCEPT_DAYS,
    AUDIT_FIELDS,
    DESCRIPTION_MAX_LENGTH,
    HANDLE,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    SUPERVISE,
    SUPERVISION_DAYS,
    TITLE_MAX_LENGTH,
    _amount,
    _ancestors_and_self,
    _count,
    _credit_code,
    _handlers_at,
    _instance,
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
    if assignee is not None and assignee != actor:
        notify([assignee], case, NotificationKind.ASSIGNED)
    return case


@transaction.atomic
def reassign_case(
    *,
    actor,
    case: Case,
    assignee: User,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Hand an accepted case to another handler at the same organization; the new handler
    becomes responsible for it and is notified (分派给我)."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有改派该诉求的权限"))
    _require_status(case, [CaseStatus.ACCEPTED, CaseStatus.REFERRED], _("改派"))
    errors = FieldErrors()
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
    events.case_reassigned_event(
        case=case, actor=actor, previous_assignee=previous, note=note, time=_now(now)
    )
    _log(actor, case, before, _("改派"))
    if assignee != actor:
        notify([assignee], case, NotificationKind.ASSIGNED)
    return case


@transaction.atomic
def add_note(*, actor, case: Case, note: str, now: datetime.datetime | None = None):
    """Add a note to the timeline (a handler's working note, or more information from the
    worker on the portal)."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有为该诉求添加记录的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("添加记录"))
    errors = FieldErrors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    return events.note_added_event(case=case, actor=actor, note=note, time=_now(now))


CONTACT_METHODS = {
    "phone": gettext_lazy("电话"),
    "visit": gettext_lazy("走访"),
    "meeting": gettext_lazy("面谈"),
    "message": gettext_lazy("短信/微信"),
}


@transaction.atomic
def log_contact(
    *,
    actor,
    case: Case,
    note: str,
    method: str = "phone",
    contact: str = "",
    now: datetime.datetime | None = None,
):
    """Record a contact with the worker, the employer or a department (call, visit…)."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有为该诉求添加记录的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("添加联系记录"))
    errors = FieldErrors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    contact = clean_line(contact, "contact", 100, errors)
    if method not in CONTACT_METHODS:
        errors.add("method", _("请选择有效的联系方式"))
    errors.raise_if_any()
    return events.contact_logged_event(
        case=case, actor=actor, note=note, method=method, contact=contact, time=_now(now)
    )


#: Fields a handler may correct with ``update_case``, in the order the note lists them.
UPDATABLE_FIELDS = (
    "category",
    "complexity",
    "title",
    "description",
    "urgency",
    "amount_claimed",
    "workers_concerned",
    "employer_name",
    "employer_credit_code",
)
#: Long texts: the note says they changed, not what they say.
_TEXT_FIELDS = ("description",)


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


#: Default of ``update_case``'s fields: leave the field as it is.
UNCHANGED: Any = _Unchanged()


def _shown(case: Case, name: str) -> str:
    """A field's value as the timeline note shows it."""
    if name == "category":
        return case.category.name
    if name in ("complexity", "urgency"):
        return str(getattr(case, f"get_{name}_display")())
    value = getattr(case, name)
    return "—" if value in (None, "") else str(value)


def _plain(case: Case, name: str):
    value = getattr(case, "category_id" if name == "category" else name)
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def update_case(
    *,
    actor,
    case: Case,
    category: CaseCategory | int | None = UNCHANGED,
    complexity: str = UNCHANGED,
    title: str = UNCHANGED,
    description: str = UNCHANGED,
    urgency: str = UNCHANGED,
    amount_claimed: Any = UNCHANGED,
    workers_concerned: Any = UNCHANGED,
    employer_name: str = UNCHANGED,
    employer_credit_code: str = UNCHANGED,
    now: datetime.datetime | None = None,
) -> Case:
    """Correct the information of an open case (更正信息); only the fields passed change.
    A new category or complexity recomputes the due date from the receipt on the
    working-day calendar. An edit that changes nothing writes nothing."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有更正该诉求信息的权限"))
    _require_status(case, OPEN_STATUSES, _("更正信息"))
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if category is not UNCHANGED:
        chosen = _instance(CaseCategory, category, "category", errors, _("请选择有效的诉求类别"))
        if chosen is None and "category" not in errors:
            errors.add("category", _("请选择诉求类别"))
        elif chosen is not None and chosen.pk != case.category_id and not chosen.is_active:
            errors.add("category", _("该诉求类别已停用,请选择其他类别"))
        values["category"] = chosen
    if complexity is not UNCHANGED:
        values["complexity"] = clean_choice(
            complexity, Complexity, "complexity", errors, _("请选择有效的复杂程度")
        )
    if urgency is not UNCHANGED:
        values["urgency"] = clean_choice(
            urgency, Urgency, "urgency", errors, _("请选择有效的紧急程度")
        )
    if title is not UNCHANGED:
        values["title"] = clean_line(title, "title", TITLE_MAX_LENGTH, errors, required=True)
    if description is not UNCHANGED:
        values["description"] = _required_text(
            description, "description", DESCRIPTION_MAX_LENGTH, errors
        )
    if amount_claimed is not UNCHANGED:
        amount = _amount(amount_claimed, "amount_claimed", errors)
        recovered = case.amount_recovered
        if amount is not None and recovered is not None and amount < recovered:
            errors.add(
                "amount_claimed",
                _("涉及金额不能少于已追回金额(%(amount)s 元)") % {"amount": recovered},
            )
        values["amount_claimed"] = amount
    if workers_concerned is not UNCHANGED:
        values["workers_concerned"] = _count(workers_concerned, "workers_concerned", errors)
    if employer_name is not UNCHANGED:
        values["employer_name"] = clean_line(employer_name, "employer_name", 200, errors)
    if employer_credit_code is not UNCHANGED:
        values["employer_credit_code"] = _credit_code(employer_credit_code, errors)
    errors.raise_if_any()

    fields = [*AUDIT_FIELDS, *UPDATABLE_FIELDS]
    before = snapshot(case, fields)
    old = {name: (_shown(case, name), _plain(case, name)) for name in values}
    for name, value in values.items():
        setattr(case, name, value)
    changed = [n for n in UPDATABLE_FIELDS if n in values and _plain(case, n) != old[n][1]]
    if not changed:
        return case
    parts = []
    for name in changed:
        label = Case._meta.get_field(name).verbose_name
        if name in _TEXT_FIELDS:
            parts.append(_("%(field)s已更正") % {"field": label})
        else:
            parts.append(
                _("%(field)s:%(old)s → %(new)s")
                % {"field": label, "old": old[name][0], "new": _shown(case, name)}
            )
    data = {name: [old[name][1], _plain(case, name)] for name in changed}
    if "category" in changed or "complexity" in changed:
        day = timezone.localdate(case.received_at)
        due = max(add_working_days(day, case.category.days_for(case.complexity)), case.accept_due)
        if due != case.due_date:
            parts.append(
                _("办结期限:%(old)s → %(new)s")
                % {"old": f"{case.due_date:%Y-%m-%d}", "new": f"{due:%Y-%m-%d}"}
            )
            data["due_date"] = [str(case.due_date), str(due)]
            case.due_date = due
            # The sweep looks at the new deadline afresh (the first-overdue time stays).
            case.is_overdue = False
            case.due_soon = False
    note = ";".join(parts)
    case.save()
    events.case_updated_event(case=case, actor=actor, note=note, changes=data, time=_now(now))
    record_change(
        actor=actor,
        obj=case,
        action=ChangeAction.UPDATE,
        before=before,
        after=snapshot(case, fields),
        note=_("更正信息"),
    )
    return case


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
    errors = FieldErrors()
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
    handler = case.assignee or case.owner
    if handler is not None and handler != actor:
        notify([handler], case, NotificationKind.REFERRAL_REPLIED)
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
    errors = FieldErrors()
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
    errors = FieldErrors()
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
    errors = FieldErrors()
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
