"""The filters of the inspection list: search, status, year, organization subtree."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.people.filters import (
    ListFilterSet,
    YearFilter,
    choice_filter,
    search_filter,
    subtree_filter,
)

from .models import Inspection, InspectionStatus
from .policy import VIEW


class InspectionFilter(ListFilterSet):
    q = search_filter(_("检查名称或单位"))
    status = choice_filter(_("状态"), InspectionStatus.choices)
    year = YearFilter(label=_("年份"), method="filter_year", min_value=2000, max_value=2100)
    organization = subtree_filter(_("组织单位(含下级)"), VIEW)

    class Meta:
        model = Inspection
        fields: list[str] = []

    def search(self, queryset, text):
        return queryset.filter(Q(name__contains=text) | Q(targets__name__contains=text)).distinct()

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_date__year__lte=value, end_date__year__gte=value)
