"""Workbench pages for mediation: the "调解" card on the case detail page (open a
mediation), the mediation page with its steps, sessions and one small POST form per
step, and the agreement PDF.

Thin like ``cases.views``: load through the scope (a guessed id outside it is a 404), parse
a form, call one service in ``cases.services.mediation``; its ``PermissionDenied`` is the 403 page,
its ``ValidationError`` field messages on the page (status 400) with nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_fsm import can_proceed

from huigong.common.listing import StaffRequiredMixin
from huigong.orgs.scope import get_visible_or_404

from . import mediation_forms as forms
from .mediation_pdf import render_agreement_pdf
from .models import ACTIVE_MEDIATION_STATUSES, Case, Mediation, MediationStatus
from .services import mediation as services
from .views import VIEW_PERM, add_service_errors, detail_context, visible_case

#: The steps shown at the top of the mediation page, in order.
STEPS = [
    (MediationStatus.INTAKE, gettext_lazy("受理")),
    (MediationStatus.SORTING, gettext_lazy("分流")),
    (MediationStatus.IN_SESSION, gettext_lazy("调解")),
    ("result", gettext_lazy("调解结果")),
    (MediationStatus.FOLLOWED_UP, gettext_lazy("回访")),
    (MediationStatus.FILED, gettext_lazy("归档")),
]
_STEP_INDEX = {
    MediationStatus.INTAKE: 0,
    MediationStatus.SORTING: 1,
    MediationStatus.IN_SESSION: 2,
    MediationStatus.AGREEMENT: 3,
    MediationStatus.NO_AGREEMENT: 3,
    MediationStatus.WITHDRAWN: 3,
    MediationStatus.FOLLOWED_UP: 4,
    MediationStatus.FILED: 5,
}
#: States in which the agreement exists and may be printed.
AGREED_STATUSES = (MediationStatus.AGREEMENT, MediationStatus.FOLLOWED_UP, MediationStatus.FILED)


def case_card(user, case: Case, open_form=None) -> dict[str, Any]:
    """The "调解" card of the case detail page."""
    mediations = list(case.mediations.order_by("-opened_at", "-id"))
    may_open = (
        services.can_mediate(user, case.organization)
        and case.status in services.OPENABLE_CASE_STATUSES
        and not any(m.status in ACTIVE_MEDIATION_STATUSES for m in mediations)
    )
    if open_form is None and may_open:
        open_form = forms.OpenMediationForm(case=case, user=user)
    return {"mediations": mediations, "open_form": open_form}


class OpenMediationView(StaffRequiredMixin, View):
    """POST from the case detail page: open a mediation of the case."""

    permission_required = VIEW_PERM
    http_method_names = ["post"]

    def post(self, request, pk: int):
        case = visible_case(request, pk)
        form = forms.OpenMediationForm(request.POST, case=case, user=request.user)
        if form.is_valid():
            try:
                mediation = services.open_mediation(
                    actor=request.user, case=case, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(gettext_lazy("已受理调解")))
                return HttpResponseRedirect(reverse("cases:mediation", args=[mediation.pk]))
        case = visible_case(request, pk)
        context = detail_context(request, case)
        context["mediation_card"] = case_card(request.user, case, open_form=form)
        return render(request, "cases/case_detail.html", context, status=400)


@dataclass
class Step:
    form_class: type
    label: Any
    success: Any
    call: Any


def _sort(user, m, data):
    return services.sort_mediation(actor=user, mediation=m, **data)


def _session(user, m, data):
    return services.record_session(actor=user, mediation=m, **data)


def _agreement(user, m, data):
    return services.record_agreement(actor=user, mediation=m, **data)


def _no_agreement(user, m, data):
    return services.record_no_agreement(actor=user, mediation=m, **data)


def _withdraw(user, m, data):
    return services.withdraw_mediation(actor=user, mediation=m, **data)


def _follow_up(user, m, data):
    return services.record_follow_up(actor=user, mediation=m, **data)


def _file(user, m, data):
    return services.file_mediation(actor=user, mediation=m, **data)


ACTIONS: dict[str, Step] = {
    "sort": Step(forms.SortForm, pgettext_lazy("mediation", "分流"), gettext_lazy("已分流"), _sort),
    "session": Step(
        forms.SessionForm,
        pgettext_lazy("mediation", "记录调解会"),
        gettext_lazy("已记录调解会"),
        _session,
    ),
    "agreement": Step(
        forms.AgreementForm,
        pgettext_lazy("mediation", "达成协议"),
        gettext_lazy("已登记调解协议"),
        _agreement,
    ),
    "no_agreement": Step(
        forms.NoAgreementForm,
        pgettext_lazy("mediation", "调解不成"),
        gettext_lazy("已登记调解不成"),
        _no_agreement,
    ),
    "withdraw": Step(
        forms.WithdrawForm,
        pgettext_lazy("mediation", "撤回调解"),
        gettext_lazy("已撤回调解"),
        _withdraw,
    ),
    "follow_up": Step(
        forms.FollowUpForm,
        pgettext_lazy("mediation", "回访"),
        gettext_lazy("已记录回访"),
        _follow_up,
    ),
    "file": Step(forms.FileForm, pgettext_lazy("mediation", "归档"), gettext_lazy("已归档"), _file),
}


def _allowed(mediation: Mediation, can: bool) -> dict[str, bool]:
    return {
        "sort": can and can_proceed(mediation.sort),
        "session": can and can_proceed(mediation.hold_session),
        "agreement": can and can_proceed(mediation.agree),
        "no_agreement": can and can_proceed(mediation.fail),
        "withdraw": can and can_proceed(mediation.withdraw),
        "follow_up": can and can_proceed(mediation.follow_up),
        "file": can and can_proceed(mediation.file),
    }


def visible_mediation(request, pk: int) -> Mediation:
    return get_visible_or_404(
        Mediation.objects.select_related("case", "organization", "respondent"),
        request.user,
        VIEW_PERM,
        pk=pk,
    )


def mediation_context(request, mediation: Mediation, bound=None) -> dict[str, Any]:
    user = request.user
    can = services.can_mediate(user, mediation.organization)
    allowed = _allowed(mediation, can)
    action_forms = []
    for name, step in ACTIONS.items():
        if bound is not None and bound[0] == name:
            form = bound[1]
        elif allowed[name]:
            form = step.form_class(mediation=mediation, user=user)
        else:
            continue
        open_ = bound[0] == name if bound is not None else not action_forms
        action_forms.append({"name": name, "label": step.label, "form": form, "open": open_})
    current = _STEP_INDEX[mediation.status]
    steps = [
        {
            "label": label,
            "done": i < current or mediation.status == MediationStatus.FILED,
            "active": i == current,
        }
        for i, (_key, label) in enumerate(STEPS)
    ]
    case = mediation.case
    events = [
        e
        for e in case.events.select_related("actor").filter(kind__startswith="mediation_")
        if (e.data or {}).get("mediation") == mediation.pk
    ]
    return {
        "mediation": mediation,
        "case": case,
        "page_title": mediation.number,
        "parties": list(case.parties.select_related("person")),
        "mediators": list(mediation.mediators.all()),
        "sessions": list(mediation.sessions.select_related("recorded_by")),
        "steps": steps,
        "action_forms": action_forms,
        "events": events,
        "can_print": mediation.status in AGREED_STATUSES,
    }


class MediationDetailView(StaffRequiredMixin, TemplateView):
    permission_required = VIEW_PERM
    template_name = "cases/mediation/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mediation = visible_mediation(self.request, self.kwargs["pk"])
        context.update(mediation_context(self.request, mediation))
        return context


class MediationActionView(StaffRequiredMixin, View):
    """POST one step's form; the service decides (403 / field errors / done)."""

    permission_required = VIEW_PERM
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404
        step = ACTIONS[action]
        mediation = visible_mediation(request, pk)
        form = step.form_class(request.POST, mediation=mediation, user=request.user)
        if form.is_valid():
            try:
                step.call(request.user, mediation, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(step.success))
                return HttpResponseRedirect(reverse("cases:mediation", args=[mediation.pk]))
        mediation = visible_mediation(request, pk)  # as stored: nothing was changed
        return render(
            request,
            "cases/mediation/detail.html",
            mediation_context(request, mediation, bound=(action, form)),
            status=400,
        )


class AgreementPdfView(StaffRequiredMixin, View):
    """The printable agreement (调解协议书) of a mediation in the user's scope."""

    permission_required = VIEW_PERM

    def get(self, request, pk: int):
        mediation = visible_mediation(request, pk)
        if mediation.status not in AGREED_STATUSES:
            raise Http404
        return agreement_response(mediation)


def agreement_response(mediation: Mediation) -> HttpResponse:
    """The agreement PDF of ``mediation`` as a private, inline download."""
    response = HttpResponse(render_agreement_pdf(mediation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{mediation.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
