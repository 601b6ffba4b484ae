"""Django admin for partner departments (system administrators); day-to-day management
goes through the workbench pages and ``partners.services``, which check scope and write
the audit."""

from django.contrib import admin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "response_days", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "organization__name")
    raw_id_fields = ("organization",)
    list_select_related = ("organization",)
