"""Persons in the Django admin, for system administrators' look-ups only.

The admin never shows protected values in clear (nor their ciphertext or hashes) and
cannot change persons: registering and editing go through the workbench, whose services
validate, de-duplicate and write the audit log.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from huigong.common.admin import ReadOnlyAdminMixin, ReadOnlyTabularInline

from .models import HouseholdMember, Person


class MaskedIdNumberMixin:
    """The ID number as every admin of this app shows it: masked."""

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj):
        return obj.masked_id_number


class HouseholdMemberInline(MaskedIdNumberMixin, ReadOnlyTabularInline):
    model = HouseholdMember
    fields = ("relation", "name", "masked_id_number", "birth_year", "health")
    readonly_fields = fields


@admin.register(Person)
class PersonAdmin(MaskedIdNumberMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "masked_id_number",
        "masked_phone",
        "organization",
        "employment_form",
        "is_member",
        "created_at",
    )
    list_filter = ("employment_form", "is_member", "sex")
    search_fields = ("name", "name_pinyin")
    list_select_related = ("organization",)
    fields = (
        "organization",
        "name",
        "masked_id_number",
        "sex",
        "birth_year",
        "masked_phone",
        "address",
        "employer",
        "employer_name",
        "employer_credit_code",
        "employment_form",
        "new_form_type",
        "is_member",
        "notes",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [HouseholdMemberInline]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(MaskedIdNumberMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "relation", "masked_id_number", "person", "health")
    list_filter = ("relation", "health")
    search_fields = ("name", "person__name")
    list_select_related = ("person",)
    fields = (
        "person",
        "relation",
        "name",
        "masked_id_number",
        "birth_year",
        "monthly_income",
        "health",
        "disability_grade",
        "school",
    )
    readonly_fields = fields
