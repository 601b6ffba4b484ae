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

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View

from huigong.cases.models import Case
from huigong.cases.policy import VIEW_PERM as VIEW_CASE
from huigong.common.listing import ScopedListView, StaffRequiredMixin, save_form
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
        done = save_form(
            request,
            form,
            lambda: services.plan_inspection(actor=request.user, **form.cleaned_data),
            success=_("已创建执法检查计划"),
            redirect_to=lambda inspection: reverse("inspections:detail", args=[inspection.pk]),
        )
        return done or self.render_form(form, status=400)


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
        done = save_form(
            request,
            form,
            lambda: inspection_actions.perform(
                "update", request.user, inspection, form.cleaned_data
            ),
            success=inspection_actions.get("update").success,
            redirect_to=reverse("inspections:detail", args=[inspection.pk]),
        )
        return done or self.render_form(
            form, policy.visible_inspection(request.user, pk), status=400
        )


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
    offered = inspection_actions.allowed_names(user, inspection)
    if bound is not None:
        bound = (page_action(bound[0]).name, bound[1])
    action_forms = [
        {
            "name": action.form.prefix_name,
            "label": action.label,
            "form": form,
            "open": bound is not None and bound[0] == action.name,
        }
        for action, form in inspection_actions.forms(
            user, inspection, bound=bound, names=PAGE_ORDER, offered=offered
        )
    ]
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

        def after(result):
            if step.name == "open_case" and self._case_visible(result):
                return reverse("cases:detail", args=[result.pk])
            return reverse("inspections:detail", args=[inspection.pk])

        done, form = inspection_actions.post(request, step.name, inspection, redirect_to=after)
        if done:
            return done
        inspection = policy.visible_inspection(request.user, pk)  # as stored: nothing changed
        context = inspection_context(request, inspection, bound=(action, form))
        return render(request, "inspections/detail.html", context, status=400)
