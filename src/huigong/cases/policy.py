"""The reads of cases and mediations, and the rules about them: loaders through the data
scope (staff) and the worker's own objects (portal, API), what a timeline shows to whom,
and what a worker sees of a mediation. The workbench, the portal and the API all read
through here and through ``actions``; none of them reads another's helpers.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.common.workdays import deadline_status
from huigong.kernel.scope import get_visible_or_404
from huigong.kernel.timeline import Audience, timeline_rows

from .models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Mediation,
    MediationSession,
    MediationStatus,
    Performance,
    ReferredTo,
    Satisfaction,
)
from .services import CONTACT_METHODS, VIEW

VIEW_PERM = VIEW
#: States in which a mediation's agreement exists and may be printed or downloaded.
AGREED_STATUSES = (MediationStatus.AGREEMENT, MediationStatus.FOLLOWED_UP, MediationStatus.FILED)


# -- loaders -------------------------------------------------------------------------------------


def visible_case(user, pk: int) -> Case:
    """A case in ``user``'s scope, or 404 (a guessed id reveals nothing)."""
    return get_visible_or_404(
        Case.objects.select_related(
            "organization", "category", "assignee", "owner", "received_by", "employer", "grid"
        ),
        user,
        VIEW_PERM,
        pk=pk,
    )


def own_cases(user) -> QuerySet:
    """The worker's own cases (``Case.objects.of_worker``)."""
    return Case.objects.of_worker(user)


def own_case(user, pk: int) -> Case:
    """One of the worker's own cases, or 404."""
    try:
        return own_cases(user).select_related("category", "organization").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404


def load_related(case: Case) -> Case:
    """Parties, referrals, supervisions and attachments, each in one query."""
    case.party_list = list(case.parties.select_related("person", "person__organization"))
    case.referral_list = list(case.referrals.select_related("department"))
    case.supervision_list = list(
        case.supervisions.select_related("organization", "supervised_by", "responded_by")
    )
    case.attachment_list = list(case.attachments.select_related("uploaded_by"))
    return case


def visible_mediation(user, pk: int) -> Mediation:
    return get_visible_or_404(
        Mediation.objects.select_related("case", "organization", "respondent"),
        user,
        VIEW_PERM,
        pk=pk,
    )


def own_mediations(user) -> QuerySet:
    """The mediations of the worker's own cases."""
    return Mediation.objects.filter(case__in=own_cases(user))


def awaiting_rating(case: Case) -> bool:
    return case.status == CaseStatus.RESOLVED and not (
        case.rated_at and case.resolved_at and case.rated_at >= case.resolved_at
    )


# -- timeline ------------------------------------------------------------------------------------


def _local(value: str | None, fmt: str) -> str:
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(fmt)


