"""The organization list table (django-tables2); also what the Excel export writes."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from huigong.common.tables import card_table_attrs

from .models import Organization


class OrganizationTable(tables.Table):
    name = tables.Column(
        verbose_name=_("名称"), linkify=True, attrs={"a": {"data-testid": "org-link"}}
    )
    short_name = tables.Column(verbose_name=_("简称"))
    kind = tables.Column(verbose_name=_("类型"))
    category = tables.Column(verbose_name=_("基层工会类别"))
    parent_name = tables.Column(verbose_name=_("上级组织"), order_by=("parent_name",))
    division_code = tables.Column(verbose_name=_("行政区划代码"))
    credit_code = tables.Column(verbose_name=_("统一社会信用代码"))
    employee_count = tables.Column(verbose_name=_("职工人数"))
    member_count = tables.Column(verbose_name=_("会员人数"))
    founded_on = tables.DateColumn(verbose_name=_("成立日期"), format="Y-m-d")
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Organization
        fields = (
            "name",
            "short_name",
            "kind",
            "category",
            "parent_name",
            "division_code",
            "credit_code",
            "employee_count",
            "member_count",
            "founded_on",
            "status",
        )
        attrs = card_table_attrs("org-table")
        empty_text = _("没有符合条件的组织")
        row_attrs = {"data-org-id": lambda record: record.pk}
