"""Django admin for configuring case categories and refusal reasons (system
administrators), and a read-only
view of cases and mediations. Day-to-day handling goes through the workbench and the
services, which check scope and write the timeline and the audit. (Partner departments
are configured in ``huigong.partners``, inspections are ``huigong.inspections``'.)"""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from huigong.common.admin import ReadOnlyAdminMixin, ReadOnlyTabularInline

from .models import (
    Case,
    CaseCategory,
    CaseEvent,
    Mediation,
    MediationSession,
    RefusalReason,
)


@admin.register(CaseCategory)
class CaseCategoryAdmin(TreeAdmin):
    form = movenodeform_factory(CaseCategory)
    list_display = (
        "name",
        "code",
        "handling_level",
        "ordinary_days",
        "difficult_days",
        "complex_days",
        "auto_escalate",
        "is_active",
    )
    list_filter = ("handling_level", "is_active")
    search_fields = ("name", "code")


@admin.register(RefusalReason)
class RefusalReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort", "is_active")
    list_editable = ("sort", "is_active")
    list_filter = ("is_active",)


class CaseEventInline(ReadOnlyTabularInline):
    model = CaseEvent
    fields = ("time", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: cases change only through the services (timeline, audit, deadlines)."""

    list_display = ("number", "title", "category", "organization", "status", "due_date")
    list_filter = ("status", "kind", "channel", "category")
    search_fields = ("number", "title")
    list_select_related = ("category", "organization")
    inlines = [CaseEventInline]


class MediationSessionInline(ReadOnlyTabularInline):
    model = MediationSession
    fields = ("held_at", "place", "attendees", "minutes", "recorded_by", "created_at")
    readonly_fields = fields


@admin.register(Mediation)
class MediationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: mediations change only through the mediation services (timeline, audit)."""

    list_display = ("number", "case", "organization", "respondent_name", "status", "opened_at")
    list_filter = ("status", "team", "referred_to")
    search_fields = ("number", "respondent_name", "case__number")
    list_select_related = ("case", "organization")
    inlines = [MediationSessionInline]
