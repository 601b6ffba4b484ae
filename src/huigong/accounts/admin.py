"""Django admin for accounts: configuration only (users, roles and where they hold them).

Phones stay masked here too. Role assignments go through the services, so they are checked
and audited like anywhere else; API tokens are read-only and can only be revoked.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.admin import ReadOnlyAdminMixin
from huigong.common.crypto import lookup_hash
from huigong.common.text import clean_phone

from . import services
from .models import ApiToken, Role, RoleAssignment, User


class AuditedAdminMixin:
    """Logs creates, updates and deletes made in admin to the change log."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:
                after = snapshot(obj)
                if after != before:
                    record_change(
                        actor=request.user,
                        obj=obj,
                        action=ChangeAction.UPDATE,
                        before=before,
                        after=after,
                        note=gettext("系统配置"),
                    )
            else:
                record_change(
                    actor=request.user,
                    obj=obj,
                    action=ChangeAction.CREATE,
                    note=gettext("系统配置"),
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_change(
                actor=request.user, obj=obj, action=ChangeAction.DELETE, note=gettext("系统配置")
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_change(
                    actor=request.user,
                    obj=obj,
                    action=ChangeAction.DELETE,
                    note=gettext("系统配置"),
                )
            super().delete_queryset(request, queryset)


class RoleAssignmentForm(forms.ModelForm):
    """An existing assignment can only get a new end date or be removed: changing its role
    or organization would be a different grant, so it is revoked and assigned anew."""

    class Meta:
        model = RoleAssignment
        fields = ["role", "organization", "valid_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].disabled = True
            self.fields["organization"].disabled = True


class RoleAssignmentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.is_worker and any(
            form.has_changed() and not form.instance.pk for form in self.forms
        ):
            raise ValidationError(gettext("职工账号不能被分配工作人员角色。"))


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    formset = RoleAssignmentFormSet
    fields = ("role", "organization", "valid_until")
    raw_id_fields = ("organization",)
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "name",
        "kind",
        "masked_phone_display",
        "is_active",
        "is_superuser",
        "last_login",
    )
    list_filter = ("kind", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "name")
    ordering = ("username",)
    readonly_fields = ("masked_phone_display", "last_login", "date_joined")
    raw_id_fields = ("person",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("基本信息"), {"fields": ("name", "kind", "masked_phone_display", "person", "email")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "name", "password1", "password2")},
        ),
    )
    inlines = [RoleAssignmentInline]

    @admin.display(description=_("手机号"))
    def masked_phone_display(self, obj) -> str:
        return obj.masked_phone or "-"

    def get_search_results(self, request, queryset, search_term):
        # Phones are encrypted: find them through the lookup hash.
        phone = clean_phone(search_term)
        if len(phone) == 11 and phone.isdigit():
            return queryset.filter(phone_hash=lookup_hash(phone)), False
        return super().get_search_results(request, queryset, search_term)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        user = form.instance
        for assignment in formset.deleted_objects:
            services.revoke_role(actor=request.user, assignment=assignment)
        for assignment in formset.new_objects:
            services.assign_role(
                actor=request.user,
                user=user,
                role=assignment.role,
                organization=assignment.organization,
                valid_until=assignment.valid_until,
            )
        for assignment, _fields in formset.changed_objects:
            services.set_role_validity(
                actor=request.user,
                assignment=RoleAssignment.objects.get(pk=assignment.pk),
                valid_until=assignment.valid_until,
            )


@admin.register(Role)
class RoleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "description", "permission_count")
    search_fields = ("name", "code")
    filter_horizontal = ("permissions",)

    @admin.display(description=_("权限数"))
    def permission_count(self, obj) -> int:
        return obj.permissions.count()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _permission_names(self, role) -> list[str]:
        return sorted(
            f"{app}.{code}"
            for app, code in role.permissions.values_list("content_type__app_label", "codename")
        )

    def save_related(self, request, form, formsets, change):
        role = form.instance
        before = self._permission_names(role) if change else []
        super().save_related(request, form, formsets, change)
        after = self._permission_names(role)
        if before != after:
            record_change(
                actor=request.user,
                obj=role,
                action=ChangeAction.UPDATE,
                before={"permissions": before},
                after={"permissions": after},
                note=gettext("系统配置"),
            )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: keys are never shown (only their prefix); a leaked token is revoked."""

    list_display = (
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    list_filter = ("scope",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username", "user__name")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    fields = readonly_fields
    actions = ["revoke_selected"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("accounts.delete_apitoken")

    @admin.action(description=_("吊销所选令牌"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        count = 0
        for token in queryset.select_related("user"):
            services.revoke_api_token(actor=request.user, token=token)
            count += 1
        self.message_user(
            request,
            ngettext("已吊销 %(n)d 个令牌。", "已吊销 %(n)d 个令牌。", count) % {"n": count},
            messages.SUCCESS,
        )
