"""Tables of the audit pages. Each HTML cell has a plain ``value_*`` twin so the Excel
export carries the same Chinese text without markup; a cell rendered as plain text is
exported as rendered."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from huigong.common.tables import card_table_attrs

from .display import ChangeFormatter, field_labels, object_type_label
from .models import AccessLog, ChangeLog


class _AuditTable(tables.Table):
    time = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    object_type = tables.Column(verbose_name=_("对象类型"))
    object_repr = tables.Column(verbose_name=_("对象"), orderable=False)
    object_id = tables.Column(verbose_name=_("对象编号"), orderable=False)
    request_id = tables.Column(verbose_name=_("请求编号"), orderable=False)

    #: url name of the page the "same request" links point to
    list_url_name = ""

    def render_object_type(self, value):
        return object_type_label(value)

    def value_time(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")

    def render_request_id(self, value):
        # A link to every row written by the same request: "what else did this click do?"
        url = reverse(self.list_url_name) + "?" + urlencode({"request_id": value})
        return format_html(
            '<a href="{}" class="font-monospace small" title="{}">{}</a>',
            url,
            _("查看同一请求的全部记录"),
            value[:8],
        )

    def value_request_id(self, value):
        return value


class ChangeLogTable(_AuditTable):
    actor_name = tables.Column(verbose_name=_("操作人"))
    action = tables.Column(verbose_name=_("操作"))
    changes = tables.Column(verbose_name=_("变更内容"), orderable=False, empty_values=())
    note = tables.Column(verbose_name=_("说明"), orderable=False)

    list_url_name = "audit:changes"

    class Meta:
        model = ChangeLog
        fields = (
            "time",
            "actor_name",
            "action",
            "object_type",
            "object_repr",
            "object_id",
            "changes",
            "note",
            "request_id",
        )
        attrs = card_table_attrs("changelog-table")
        empty_text = _("没有符合条件的变更记录")

    @cached_property
    def formatter(self) -> ChangeFormatter:
        # RequestConfig sets ``table.request`` on list pages; the export passes it in.
        return ChangeFormatter(getattr(getattr(self, "request", None), "user", None))

    def before_render(self, request):
        page = getattr(self, "page", None)
        records = [row.record for row in page.object_list] if page else list(self.data)
        self.formatter.prefetch(records)

    def render_action(self, record):
        return record.get_action_display()

    def render_changes(self, record):
        return render_to_string("audit/_changes.html", {"changes": self.formatter.changes(record)})

    def value_changes(self, record):
        return self.formatter.summary(record)


class AccessLogTable(_AuditTable):
    actor_name = tables.Column(verbose_name=_("查看人"))
    fields = tables.Column(verbose_name=_("查看的字段"), orderable=False)
    reason_code = tables.Column(verbose_name=_("查看原因"), orderable=False)
    reason = tables.Column(verbose_name=_("说明"), orderable=False)
    channel = tables.Column(verbose_name=_("渠道"), orderable=False)

    list_url_name = "audit:access"

    class Meta:
        model = AccessLog
        fields = (
            "time",
            "actor_name",
            "object_type",
            "object_repr",
            "object_id",
            "fields",
            "reason_code",
            "reason",
            "channel",
            "request_id",
        )
        attrs = card_table_attrs("accesslog-table")
        empty_text = _("没有符合条件的查看记录")

    def render_fields(self, record):
        return field_labels(record.object_type, record.fields)

    def render_channel(self, value):
        return CHANNEL_LABELS.get(value, value)

    def value_channel(self, value):
        return str(CHANNEL_LABELS.get(value, value))


#: How the reveal happened (``AccessLog.channel``).
CHANNEL_LABELS = {"web": _("工作台"), "api": _("API"), "export": _("导出"), "portal": _("门户")}
