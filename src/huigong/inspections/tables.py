"""The table of the inspection list (and of its Excel export: the same columns)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Inspection, InspectionStatus

STATUS_COLOURS = {
    InspectionStatus.PLANNED: "bg-orange-lt",
    InspectionStatus.IN_PROGRESS: "bg-blue-lt",
    InspectionStatus.FINISHED: "bg-green-lt",
    InspectionStatus.CANCELLED: "bg-secondary-lt",
}


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "bg-secondary-lt")


class InspectionTable(tables.Table):
    name = tables.Column(
        verbose_name=_("检查名称"),
        linkify=("inspections:detail", {"pk": tables.A("pk")}),
        attrs={"td": {"data-testid": "inspection-name"}},
    )
    organization = tables.Column(
        verbose_name=_("组织单位"), accessor="organization__name", order_by=("organization__path",)
    )
    start_date = tables.Column(
        verbose_name=_("检查期间"),
        order_by=("start_date", "id"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    status = tables.Column(
        verbose_name=_("状态"), attrs={"td": {"data-testid": "inspection-status"}}
    )
    target_count = tables.Column(verbose_name=_("检查单位"))
    finding_count = tables.Column(verbose_name=_("发现问题"))
    order_count = tables.Column(verbose_name=_("整改通知"))
    rectified_count = tables.Column(verbose_name=_("已整改"))
    contracts_total = tables.Column(verbose_name=_("新签劳动合同"))

    class Meta:
        model = Inspection
        fields = (
            "name",
            "organization",
            "start_date",
            "status",
            "target_count",
            "finding_count",
            "order_count",
            "rectified_count",
            "contracts_total",
        )
        attrs = {"class": "table table-vcenter card-table", "data-testid": "inspection-table"}
        empty_text = _("没有符合条件的执法检查")
        order_by = ("-start_date",)

    def _period(self, record) -> str:
        return (
            f"{date_format(record.start_date, 'Y-m-d')} ~ {date_format(record.end_date, 'Y-m-d')}"
        )

    def render_start_date(self, record):
        return self._period(record)

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            status_colour(record.status),
            record.get_status_display(),
        )

    def value_start_date(self, record):
        return self._period(record)

    def value_status(self, record):
        return record.get_status_display()
