"""List-page filters for organizations (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.common.text import clean_code, clean_text

from .forms import FEDERATION_PICKER_KINDS, OrgChoiceField
from .models import GrassrootsCategory, Organization, OrgKind, OrgStatus
from .widgets import OrganizationAutocomplete


class OrgChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = OrgChoiceField


def _subtree_roots(request):
    """Choices for "under": organizations with children that the user can see."""
    if request is None:
        return Organization.objects.none()
    return (
        Organization.objects.visible_to(request.user)
        .exclude(kind=OrgKind.GRASSROOTS)
        .filter(numchild__gt=0)
    )


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称或简称包含"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrgKind.choices)
    category = django_filters.ChoiceFilter(
        label=_("基层工会类别"), choices=GrassrootsCategory.choices
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OrgStatus.choices)
    division_code = django_filters.CharFilter(
        label=_("行政区划代码(前几位)"), method="filter_division_code"
    )
    under = OrgChoiceFilter(
        label=_("所属上级(含全部下级)"),
        queryset=_subtree_roots,
        method="filter_under",
        widget=OrganizationAutocomplete(kind=FEDERATION_PICKER_KINDS),
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            css = "form-control" if name in ("q", "division_code") else "form-select"
            field.widget.attrs["class"] = css

    def filter_q(self, queryset, name, value):
        text = clean_text(value)
        if not text:
            return queryset
        return queryset.filter(Q(name__icontains=text) | Q(short_name__icontains=text))

    def filter_division_code(self, queryset, name, value):
        code = clean_code(value)
        return queryset.filter(division_code__startswith=code) if code else queryset

    def filter_under(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path) if value else queryset
