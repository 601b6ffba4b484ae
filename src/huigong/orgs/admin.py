"""Django admin for configuring the organization tree and grids (system administrators).
Day-to-day changes go through the workbench, which checks scope and writes the audit."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Grid, Organization


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ("name", "kind", "category", "division_code", "status")
    list_filter = ("kind", "category", "status")
    search_fields = ("name", "short_name", "division_code", "credit_code")
    readonly_fields = ("merged_into", "created_at", "updated_at")


@admin.register(Grid)
class GridAdmin(TreeAdmin):
    form = movenodeform_factory(Grid)
    list_display = ("name", "level", "organization")
    list_filter = ("level",)
    search_fields = ("name", "organization__name")
    raw_id_fields = ("organization",)
    filter_horizontal = ("officers",)
    list_select_related = ("organization",)
