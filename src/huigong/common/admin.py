"""Admin building blocks shared by the apps. Rows that change only through services
(cases, mediations, inspections, persons, API tokens, the logs) are shown read-only in
the Django admin: the services check scope and write the timeline and the audit."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes here, superusers included. For a ``ModelAdmin``
    or an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The rows under an object, listed read-only (no empty extra rows)."""

    extra = 0
