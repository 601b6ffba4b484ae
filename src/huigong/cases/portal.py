"""Worker-facing case pages, mounted under /m/ by ``huigong.portal.urls``: submit a
demand (category, description, photos, place or station), follow one's own cases with
their status and public timeline, add information, rate a resolved case, withdraw, see
the mediation of the case and download its agreement.

A worker sees only the cases where their person record is a party; any other id is a
404. Staff-internal entries of the timeline (working notes, contact logs, supervision,
reassignment, deadline marks) are not shown, nor are files uploaded by staff. Of a
mediation the worker sees that it was opened, when and where the sessions were held, the
agreement (terms, amount, due date) or the referral to arbitration or court, whether it
was performed and that it was filed — never the minutes, the attendees or staff notes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huigong.accounts.decorators import worker_required
from huigong.common.workdays import deadline_status

from . import services
from .mediation_views import AGREED_STATUSES, agreement_response
from .models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    EventKind,
    Mediation,
    MediationSession,
    Performance,
    ReferredTo,
)
from .portal_forms import PortalInfoForm, PortalRateForm, PortalSubmitForm, PortalWithdrawForm
from .tables import STATUS_COLOURS
from .views import add_service_errors, attachment_response, load_related, timeline

#: Timeline entries a worker sees on their own case.
PUBLIC_EVENT_KINDS = frozenset(
    {
        EventKind.RECEIVED,
        EventKind.ROUTED,
        EventKind.ACCEPTED,
        EventKind.REFERRED,
        EventKind.DEPARTMENT_REPLIED,
        EventKind.ESCALATED,
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.CLOSED,
        EventKind.MERGED,
        EventKind.WITHDRAWN,
        # Mediation: its course and result, not the sorting to a team (internal).
        EventKind.MEDIATION_OPENED,
        EventKind.MEDIATION_SESSION,
        EventKind.MEDIATION_AGREEMENT,
        EventKind.MEDIATION_FAILED,
        EventKind.MEDIATION_WITHDRAWN,
        EventKind.MEDIATION_FOLLOWED_UP,
        EventKind.MEDIATION_FILED,
    }
)
#: Of those, the ones whose text is meant for the worker (the result, the reason of a
#: withdrawal or a reopening, the rating remark, the matters put to mediation, the
#: agreement's terms); others show only what happened. A session's note is its minutes,
#: a failed mediation's, a follow-up's and a filing's are staff notes: never shown.
PUBLIC_NOTE_KINDS = frozenset(
    {
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.WITHDRAWN,
        EventKind.MEDIATION_OPENED,
        EventKind.MEDIATION_AGREEMENT,
        EventKind.MEDIATION_WITHDRAWN,
    }
)


def own_cases(user):
    """The cases where the worker's person record is a party."""
    if not user.is_authenticated or not user.person_id:
        return Case.objects.none()
    return Case.objects.filter(parties__person_id=user.person_id).distinct()


def own_case(request, pk: int) -> Case:
    try:
        return own_cases(request.user).select_related("category", "organization").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404


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
    """The public facts a mediation event carries, in words: the respondent, a
    session's date and place, the agreed amount and due date, the referral, the
    performance. Nothing from the minutes or the staff notes."""
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


def case_timeline(case: Case, *, public_only: bool = False, viewer=None) -> list[dict]:
    """``views.timeline`` with the facts of the mediation events added to their details;
    what a worker sees is still decided by ``PUBLIC_EVENT_KINDS`` / ``PUBLIC_NOTE_KINDS``."""
    rows = timeline(case, public_only=public_only, viewer=viewer)
    for row in rows:
        if row["event"].kind.startswith("mediation_"):
            row["details"] = [*row["details"], *mediation_details(row["event"])]
    return rows


def mediation_timeline(mediation: Mediation, *, public_only: bool = False) -> list[dict]:
    """The case events of one mediation, as rows like ``case_timeline``'s."""
    events = mediation.case.events.select_related("actor").filter(
        kind__startswith="mediation_", data__mediation=mediation.pk
    )
    rows = []
    for event in events:
        if public_only and event.kind not in PUBLIC_EVENT_KINDS:
            continue
        show_note = not public_only or event.kind in PUBLIC_NOTE_KINDS
        rows.append(
            {
                "event": event,
                "label": event.get_kind_display(),
                "actor": (event.actor.name or event.actor.username) if event.actor else _("系统"),
                "note": event.note if show_note else "",
                "details": mediation_details(event),
            }
        )
    return rows


def public_mediations(case: Case) -> list[dict[str, Any]]:
    """What the worker sees of the mediations of their case, newest first: the course
    and the result, without minutes, attendees or staff notes."""
    mediations = case.mediations.select_related("organization").prefetch_related(
        Prefetch("sessions", queryset=MediationSession.objects.order_by("held_at", "id")),
        "mediators",
    )
    return [public_mediation(m) for m in mediations.order_by("-opened_at", "-id")]


