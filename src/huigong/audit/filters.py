"""Filters of the audit pages: time range, who, what kind of object, which object, which
request. Invalid input (a malformed date, an end before the start) shows a message on the
field and an empty list, never an error page."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .display import object_type_choices
from .models import AccessLog, ChangeAction, ChangeLog


class _AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("time_from"), cleaned.get("time_to")
        if start and end and start > end:
            self.add_error("time_to", _("结束日期不能早于开始日期"))
        return cleaned


def _text(placeholder=""):
    return forms.TextInput(attrs={"class": "form-control", "placeholder": placeholder})


def _date():
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _day_filter(lookup_expr: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="time",
        lookup_expr=lookup_expr,
        label=label,
        widget=_date(),
        error_messages={"invalid": _("请输入有效的日期,例如 2026-01-31")},
    )


def _actor_filter(label) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        field_name="actor_name",
        lookup_expr="icontains",
        label=label,
        max_length=150,
        widget=_text(_("姓名")),
    )


class _AuditFilterSet(django_filters.FilterSet):
    time_from = _day_filter("date__gte", _("开始日期"))
    time_to = _day_filter("date__lte", _("结束日期"))
    actor = _actor_filter(_("操作人"))
    object_type = django_filters.ChoiceFilter(
        label=_("对象类型"),
        choices=object_type_choices,
        empty_label=_("全部类型"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    object_id = django_filters.CharFilter(
        label=_("对象编号"), max_length=64, widget=_text(_("如 128"))
    )
    request_id = django_filters.CharFilter(
        label=_("请求编号"), max_length=36, widget=_text(_("完整的请求编号"))
    )


class ChangeLogFilter(_AuditFilterSet):
    action = django_filters.ChoiceFilter(
        label=_("操作"),
        choices=ChangeAction.choices,
        empty_label=_("全部操作"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = ChangeLog
        form = _AuditFilterForm
        fields = [
            "time_from",
            "time_to",
            "actor",
            "action",
            "object_type",
            "object_id",
            "request_id",
        ]


class AccessLogFilter(_AuditFilterSet):
    actor = _actor_filter(_("查看人"))

    class Meta:
        model = AccessLog
        form = _AuditFilterForm
        fields = ["time_from", "time_to", "actor", "object_type", "object_id", "request_id"]
