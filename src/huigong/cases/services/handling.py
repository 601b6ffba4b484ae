"""Working on a case: acceptance, reassignment, notes, referral, escalation, supervision."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.accounts.models import User
from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.fields import FieldErrors, clean_choice, clean_credit_code, clean_line
from huigong.common.workdays import add_working_days
from huigong.kernel.scope import user_can_at

from .. import events
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseStatus,
    Complexity,
    NotificationKind,
    RefusalReason,
    Urgency,
)
from .base import (
    AUDIT_FIELDS,
    DESCRIPTION_MAX_LENGTH,
    HANDLE,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    _amount,
    _clean_note,
    _count,
    _instance,
    _lock_to_act,
    _logged,
    _now,
    _required_text,
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
    case = _lock_to_act(actor, case, [CaseStatus.NEW], _("受理"), _("您没有受理该诉求的权限"))
    assignee = _check_assignee(assignee or actor, case) if actor or assignee else None
    now = _now(now)
    with _logged(actor, case, _("受理")) as before:
        case.accept()
        case.owner = actor if actor is not None else assignee
        case.assignee = assignee
        case.accepted_at = now
        case.accepted_on_time = timezone.localdate(now) <= case.accept_due
        case.save()
        events.case_accepted_event(case=case, actor=actor, from_status=before["status"], time=now)
    if assignee is not None and assignee != actor:
        notify([assignee], case, NotificationKind.ASSIGNED)
    return case


@transaction.atomic
def refuse_case(
    *,
    actor,
    case: Case,
    reason: Any,
    note: str,
    now: datetime.datetime | None = None,
) -> Case:
    """Refuse a case awaiting acceptance (不予受理): one of the configured reasons
    (``RefusalReason``, active) and a written explanation, both told to the worker, who
    may submit again. The case ends here."""
    case = _lock_to_act(actor, case, [CaseStatus.NEW], _("不予受理"), _("您没有处理该诉求的权限"))
    errors = FieldErrors()
    chosen = _instance(RefusalReason, reason, "reason", errors, _("请选择有效的不予受理理由"))
    if reason in (None, ""):
        errors.add("reason", _("请选择不予受理理由"))
    elif chosen is not None and not chosen.is_active:
        errors.add("reason", _("该理由已停用,请选择其他理由"))
    text = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    now = _now(now)
    with _logged(actor, case, _("不予受理")) as before:
        case.refuse()
        case.refusal_reason = chosen
        case.result_text = text
        case.closed_at = now
        case.save(
            update_fields=["status", "refusal_reason", "result_text", "closed_at", "updated_at"]
        )
        events.case_refused_event(case=case, actor=actor, from_status=before["status"], time=now)
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
    case = _lock_to_act(
        actor,
        case,
        [CaseStatus.ACCEPTED, CaseStatus.REFERRED],
        _("改派"),
        _("您没有改派该诉求的权限"),
    )
    note = _clean_note(note)
    assignee = _check_assignee(assignee, case)
    if assignee == case.assignee:
        raise ValidationError({"assignee": [_("该诉求已由“%(user)s”承办") % {"user": assignee}]})
    previous = case.assignee
    with _logged(actor, case, _("改派")):
        case.assignee = assignee
        case.owner = assignee
        case.save(update_fields=["assignee", "owner", "updated_at"])
        events.case_reassigned_event(
            case=case, actor=actor, previous_assignee=previous, note=note, time=_now(now)
        )
    if assignee != actor:
        notify([assignee], case, NotificationKind.ASSIGNED)
    return case


@transaction.atomic
def add_note(*, actor, case: Case, note: str, now: datetime.datetime | None = None):
    """Add a note to the timeline (a handler's working note, or more information from the
    worker on the portal)."""
    case = _lock_to_act(
        actor,
        case,
        [*OPEN_STATUSES, CaseStatus.RESOLVED],
        _("添加记录"),
        _("您没有为该诉求添加记录的权限"),
        or_party=True,
    )
    note = _clean_note(note, required=True)
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
    case = _lock_to_act(
        actor,
        case,
        [*OPEN_STATUSES, CaseStatus.RESOLVED],
        _("添加联系记录"),
        _("您没有为该诉求添加记录的权限"),
    )
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
    case = _lock_to_act(actor, case, OPEN_STATUSES, _("更正信息"), _("您没有更正该诉求信息的权限"))
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
        values["employer_credit_code"] = clean_credit_code(
            employer_credit_code, "employer_credit_code", errors
        )
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