def public_mediation(m: Mediation) -> dict[str, Any]:
    """One mediation as the worker sees it (see ``public_mediations``)."""
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


def awaiting_rating(case: Case) -> bool:
    return case.status == CaseStatus.RESOLVED and not (
        case.rated_at and case.resolved_at and case.rated_at >= case.resolved_at
    )


@worker_required
def case_list(request):
    cases = list(own_cases(request.user).select_related("category").order_by("-received_at", "-id"))
    for case in cases:
        case.needs_rating = awaiting_rating(case)
        case.status_colour = STATUS_COLOURS.get(case.status, "bg-secondary-lt")
    return render(
        request,
        "cases/portal/case_list.html",
        {"cases": cases, "has_person": bool(request.user.person_id)},
    )


def _attach(user, case, files) -> None:
    for upload in files:
        services.add_attachment(actor=user, case=case, file=upload)


@worker_required
def submit(request):
    form = PortalSubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                case = services.submit_case(
                    actor=request.user, channel=Channel.PORTAL, **form.service_kwargs()
                )
                _attach(request.user, case, form.cleaned_data.get("photos") or [])
        except ValidationError as exc:
            add_service_errors(form, _renamed(exc))
        else:
            messages.success(
                request,
                _("已提交,编号 %(number)s。工会将在 1 个工作日内受理。") % {"number": case.number},
            )
            return redirect("portal:case_detail", pk=case.pk)
    return render(
        request,
        "cases/portal/submit.html",
        {"form": form, "has_person": bool(request.user.person_id)},
    )


def _renamed(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    names = {"file": "photos", "note": "note", "applicants": "__all__"}
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


def _detail(request, case: Case, *, status: int = 200, **forms):
    load_related(case)
    context = {
        "case": case,
        "status_colour": STATUS_COLOURS.get(case.status, "bg-secondary-lt"),
        "deadline": deadline_status(case.due_date) if case.status in OPEN_STATUSES else None,
        "timeline": case_timeline(case, public_only=True, viewer=request.user),
        "mediations": public_mediations(case),
        "attachments": [a for a in case.attachment_list if a.uploaded_by_id == request.user.pk],
        "can_add_info": case.status in (*OPEN_STATUSES, CaseStatus.RESOLVED),
        "can_withdraw": case.status in OPEN_STATUSES,
        "needs_rating": awaiting_rating(case),
        "info_form": forms.get("info_form") or PortalInfoForm(),
        "rate_form": forms.get("rate_form") or PortalRateForm(),
        "withdraw_form": forms.get("withdraw_form") or PortalWithdrawForm(),
    }
    return render(request, "cases/portal/case_detail.html", context, status=status)


@worker_required
def case_detail(request, pk: int):
    return _detail(request, own_case(request, pk))


@worker_required
@require_POST
def add_info(request, pk: int):
    case = own_case(request, pk)
    form = PortalInfoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                note = (form.cleaned_data.get("note") or "").strip()
                if note:
                    services.add_note(actor=request.user, case=case, note=note)
                _attach(request.user, case, form.cleaned_data.get("photos") or [])
        except ValidationError as exc:
            add_service_errors(form, _renamed(exc))
        else:
            messages.success(request, _("已补充,办理人员会看到。"))
            return redirect("portal:case_detail", pk=case.pk)
    return _detail(request, own_case(request, pk), status=400, info_form=form)


@worker_required
@require_POST
def rate(request, pk: int):
    case = own_case(request, pk)
    form = PortalRateForm(request.POST)
    if form.is_valid():
        try:
            services.rate_case(
                actor=request.user,
                case=case,
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("感谢您的评价!"))
            return redirect("portal:case_detail", pk=case.pk)
    return _detail(request, own_case(request, pk), status=400, rate_form=form)


@worker_required
@require_POST
def withdraw(request, pk: int):
    case = own_case(request, pk)
    form = PortalWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_case(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已撤回"))
            return redirect("portal:case_detail", pk=case.pk)
    return _detail(request, own_case(request, pk), status=400, withdraw_form=form)


@worker_required
def attachment(request, pk: int):
    """A file the worker uploaded to one of their own cases."""
    try:
        item = Attachment.objects.select_related("case").get(
            pk=pk, uploaded_by=request.user, case__in=own_cases(request.user)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404
    return attachment_response(item)


@worker_required
def mediation_agreement(request, pk: int):
    """The agreement (调解协议书) of a mediation of one of the worker's own cases."""
    try:
        mediation = Mediation.objects.select_related("case", "organization").get(
            pk=pk, case__in=own_cases(request.user), status__in=AGREED_STATUSES
        )
    except (Mediation.DoesNotExist, ValueError, TypeError):
        raise Http404
    return agreement_response(mediation)
