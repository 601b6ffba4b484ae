"""The person list as a table; the Excel export writes exactly these columns.

ID numbers and phones appear masked and persons show their birth year, not the date —
on screen and in the export alike (with the date, the masked number could be rebuilt)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from huigong.common.tables import card_table_attrs, organization_column

from .models import Person


class PersonTable(tables.Table):
    name = tables.Column(
        verbose_name=_("姓名"),
        linkify=("people:detail", {"pk": tables.A("pk")}),
        order_by=("name_pinyin", "id"),
        attrs={"td": {"data-testid": "person-name"}},
    )
    id_number = tables.Column(
        verbose_name=_("身份证号码"), accessor="masked_id_number", orderable=False
    )
    sex = tables.Column(verbose_name=_("性别"))
    birth_year = tables.Column(verbose_name=_("出生年份"), default="")
    phone = tables.Column(verbose_name=_("手机号"), accessor="masked_phone", orderable=False)
    organization = organization_column(_("所属工会"))
    employer = tables.Column(
        verbose_name=_("工作单位"), accessor="employer_display", orderable=False, default=""
    )
    employment_form = tables.Column(verbose_name=_("用工形式"))
    new_form_type = tables.Column(verbose_name=_("新就业形态类别"), default="")
    is_member = tables.BooleanColumn(verbose_name=_("会员"), yesno=(_("是"), _("否")))
    created_at = tables.DateColumn(
        verbose_name=_("登记时间"), format="Y-m-d", order_by=("created_at", "id")
    )

    class Meta:
        model = Person
        fields = (
            "name",
            "id_number",
            "sex",
            "birth_year",
            "phone",
            "organization",
            "employer",
            "employment_form",
            "new_form_type",
            "is_member",
            "created_at",
        )
        attrs = card_table_attrs("person-table")
        empty_text = _("没有符合条件的职工")

    # Exported cells read as on screen: 是/否, and the registration date in local time.
    def value_is_member(self, value):
        return str(_("是") if value else _("否"))

    def value_created_at(self, value):
        return date_format(timezone.localtime(value), "Y-m-d")
