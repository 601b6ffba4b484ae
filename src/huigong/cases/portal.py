"""Worker-facing case pages, mounted under /m/ by ``huigong.portal.urls``: submit a
demand (category, description, photos, place or station), follow one's own cases with
their status and public timeline, add information, rate a resolved case, withdraw.

A worker sees only the cases where their person record is a party; any other id is a
404. Staff-internal entries of the timeline (working notes, contact logs, supervision,
reassignment, deadline marks) are not shown, nor are files uploaded by staff.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huigong.accounts.decorators import worker_required
from huigong.common.workdays import deadline_status

from . import services
from .forms import PortalInfoForm, PortalRateForm, PortalSubmitForm, PortalWithdrawForm
from .models import OPEN_STATUSES, Attachment, Case, CaseStatus, Channel, EventKind
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
    }
)
#: Of those, the ones whose text is meant for the worker (the result, the reason of a
#: withdrawal or a reopening, the rating remark); others show only what happened.
PUBLIC_NOTE_KINDS = frozenset(
    {EventKind.RESOLVED, EventKind.RATED, EventKind.REOPENED, EventKind.WITHDRAWN}
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
        "timeline": timeline(case, public_only=True, viewer=request.user),
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
