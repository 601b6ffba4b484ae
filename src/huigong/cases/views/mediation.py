"""Workbench pages for mediation: the "调解" card on the case detail page (open a
mediation), the mediation page with its steps, sessions and one small POST form per
step, and the agreement PDF.

Thin like ``cases.views``: load through the scope (a guessed id outside it is a 404), parse
a form, call one service in ``cases.services.mediation``; its ``PermissionDenied`` is the 403 page,
its ``ValidationError`` field messages on the page (status 400) with nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from huigong.common.listing import StaffRequiredMixin, save_form

from .. import policy
from ..actions import mediation_actions
from ..forms import mediation as forms
from ..forms.base import add_service_errors
from ..mediation_pdf import agreement_pdf_response
from ..models import Mediation, MediationStatus
from ..services import mediation as services
from .cases import VIEW_PERM, detail_context, mediation_card, visible_case

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


class OpenMediationView(StaffRequiredMixin, View):
    """POST from the case detail page: open a mediation of the case."""

    permission_required = VIEW_PERM
    http_method_names = ["post"]

    def post(self, request, pk: int):
        case = visible_case(request, pk)
        form = forms.OpenMediationForm(request.POST, case=case, user=request.user)
        done = save_form(
            request,
            form,
            lambda: services.open_mediation(actor=request.user, case=case, **form.cleaned_data),
            success=gettext_lazy("已受理调解"),
            redirect_to=lambda mediation: reverse("cases:mediation", args=[mediation.pk]),
            errors=add_service_errors,
        )
        if done:
            return done
        case = visible_case(request, pk)
        context = detail_context(request, case)
        context["mediation_card"] = mediation_card(request.user, case, open_form=form)
        return render(request, "cases/case_detail.html", context, status=400)


def visible_mediation(request, pk: int) -> Mediation:
    return policy.visible_mediation(request.user, pk)


def mediation_context(request, mediation: Mediation, bound=None) -> dict[str, Any]:
    user = request.user
    action_forms = [
        {
            "name": action.name,
            "label": action.label,
            "form": form,
            "open": bound[0] == action.name if bound is not None else i == 0,
        }
        for i, (action, form) in enumerate(mediation_actions.forms(user, mediation, bound=bound))
    ]
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
        "can_print": mediation.status in policy.AGREED_STATUSES,
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
        mediation = visible_mediation(request, pk)
        page = reverse("cases:mediation", args=[mediation.pk])
        done, form = mediation_actions.post(request, action, mediation, redirect_to=page)
        if done:
            return done
        mediation = visible_mediation(request, pk)  # as stored: nothing was changed
        context = mediation_context(request, mediation, bound=(action, form))
        return render(request, "cases/mediation/detail.html", context, status=400)


class AgreementPdfView(StaffRequiredMixin, View):
    """The printable agreement (调解协议书) of a mediation in the user's scope."""

    permission_required = VIEW_PERM

    def get(self, request, pk: int):
        mediation = visible_mediation(request, pk)
        if mediation.status not in policy.AGREED_STATUSES:
            raise Http404
        return agreement_pdf_response(mediation)
