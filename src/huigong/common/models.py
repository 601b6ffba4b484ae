"""Shared reference tables. Only data that really is shared lives here: the holiday table
that every deadline in working days is computed on (``huigong.common.workdays``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidaySource(models.TextChoices):
    PACKAGE = "package", _("chinese-calendar 数据")
    MANUAL = "manual", _("管理员录入")


class Holiday(models.Model):
    """A date whose status is fixed by the State Council's yearly notice: an official
    holiday (放假, ``is_workday`` False) or an adjusted workday (调休上班, True).

    Dates not in the table follow the plain rule: Monday–Friday work, Saturday–Sunday rest.
    A year "has a schedule" once at least one of its dates is in the table.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("上班"),
        default=False,
        help_text=_("勾选表示调休上班日;不勾选表示法定节假日放假"),
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("如:春节、国庆节"))
    source = models.CharField(
        _("来源"),
        max_length=10,
        choices=HolidaySource.choices,
        default=HolidaySource.MANUAL,
        editable=False,
        help_text=_("管理员录入或修改过的年份,导入节假日数据时不会被覆盖"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date:%Y-%m-%d} {self.name}({kind})"
