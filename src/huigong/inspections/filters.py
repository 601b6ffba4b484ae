"""The filters of the inspection list: search, status, year, organization subtree."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import style_form
from huigong.orgs.widgets import OrganizationAutocomplete
from huigong.people.filters import OrganizationFilter, organization_choices

from .models import Inspection, InspectionStatus
from .policy import VIEW


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.Filter):
    field_class = YearField


class InspectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("检查名称或单位"), "maxlength": 100}),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=InspectionStatus.choices, empty_label=_("全部")
    )
    year = YearFilter(label=_("年份"), method="filter_year")
    organization = OrganizationFilter(
        label=_("组织单位(含下级)"),
        queryset=lambda request: organization_choices(getattr(request, "user", None), VIEW),
        empty_label=_("全部"),
        method="filter_subtree",
        widget=OrganizationAutocomplete(perm=VIEW),
    )

    class Meta:
        model = Inspection
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        style_form(self.form)

    def filter_search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(name__contains=value) | Q(targets__name__contains=value)
        ).distinct()

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_date__year__lte=value, end_date__year__gte=value)

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=value.path)