def _label(choices, value: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return ""


def mediation_details(event: CaseEvent) -> list[str]:
    """The public facts a mediation event carries, in words: the respondent, a session's
    date and place, the agreed amount and due date, the referral, the performance.
    Nothing from the minutes or the staff notes."""
    data = event.data or {}
    kind = event.kind
    details: list[str] = []
    if kind == EventKind.MEDIATION_OPENED and data.get("respondent"):
        details.append(_("被申请人:%(name)s") % {"name": data["respondent"]})
    elif kind == EventKind.MEDIATION_SESSION:
        if data.get("held_at"):
            details.append(
                _("调解时间:%(time)s") % {"time": _local(data["held_at"], "%Y-%m-%d %H:%M")}
            )
        if data.get("place"):
            details.append(_("地点:%(place)s") % {"place": data["place"]})
    elif kind == EventKind.MEDIATION_AGREEMENT:
        if data.get("agreement_amount"):
            details.append(_("协议金额 %(amount)s 元") % {"amount": data["agreement_amount"]})
        if data.get("performance_due"):
            details.append(_("履行期限 %(date)s") % {"date": data["performance_due"]})
    elif kind == EventKind.MEDIATION_FAILED and data.get("referred_to"):
        label = _label(ReferredTo, data["referred_to"])
        if data["referred_to"] == ReferredTo.NONE:
            details.append(label)
        elif label:
            details.append(_("引导去向:%(where)s") % {"where": label})
    elif kind == EventKind.MEDIATION_FOLLOWED_UP and data.get("performed"):
        details.append(_label(Performance, data["performed"]))
        if data.get("performed_at"):
            details.append(_("履行日期 %(date)s") % {"date": data["performed_at"]})
    return [d for d in details if d]


def _case_details(departments: dict[int, str]):
    def details(event: CaseEvent) -> list[str]:
        data = event.data or {}
        found = []
        if data.get("referral") in departments:
            found.append(departments[data["referral"]])
        if data.get("amount_recovered"):
            found.append(_("追回 %(amount)s 元") % {"amount": data["amount_recovered"]})
        if data.get("workers_benefited"):
            found.append(_("受益 %(n)s 人") % {"n": data["workers_benefited"]})
        if data.get("satisfaction"):
            found.append(_label(Satisfaction, data["satisfaction"]))
        if data.get("merged_into_number"):
            found.append(_("并入 %(number)s") % {"number": data["merged_into_number"]})
        if data.get("merged_from_number"):
            found.append(_("并入了 %(number)s") % {"number": data["merged_from_number"]})
        if data.get("method") in CONTACT_METHODS:
            found.append(str(CONTACT_METHODS[data["method"]]))
        if event.kind.startswith("mediation_"):
            found.extend(mediation_details(event))
        return found

    return details


def case_timeline(case: Case, *, audience: str = Audience.STAFF, viewer=None) -> list[dict]:
    """The case's timeline as ``audience`` sees it (``CASE_EVENT_VISIBILITY``), with the
    details that matter (department, amount, satisfaction, the mediation's facts). The
    events are read unless the case carries them already (``event_list``: a case just
    taken in carries the events ``submit_case`` wrote)."""
    referrals = getattr(case, "referral_list", None)
    if referrals is None:
        referrals = list(case.referrals.select_related("department"))
    departments = {r.pk: r.department.name for r in referrals}
    events = getattr(case, "event_list", None)
    if events is None:
        events = case.events.select_related("actor").order_by("time", "id")
    return timeline_rows(
        events, audience=audience, viewer=viewer, details=_case_details(departments)
    )


def mediation_timeline(mediation: Mediation, *, audience: str = Audience.STAFF) -> list[dict]:
    """The case events of one mediation, as rows like ``case_timeline``'s."""
    events = mediation.case.events.select_related("actor").filter(
        kind__startswith="mediation_", data__mediation=mediation.pk
    )
    return timeline_rows(events, audience=audience, details=mediation_details)


# -- what a worker sees of a mediation -----------------------------------------------------------


def public_mediation(m: Mediation) -> dict[str, Any]:
    """One mediation as the worker sees it: the course and the result, without
    minutes, attendees or staff notes."""
    agreed = m.status in AGREED_STATUSES
    return {
        "id": m.pk,
        "number": m.number,
        "status": m.status,
        "status_label": m.get_status_display(),
        "organization": m.organization.name,
        "respondent_name": m.respondent_name,
        "claims": m.claims,
        "team_label": m.get_team_display() if m.team else "",
        "mediators": [u.name or u.username for u in m.mediators.all()],
        "opened_at": m.opened_at,
        "sessions": [{"held_at": s.held_at, "place": s.place} for s in m.sessions.all()],
        "agreed": agreed,
        "agreement_terms": m.agreement_terms if agreed else "",
        "agreement_amount": m.agreement_amount if agreed else None,
        "performance_due": m.performance_due if agreed else None,
        "agreed_at": m.agreed_at if agreed else None,
        "referred_to": m.referred_to,
        "referred_to_label": m.get_referred_to_display() if m.referred_to else "",
        "performed": m.performed,
        "performed_label": m.get_performed_display() if m.performed else "",
        "performed_at": m.performed_at,
        "ended_at": m.ended_at,
        "filed_at": m.filed_at,
    }


def public_mediations(case: Case) -> list[dict[str, Any]]:
    """What the worker sees of the mediations of their case, newest first."""
    mediations = case.mediations.select_related("organization").prefetch_related(
        Prefetch("sessions", queryset=MediationSession.objects.order_by("held_at", "id")),
        "mediators",
    )
    return [public_mediation(m) for m in mediations.order_by("-opened_at", "-id")]


# -- the daily digest -----------------------------------------------------------------------------


def digest_line(case: Case, today: datetime.date) -> str:
    """One case as a line of a staff member's daily digest."""
    status = deadline_status(case.due_date, today)
    return _("%(number)s %(title)s(%(status)s,办结期限 %(due)s,%(deadline)s)") % {
        "number": case.number,
        "title": case.title,
        "status": case.get_status_display(),
        "due": f"{case.due_date:%Y-%m-%d}",
        "deadline": status.label,
    }
