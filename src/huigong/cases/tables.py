"""The case list as a table; the Excel export writes exactly these columns, as text."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from huigong.common.tables import BadgeColumn, card_table_attrs, organization_column
from huigong.common.workdays import deadline_status

from .models import OPEN_STATUSES, Case, CaseStatus

STATUS_COLOURS = {
    CaseStatus.NEW: "bg-orange-lt",
    CaseStatus.ACCEPTED: "bg-blue-lt",
    CaseStatus.REFERRED: "bg-purple-lt",
    CaseStatus.RESOLVED: "bg-green-lt",
    CaseStatus.CLOSED: "bg-secondary-lt",
    CaseStatus.MERGED: "bg-secondary-lt",
    CaseStatus.WITHDRAWN: "bg-secondary-lt",
}


def deadline_label(case: Case) -> str:
    """ "剩余 N 个工作日" / "今天到期" / "已逾期 N 天" for open cases; empty otherwise."""
    if case.status not in OPEN_STATUSES:
        return ""
    return deadline_status(case.due_date).label


def applicant_names(case: Case) -> str:
    """The parties' names (prefetched with ``parties__person``)."""
    names = [party.person.name for party in case.parties.all()]
    if len(names) > 3:
        return _("%(names)s 等 %(n)d 人") % {"names": _("、").join(names[:3]), "n": len(names)}
    return _("、").join(names)


class CaseTable(tables.Table):
    number = tables.Column(
        verbose_name=_("编号"),
        linkify=("cases:detail", {"pk": tables.A("pk")}),
        attrs={"td": {"data-testid": "case-number", "class": "text-nowrap"}},
    )
    title = tables.Column(
        verbose_name=_("标题"), attrs={"td": {"data-testid": "case-title", "class": "col-title"}}
    )
    category = tables.Column(
        verbose_name=_("类别"), accessor="category__name", order_by=("category__path",)
    )
    status = BadgeColumn(
        verbose_name=_("状态"), colours=STATUS_COLOURS, attrs={"td": {"data-testid": "case-status"}}
    )
    applicants = tables.Column(verbose_name=_("申请人"), empty_values=(), orderable=False)
    organization = organization_column(_("办理组织"))
    assignee = tables.Column(verbose_name=_("承办人"), accessor="assignee__name", default="")
    channel = tables.Column(verbose_name=_("来源渠道"))
    received_at = tables.DateTimeColumn(
        verbose_name=_("登记时间"), format="Y-m-d H:i", order_by=("received_at", "id")
    )
    due_date = tables.Column(
        verbose_name=_("办结期限"),
        order_by=("due_date", "id"),
        attrs={"td": {"data-testid": "case-deadline"}},
    )

    class Meta:
        model = Case
        fields = (
            "number",
            "title",
            "category",
            "status",
            "applicants",
            "organization",
            "assignee",
            "channel",
            "received_at",
            "due_date",
        )
        attrs = card_table_attrs("case-table")
        empty_text = _("没有符合条件的诉求")
        order_by = ("-received_at",)

    def render_applicants(self, record):
        return applicant_names(record)

    def render_due_date(self, record):
        label = deadline_label(record)
        if not label:
            return date_format(record.due_date, "Y-m-d")
        status = deadline_status(record.due_date)
        return format_html(
            '{}<div><span class="badge bg-{}-lt">{}</span></div>',
            date_format(record.due_date, "Y-m-d"),
            status.level,
            label,
        )

    # Exported cells read as on screen (the applicants already render as plain text).
    def value_channel(self, record):
        return record.get_channel_display()

    def value_received_at(self, value):
        return date_format(timezone.localtime(value), "Y-m-d H:i")

    def value_due_date(self, record):
        label = deadline_label(record)
        day = date_format(record.due_date, "Y-m-d")
        return f"{day} {label}".strip()
