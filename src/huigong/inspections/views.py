"""Workbench pages for joint labour inspections (执法检查): the scoped list with filters
and export, the plan form (create and edit), and the campaign page with its targets,
findings, rectification orders, result totals and timeline, with one small POST form per
action the user is offered (``actions``).

Thin: load through ``policy`` (a guessed id outside the scope is a 404), parse a form,
run one action's service; its ``PermissionDenied`` is the 403 page, its
``ValidationError`` field messages on the page (status 400) with nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View

from huigong.cases.models import Case
from huigong.cases.policy import VIEW_PERM as VIEW_CASE
from huigong.common.forms import add_service_errors
from huigong.common.listing import ScopedListView, StaffRequiredMixin
from huigong.common.workdays import deadline_status

from . import policy, services
from .actions import inspection_actions, page_action
from .filters import InspectionFilter
from .forms import InspectionForm
from .models import Inspection, RectificationStatus
from .tables import InspectionTable, status_colour

EXPORT_PERM = "cases.export_case"

#: The order of the action forms on the campaign page (the plan form is its own page).
PAGE_ORDER = (
    "start",
    "add_target",
    "record_visit",
    "record_finding",
    "issue_order",
    "record_rectification",
    "open_case",
    "finish",
    "cancel",
)


# -- list --------------------------------------------------------------------------------------


class InspectionListView(ScopedListView):
    """执法检查: the campaigns in the user's scope."""

    model = Inspection
    table_class = InspectionTable
    filterset_class = InspectionFilter
    template_name = "inspections/list.html"
    permission_required = policy.VIEW
    export_permission = EXPORT_PERM
    export_filename = pgettext_lazy("inspection list", "执法检查")
    page_title = pgettext_lazy("inspection list", "执法检查")

    def get_queryset(self):
        return policy.with_totals(policy.visible_inspections(self.request.user))

    def get_context_data(self, **kwargs):
        user = self.request.user
        self.create_url_name = "inspections:create" if user.has_perm(services.MANAGE) else None
        return super().get_context_data(**kwargs)


# -- plan form ---------------------------------------------------------------------------------


class InspectionCreateView(StaffRequiredMixin, View):
    permission_required = services.MANAGE
    template_name = "inspections/form.html"

    def render_form(self, form, status: int = 200):
        context = {"form": form, "page_title": _("新建执法检查"), "inspection": None}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(InspectionForm(user=request.user))

    def post(self, request):
        form = InspectionForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                inspection = services.plan_inspection(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(_("已创建执法检查计划")))
                return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
        return self.render_form(form, status=400)


class InspectionEditView(StaffRequiredMixin, View):
    """The plan form of a campaign: the ``update`` action on its own page."""

    permission_required = services.MANAGE
    template_name = "inspections/form.html"

    def load(self, pk: int) -> Inspection:
        inspection = policy.visible_inspection(self.request.user, pk)
        if not services.can_manage_inspection(self.request.user, inspection.organization):
            raise PermissionDenied
        return inspection

    def render_form(self, form, inspection, status: int = 200):
        context = {"form": form, "page_title": _("修改执法检查计划"), "inspection": inspection}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        inspection = self.load(pk)
        initial = {
            "name": inspection.name,
            "start_date": inspection.start_date,
            "end_date": inspection.end_date,
            "departments": list(inspection.departments.all()),
            "description": inspection.description,
        }
        form = InspectionForm(user=request.user, inspection=inspection, initial=initial)
        return self.render_form(form, inspection)

    def post(self, request, pk: int):
        inspection = self.load(pk)
        form = InspectionForm(request.POST, user=request.user, inspection=inspection)
        if form.is_valid():
            update = inspection_actions.get("update")
            try:
                inspection_actions.perform("update", request.user, inspection, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(update.success))
                return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
        return self.render_form(form, policy.visible_inspection(request.user, pk), status=400)


# -- detail and actions ------------------------------------------------------------------------


def inspection_context(request, inspection: Inspection, bound=None) -> dict[str, Any]:
    """The campaign page: ``bound`` is (slug, form) of a posted form that failed."""
    user = request.user
    targets = policy.targets_with_rows(inspection)
    for target in targets:
        for finding in target.findings.all():
            for order in finding.orders.all():
                order.deadline = (
                    deadline_status(order.due_date)
                    if order.status != RectificationStatus.RECTIFIED
                    else None
                )
    offered = {a.name: a for a in inspection_actions.allowed(user, inspection)}
    action_forms = []
    for name in PAGE_ORDER:
        action = inspection_actions.get(name)
        slug = action.form.prefix_name
        if bound is not None and bound[0] == slug:
            form, open_ = bound[1], True
        elif name in offered:
            form, open_ = action.form(inspection=inspection, user=user), False
        else:
            continue
        action_forms.append({"name": slug, "label": action.label, "form": form, "open": open_})
    return {
        "inspection": inspection,
        "page_title": inspection.name,
        "departments": list(inspection.departments.all()),
        "targets": targets,
        "totals": policy.totals(targets),
        "timeline": policy.inspection_timeline(inspection),
        "action_forms": action_forms,
        "can_edit": "update" in offered,
        "status_colour": status_colour(inspection.status),
    }


class InspectionDetailView(StaffRequiredMixin, View):
    permission_required = policy.VIEW
    template_name = "inspections/detail.html"

    def get(self, request, pk: int):
        inspection = policy.visible_inspection(request.user, pk)
        return render(request, self.template_name, inspection_context(request, inspection))


class InspectionActionView(StaffRequiredMixin, View):
    """POST one action's form; the service decides (403 / field errors / done)."""

    permission_required = policy.VIEW
    http_method_names = ["post"]

    def _case_visible(self, case) -> bool:
        return Case.objects.visible_to(self.request.user, VIEW_CASE).filter(pk=case.pk).exists()

    def post(self, request, pk: int, action: str):
        step = page_action(action)
        if step is None:
            raise Http404
        inspection = policy.visible_inspection(request.user, pk)
        form = step.form(request.POST, inspection=inspection, user=request.user)
        if form.is_valid():
            try:
                result = inspection_actions.perform(
                    step.name, request.user, inspection, form.service_kwargs()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(step.success))
                if step.name == "open_case" and self._case_visible(result):
                    return HttpResponseRedirect(reverse("cases:detail", args=[result.pk]))
                return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
        inspection = policy.visible_inspection(request.user, pk)  # as stored: nothing changed
        return render(
            request,
            "inspections/detail.html",
            inspection_context(request, inspection, bound=(action, form)),
            status=400,
        )
