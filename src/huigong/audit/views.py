"""The audit pages: the change log and the access log (reveals of protected data).

Read-only by construction: these views answer GET only and the app has no route that
edits or deletes a log row. Rows are limited to the subtrees where the user holds
``audit.view_audit`` (not merely any role), so an auditor of one township who is also a
cadre elsewhere sees the log of the township only.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huigong.common.listing import ScopedListView

from .filters import AccessLogFilter, ChangeLogFilter
from .models import AccessLog, ChangeLog
from .tables import AccessLogTable, ChangeLogTable

AUDIT_PERMISSION = "audit.view_audit"


class _AuditListView(ScopedListView):
    permission_required = AUDIT_PERMISSION
    export_permission = AUDIT_PERMISSION
    http_method_names = ["get", "head", "options"]
    template_name = "audit/log_list.html"
    active_tab = ""

    @property
    def export_filename(self):
        """An export is named like the log it holds."""
        return self.page_title

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user, AUDIT_PERMISSION)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_tab"] = self.active_tab
        return context


class ChangeLogListView(_AuditListView):
    model = ChangeLog
    table_class = ChangeLogTable
    filterset_class = ChangeLogFilter
    page_title = _("变更日志")
    active_tab = "changes"


class AccessLogListView(_AuditListView):
    model = AccessLog
    table_class = AccessLogTable
    filterset_class = AccessLogFilter
    page_title = _("敏感信息查看记录")
    active_tab = "access"
