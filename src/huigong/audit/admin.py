"""The logs in Django admin: read-only for everyone, superusers included. Nobody may add,
change or delete a log row here (there is no "delete selected" action either), and
non-superusers see only their scope, as on the audit pages."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from huigong.common.admin import ReadOnlyAdminMixin

from .display import ChangeFormatter, field_labels, object_type_label
from .models import AccessLog, ChangeLog


class _ReadOnlyLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    date_hierarchy = "time"
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description=_("对象类型"), ordering="object_type")
    def object_type_name(self, obj):
        return object_type_label(obj.object_type)


@admin.register(ChangeLog)
class ChangeLogAdmin(_ReadOnlyLogAdmin):
    list_display = (
        "time",
        "actor_name",
        "action",
        "object_type_name",
        "object_repr",
        "object_id",
        "request_id",
    )
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name", "=object_id", "=request_id")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "changes_readable"]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Related objects are named as this viewer may see them; the display callable
            # gets only the row, and the admin instance is shared between requests.
            obj.viewer = request.user
        return obj

    @admin.display(description=_("变更内容(可读)"))
    def changes_readable(self, obj):
        return ChangeFormatter(getattr(obj, "viewer", None)).summary(obj) or "—"


@admin.register(AccessLog)
class AccessLogAdmin(_ReadOnlyLogAdmin):
    list_display = (
        "time",
        "actor_name",
        "object_type_name",
        "object_repr",
        "object_id",
        "fields_readable",
        "channel",
    )
    list_filter = ("channel", "object_type")
    search_fields = ("object_repr", "actor_name", "=object_id", "=request_id")

    @admin.display(description=_("查看的字段"))
    def fields_readable(self, obj):
        return field_labels(obj.object_type, obj.fields)
