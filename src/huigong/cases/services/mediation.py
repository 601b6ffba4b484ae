"""Use cases of labour-dispute mediation (劳动争议调解) opened from a case.

The flow follows the stations' practice: 受理 (intake) → 分流 (sorting to a team: the
mediation team, lawyer volunteers…) → 调解 (sessions) → 达成协议 / 调解不成 (referred to
arbitration or court) / 撤回 → 回访 (follow-up call: was the agreement performed?) → 归档.

Like ``huigong.cases.services``, every function takes keyword-only ``actor`` (``None``:
the system), runs in one transaction, checks ``cases.mediate_case`` at the mediation's
organization (``PermissionDenied``), the state (``ValidationError`` code
``invalid_state``) and the input (field-keyed Chinese messages), writes the event on the
parent case's timeline and the change log. On any error nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.accounts.models import User
from huigong.accounts.policy import users_holding
from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change, record_created
from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_credit_code,
    clean_line,
    clean_multiline,
)
from huigong.kernel.numbering import formatted_number
from huigong.orgs.models import Organization

from .. import events
from ..models import (
    ACTIVE_MEDIATION_STATUSES,
    Case,
    CaseStatus,
    Mediation,
    MediationSession,
    MediationStatus,
    MediationTeam,
    Performance,
    ReferredTo,
)
from .base import (
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    _amount,
    _clean_note,
    _is_worker,
    _lock,
    _required_text,
    number_prefix,
)

MEDIATE = "cases.mediate_case"

#: Case states from which a mediation may be opened (the case is being handled).
OPENABLE_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.REFERRED)
MINUTES_MAX_LENGTH = 10000
TERMS_MAX_LENGTH = 5000

AUDIT_FIELDS = (
    "status",
    "team",
    "respondent",
    "respondent_name",
    "respondent_credit_code",
    "respondent_representative",
    "agreement_amount",
    "performance_due",
    "referred_to",
    "performed",
    "performed_at",
)


# -- helpers -----------------------------------------------------------------------------------


def can_mediate(user, organization: Organization) -> bool:
    """Whether ``user`` may act on mediations at ``organization`` (for showing forms)."""
    from huigong.kernel.scope import user_can_at

    return (
        user is not None and not _is_worker(user) and user_can_at(user, MEDIATE, organization.path)
    )


def _require_mediate(actor, organization: Organization, message: str | None = None) -> None:
    if actor is None:
        return
    if not can_mediate(actor, organization):
        raise PermissionDenied(message or _("您没有调解该争议的权限"))


def _lock_mediation(mediation: Mediation) -> Mediation:
    try:
        return (
            Mediation.objects.select_for_update()
            .select_related("case", "organization")
            .get(pk=mediation.pk)
        )
    except (Mediation.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"mediation": _("调解不存在")}, code="not_found")


def _require_state(mediation: Mediation, allowed: Iterable[str], action: str) -> None:
    if mediation.status in tuple(allowed):
        return
    raise ValidationError(
        _("调解当前状态为“%(status)s”,不能%(action)s")
        % {"status": mediation.get_status_display(), "action": action},
        code="invalid_state",
    )


def _lock_to_act(actor, mediation: Mediation, allowed: Iterable[str], action: str) -> Mediation:
    """The mediation locked for ``actor`` to ``action`` it: they may mediate at its
    organization and its status is one of ``allowed``."""
    mediation = _lock_mediation(mediation)
    _require_mediate(actor, mediation.organization)
    _require_state(mediation, allowed, action)
    return mediation


def _logged(actor, mediation: Mediation, note: str) -> AbstractContextManager[dict[str, Any]]:
    """Log the change the block makes to ``mediation`` (its ``AUDIT_FIELDS``) with ``note``."""
    return change_recorded(actor=actor, obj=mediation, fields=AUDIT_FIELDS, note=note)


def eligible_mediators(organization: Organization) -> QuerySet[User]:
    """Active staff holding ``cases.mediate_case`` at ``organization`` or above it."""
    return users_holding("cases.mediate_case", at=organization)


def _mediators(value: Any, organization: Organization, errors: FieldErrors) -> list[User]:
    users = list(value or [])
    if not users:
        errors.add("mediators", _("请至少选择一名调解员"))
        return []
    ids = [u.pk if isinstance(u, User) else u for u in users]
    try:
        found = list(eligible_mediators(organization).filter(pk__in=ids))
    except (ValueError, TypeError):
        found = []
    if len(found) != len(set(ids)):
        errors.add("mediators", _("调解员须为本级或上级具有调解权限的工作人员"))
    return found


# -- use cases ---------------------------------------------------------------------------------


@transaction.atomic
def open_mediation(
    *,
    actor,
    case: Case,
    respondent_name: str = "",
    respondent_credit_code: str = "",
    respondent_representative: str = "",
    claims: str = "",
    now: datetime.datetime | None = None,
) -> Mediation:
    """Take a dispute of a case in hand into mediation (受理). The respondent defaults to
    the case's employer; a case has at most one mediation under way at a time."""
    case = _lock(case)
    _require_mediate(actor, case.organization)
    if case.status not in OPENABLE_CASE_STATUSES:
        raise ValidationError(
            _("诉求当前状态为“%(status)s”,不能申请调解") % {"status": case.get_status_display()},
            code="invalid_state",
        )
    if case.mediations.filter(status__in=ACTIVE_MEDIATION_STATUSES).exists():
        raise ValidationError(_("该诉求已有进行中的调解"), code="invalid_state")
    errors = FieldErrors()
    respondent = case.employer
    name = clean_line(respondent_name, "respondent_name", 200, errors)
    name = name or (respondent.name if respondent else case.employer_name)
    if "respondent_name" not in errors and not name:
        errors.add("respondent_name", _("请填写被申请人(用人单位)"))
    code = clean_credit_code(respondent_credit_code, "respondent_credit_code", errors)
    code = code or case.employer_credit_code or (respondent.credit_code if respondent else "") or ""
    representative = clean_line(respondent_representative, "respondent_representative", 50, errors)
    claims = clean_multiline(claims, "claims", RESULT_MAX_LENGTH, errors) or case.description
    errors.raise_if_any()
    now = now or timezone.now()
    prefix = f"{number_prefix(case.organization)}TJ"[:10]
    try:
        with transaction.atomic():
            mediation = Mediation.objects.create(
                case=case,
                organization=case.organization,
                number=formatted_number("mediation", key=prefix, year=timezone.localdate(now).year),
                respondent=respondent,
                respondent_name=name,
                respondent_credit_code=code[:18],
                respondent_representative=representative,
                claims=claims,
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                opened_at=now,
            )
    except IntegrityError:
        # Another mediation of this case was opened at the same moment.
        raise ValidationError(_("该诉求已有进行中的调解"), code="invalid_state")
    events.mediation_opened_event(mediation=mediation, actor=actor, time=now)
    record_created(actor=actor, obj=mediation, fields=AUDIT_FIELDS, note=_("受理调解"))
    return mediation


