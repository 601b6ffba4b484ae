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

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huigong.accounts.decorators import worker_required
from huigong.common.listing import save_form
from huigong.common.workdays import deadline_status
from huigong.kernel.attachments import attachment_response
from huigong.kernel.timeline import Audience

from .. import policy, services
from ..actions import case_actions
from ..forms.base import add_service_errors
from ..forms.portal import PortalInfoForm, PortalRateForm, PortalSubmitForm, PortalWithdrawForm
from ..mediation_pdf import agreement_pdf_response
from ..models import OPEN_STATUSES, Attachment, Case, Channel, Mediation
from ..tables import STATUS_COLOURS

WORKER = Audience.WORKER


def own_case(request, pk: int) -> Case:
    return policy.own_case(request.user, pk)


@worker_required
def case_list(request):
    cases = list(
        policy.own_cases(request.user).select_related("category").order_by("-received_at", "-id")
    )
    for case in cases:
        case.needs_rating = policy.awaiting_rating(case)
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
    policy.load_related(case)
    offered = case_actions.allowed_names(request.user, case, audience=Audience.WORKER)
    context = {
        "case": case,
        "status_colour": STATUS_COLOURS.get(case.status, "bg-secondary-lt"),
        "deadline": deadline_status(case.due_date) if case.status in OPEN_STATUSES else None,
        "timeline": policy.case_timeline(case, audience=Audience.WORKER, viewer=request.user),
        "mediations": policy.public_mediations(case),
        "attachments": [a for a in case.attachment_list if a.uploaded_by_id == request.user.pk],
        "can_add_info": "add_note" in offered,
        "can_withdraw": "withdraw" in offered,
        "needs_rating": "rate" in offered,
        "info_form": forms.get("info_form") or PortalInfoForm(),
        "rate_form": forms.get("rate_form") or PortalRateForm(),
        "withdraw_form": forms.get("withdraw_form") or PortalWithdrawForm(),
    }
    return render(request, "cases/portal/case_detail.html", context, status=status)


@worker_required
def case_detail(request, pk: int):
    return _detail(request, own_case(request, pk))


def _worker_action(request, pk: int, name: str, form, *, form_key: str, perform=None, errors=None):
    """POST one of the worker's actions on their own case (``case_actions``, worker
    audience) from its form on the case page. ``perform(user, case, data)`` stands in for
    the action's own where the form feeds more than one."""
    case = own_case(request, pk)
    action = case_actions.get(name, Audience.WORKER)
    perform = perform or action.perform
    done = save_form(
        request,
        form,
        lambda: perform(request.user, case, form.cleaned_data),
        success=action.success,
        redirect_to=reverse("portal:case_detail", args=[case.pk]),
        errors=errors or add_service_errors,
    )
    return done or _detail(request, own_case(request, pk), status=400, **{form_key: form})


@worker_required
@require_POST
def add_info(request, pk: int):
    def add(user, case, data):
        with transaction.atomic():
            note = (data.get("note") or "").strip()
            if note:
                case_actions.perform("add_note", user, case, {"note": note}, audience=WORKER)
            photos = data.get("photos") or []
            case_actions.perform("add_attachment", user, case, {"files": photos}, audience=WORKER)

    form = PortalInfoForm(request.POST, request.FILES)
    return _worker_action(
        request,
        pk,
        "add_note",
        form,
        form_key="info_form",
        perform=add,
        errors=lambda form, exc: add_service_errors(form, _renamed(exc)),
    )


@worker_required
@require_POST
def rate(request, pk: int):
    return _worker_action(request, pk, "rate", PortalRateForm(request.POST), form_key="rate_form")


@worker_required
@require_POST
def withdraw(request, pk: int):
    form = PortalWithdrawForm(request.POST)
    return _worker_action(request, pk, "withdraw", form, form_key="withdraw_form")


@worker_required
def attachment(request, pk: int):
    """A file the worker uploaded to one of their own cases."""
    try:
        item = Attachment.objects.select_related("case").get(
            pk=pk, uploaded_by=request.user, case__in=policy.own_cases(request.user)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404
    return attachment_response(item)


@worker_required
def mediation_agreement(request, pk: int):
    """The agreement (调解协议书) of a mediation of one of the worker's own cases."""
    try:
        mediation = Mediation.objects.select_related("case", "organization").get(
            pk=pk, case__in=policy.own_cases(request.user), status__in=policy.AGREED_STATUSES
        )
    except (Mediation.DoesNotExist, ValueError, TypeError):
        raise Http404
    return agreement_pdf_response(mediation)
