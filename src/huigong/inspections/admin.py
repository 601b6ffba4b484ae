"""A read-only Django admin view of inspection campaigns (system administrators); they
change only through ``inspections.services`` (timeline, audit)."""

from django.contrib import admin

from huigong.common.admin import ReadOnlyAdminMixin

from .models import Inspection


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: campaigns change only through the inspection services (timeline, audit)."""

    list_display = ("name", "organization", "start_date", "end_date", "status")
    list_filter = ("status",)
    search_fields = ("name", "targets__name")
    list_select_related = ("organization",)
    readonly_fields = ("departments",)
