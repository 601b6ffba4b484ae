"""Grid pages: create and edit a grid, assign its officers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from huigong.common.listing import StaffRequiredMixin

from .. import policy, services
from ..forms import (
    GridEditForm,
    GridForm,
    GridOfficersForm,
    apply_errors,
)
from ..models import Grid
from .organizations import OrganizationDetailView, load_org, require_at

# -- grids ---------------------------------------------------------------------------------


class GridCreateView(StaffRequiredMixin, View):
    permission_required = "orgs.add_grid"

    def post(self, request, pk: int):
        org = load_org(request, pk)
        require_at(request.user, "orgs.add_grid", org)
        form = GridForm(request.POST, organization=org)
        if form.is_valid():
            try:
                grid = services.create_grid(
                    actor=request.user,
                    organization=org,
                    name=form.cleaned_data["name"],
                    level=form.cleaned_data["level"],
                    parent=form.cleaned_data["parent"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已新建网格“%(name)s”") % {"name": grid.name})
                return redirect(reverse("orgs:detail", args=[org.pk]) + "#grids")
        context = OrganizationDetailView.context(request, org, grid_form=form)
        return render(request, "orgs/detail.html", context, status=400)


def _load_grid(request, pk: int) -> Grid:
    return policy.visible_grid(request.user, pk)


class GridEditView(StaffRequiredMixin, View):
    """A grid's page: its name and description, and its officers."""

    permission_required = "orgs.change_grid"

    def get(self, request, pk: int):
        grid = _load_grid(request, pk)
        require_at(request.user, "orgs.change_grid", grid.organization)
        return self.render_page(request, grid)

    def post(self, request, pk: int):
        grid = _load_grid(request, pk)
        require_at(request.user, "orgs.change_grid", grid.organization)
        form = GridEditForm(request.POST)
        if form.is_valid():
            try:
                services.update_grid(actor=request.user, grid=grid, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存网格"))
                return redirect("orgs:grid_edit", pk=grid.pk)
        return self.render_page(request, grid, form=form, status=400)

    @staticmethod
    def render_page(request, grid, form=None, officers_form=None, status=200):
        form = form or GridEditForm(initial={"name": grid.name, "description": grid.description})
        officers_form = officers_form or GridOfficersForm(
            grid=grid, initial={"officers": list(grid.officers.values_list("pk", flat=True))}
        )
        context = {"grid": grid, "form": form, "officers_form": officers_form}
        return render(request, "orgs/grid_edit.html", context, status=status)


class GridOfficersView(StaffRequiredMixin, View):
    permission_required = "orgs.change_grid"

    def post(self, request, pk: int):
        grid = _load_grid(request, pk)
        require_at(request.user, "orgs.change_grid", grid.organization)
        form = GridOfficersForm(request.POST, grid=grid)
        if form.is_valid():
            try:
                services.assign_grid_officers(
                    actor=request.user, grid=grid, officers=form.cleaned_data["officers"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已更新网格员"))
                return redirect("orgs:grid_edit", pk=grid.pk)
        return GridEditView.render_page(request, grid, officers_form=form, status=400)
