"""The table of the inspection list (and of its Excel export: the same columns)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from huigong.common.tables import BadgeColumn, card_table_attrs, organization_column

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
    organization = organization_column(_("组织单位"))
    start_date = tables.Column(
        verbose_name=_("检查期间"),
        order_by=("start_date", "id"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    status = BadgeColumn(
        verbose_name=_("状态"),
        colours=STATUS_COLOURS,
        attrs={"td": {"data-testid": "inspection-status"}},
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
        attrs = card_table_attrs("inspection-table")
        empty_text = _("没有符合条件的执法检查")
        order_by = ("-start_date",)

    def render_start_date(self, record):
        # Plain text, so the export writes it as shown.
        return (
            f"{date_format(record.start_date, 'Y-m-d')} ~ {date_format(record.end_date, 'Y-m-d')}"
        )
