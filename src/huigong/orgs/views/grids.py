"""Grid pages: create and edit a grid, assign its officers."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from huigong.common.listing import StaffRequiredMixin, save_form

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
        done = save_form(
            request,
            form,
            lambda: services.create_grid(actor=request.user, organization=org, **form.cleaned_data),
            success=lambda grid: _("已新建网格“%(name)s”") % {"name": grid.name},
            redirect_to=reverse("orgs:detail", args=[org.pk]) + "#grids",
            errors=apply_errors,
        )
        if done:
            return done
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
        done = save_form(
            request,
            form,
            lambda: services.update_grid(actor=request.user, grid=grid, **form.cleaned_data),
            success=_("已保存网格"),
            redirect_to=reverse("orgs:grid_edit", args=[grid.pk]),
            errors=apply_errors,
        )
        return done or self.render_page(request, grid, form=form, status=400)

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
        done = save_form(
            request,
            form,
            lambda: services.assign_grid_officers(
                actor=request.user, grid=grid, officers=form.cleaned_data["officers"]
            ),
            success=_("已更新网格员"),
            redirect_to=reverse("orgs:grid_edit", args=[grid.pk]),
            errors=apply_errors,
        )
        return done or GridEditView.render_page(request, grid, officers_form=form, status=400)