@transaction.atomic
def sort_mediation(
    *,
    actor,
    mediation: Mediation,
    team: str,
    mediators: Iterable[Any],
    note: str = "",
    now: datetime.datetime | None = None,
) -> Mediation:
    """Sort (分流) the dispute to a team and name its mediators."""
    mediation = _lock_to_act(actor, mediation, [MediationStatus.INTAKE], _("分流"))
    errors = FieldErrors()
    team = clean_choice(team, MediationTeam, "team", errors, _("请选择调解队伍"))
    chosen = _mediators(mediators, mediation.organization, errors)
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    with _logged(actor, mediation, _("调解分流")):
        mediation.sort()
        mediation.team = team
        mediation.save(update_fields=["status", "team"])
        mediation.mediators.set(chosen)
        events.mediation_sorted_event(mediation=mediation, actor=actor, note=note, time=now)
    return mediation


@transaction.atomic
def record_session(
    *,
    actor,
    mediation: Mediation,
    held_at: datetime.datetime | None,
    place: str,
    attendees: str,
    minutes: str,
    now: datetime.datetime | None = None,
) -> MediationSession:
    """Record a mediation meeting (调解会) with its attendees and minutes; ``now`` is when
    it was recorded (default: now)."""
    mediation = _lock_to_act(
        actor, mediation, [MediationStatus.SORTING, MediationStatus.IN_SESSION], _("记录调解会")
    )
    errors = FieldErrors()
    if not isinstance(held_at, datetime.datetime):
        errors.add("held_at", _("请填写调解时间"))
    elif held_at > (now or timezone.now()) + datetime.timedelta(minutes=5):
        errors.add("held_at", _("调解时间不能晚于现在"))
    elif held_at < mediation.opened_at - datetime.timedelta(days=1):
        errors.add("held_at", _("调解时间不能早于受理调解时间"))
    place = clean_line(place, "place", 200, errors, required=True)
    attendees = _required_text(attendees, "attendees", NOTE_MAX_LENGTH, errors)
    minutes = _required_text(minutes, "minutes", MINUTES_MAX_LENGTH, errors)
    errors.raise_if_any()
    with _logged(actor, mediation, _("调解会")):
        mediation.hold_session()
        mediation.save(update_fields=["status"])
        session = MediationSession.objects.create(
            mediation=mediation,
            held_at=held_at,
            place=place,
            attendees=attendees,
            minutes=minutes,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        events.mediation_session_event(mediation=mediation, actor=actor, session=session, time=now)
        record_change(actor=actor, obj=session, action=ChangeAction.CREATE, note=_("调解会"))
    return session


@transaction.atomic
def record_agreement(
    *,
    actor,
    mediation: Mediation,
    terms: str,
    amount: Any = None,
    performance_due: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Mediation:
    """Record the agreement reached (达成协议): its terms, the amount and the date by
    which it is to be performed."""
    mediation = _lock_to_act(actor, mediation, [MediationStatus.IN_SESSION], _("登记调解协议"))
    now = now or timezone.now()
    errors = FieldErrors()
    terms = _required_text(terms, "terms", TERMS_MAX_LENGTH, errors)
    amount = _amount(amount, "amount", errors)
    if performance_due is not None and not isinstance(performance_due, datetime.date):
        errors.add("performance_due", _("请填写有效的日期"))
    elif performance_due is not None and performance_due < timezone.localdate(now):
        errors.add("performance_due", _("履行期限不能早于今天"))
    errors.raise_if_any()
    with _logged(actor, mediation, _("达成调解协议")):
        mediation.agree()
        mediation.agreement_terms = terms
        mediation.agreement_amount = amount
        mediation.performance_due = performance_due
        mediation.agreed_at = now
        mediation.ended_at = now
        mediation.save()
        events.mediation_agreement_event(mediation=mediation, actor=actor, time=now)
    return mediation


@transaction.atomic
def record_no_agreement(
    *,
    actor,
    mediation: Mediation,
    referred_to: str,
    note: str,
    now: datetime.datetime | None = None,
) -> Mediation:
    """Record that mediation failed (调解不成) and where the worker was guided: labour
    arbitration or the court."""
    mediation = _lock_to_act(
        actor, mediation, [MediationStatus.SORTING, MediationStatus.IN_SESSION], _("登记调解不成")
    )
    errors = FieldErrors()
    referred_to = clean_choice(
        referred_to, ReferredTo, "referred_to", errors, _("请选择引导去向(仲裁或法院)")
    )
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    with _logged(actor, mediation, _("调解不成")):
        mediation.fail()
        mediation.referred_to = referred_to
        mediation.result_note = note
        mediation.ended_at = now or timezone.now()
        mediation.save()
        events.mediation_failed_event(mediation=mediation, actor=actor, time=mediation.ended_at)
    return mediation


@transaction.atomic
def withdraw_mediation(
    *, actor, mediation: Mediation, reason: str, now: datetime.datetime | None = None
) -> Mediation:
    """Record that the applicant withdrew the mediation request (撤回)."""
    mediation = _lock_to_act(
        actor,
        mediation,
        [MediationStatus.INTAKE, MediationStatus.SORTING, MediationStatus.IN_SESSION],
        _("撤回"),
    )
    reason = _clean_note(reason, "reason", required=True)
    with _logged(actor, mediation, _("撤回调解")):
        mediation.withdraw()
        mediation.result_note = reason
        mediation.ended_at = now or timezone.now()
        mediation.save()
        events.mediation_withdrawn_event(
            mediation=mediation, actor=actor, reason=reason, time=mediation.ended_at
        )
    return mediation


@transaction.atomic
def record_follow_up(
    *,
    actor,
    mediation: Mediation,
    performed: str,
    performed_at: datetime.date | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Mediation:
    """Record the follow-up call (回访): whether the agreement was performed, and when."""
    mediation = _lock_to_act(actor, mediation, [MediationStatus.AGREEMENT], _("回访"))
    now = now or timezone.now()
    errors = FieldErrors()
    performed = clean_choice(
        performed, Performance, "performed", errors, _("请选择已履行、部分履行或未履行")
    )
    if performed in (Performance.YES, Performance.PARTLY):
        if not isinstance(performed_at, datetime.date):
            errors.add("performed_at", _("请填写履行日期"))
        elif performed_at > timezone.localdate(now):
            errors.add("performed_at", _("履行日期不能晚于今天"))
    else:
        performed_at = None
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    with _logged(actor, mediation, _("调解回访")):
        mediation.follow_up()
        mediation.performed = performed
        mediation.performed_at = performed_at
        mediation.follow_up_note = note
        mediation.followed_up_at = now
        mediation.save()
        events.mediation_followed_up_event(mediation=mediation, actor=actor, time=now)
    return mediation


@transaction.atomic
def file_mediation(
    *, actor, mediation: Mediation, note: str = "", now: datetime.datetime | None = None
) -> Mediation:
    """File (归档) a finished mediation: followed up after an agreement, or failed."""
    mediation = _lock_to_act(
        actor, mediation, [MediationStatus.FOLLOWED_UP, MediationStatus.NO_AGREEMENT], _("归档")
    )
    note = _clean_note(note)
    now = now or timezone.now()
    with _logged(actor, mediation, _("调解归档")):
        mediation.file()
        mediation.filed_at = now
        mediation.save(update_fields=["status", "filed_at"])
        events.mediation_filed_event(mediation=mediation, actor=actor, note=note, time=now)
    return mediation
