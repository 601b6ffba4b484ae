"""Filters of the person list (organization subtree, employment, membership, birth year,
and the search box), all applied on top of the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import style_form
from huigong.orgs.models import Organization
from huigong.orgs.widgets import OrganizationAutocomplete

from .models import EmploymentForm, NewFormType, Person, Sex
from .search import FullNumberSearchThrottled, search_persons

_YEAR_FIELD = {"min_value": 1900, "max_value": 2100}


def organization_choices(user, perm: str = "people.view_person"):
    """Organizations offered in person filters and forms: only those in the user's scope."""
    return Organization.objects.visible_to(user, perm).only("id", "name", "path", "depth")


class OrganizationChoiceField(forms.ModelChoiceField):
    """Shows the tree by indenting each organization under its parent (relative to the
    top of the user's scope). Rendered as a search-as-you-type picker."""

    widget = OrganizationAutocomplete
    _base_depth: int | None = None

    def label_from_instance(self, obj):
        if self._base_depth is None:
            self._base_depth = self.queryset.aggregate(top=Min("depth"))["top"] or 1
        return "\u3000" * max(obj.depth - self._base_depth, 0) + obj.name


class OrganizationFilter(django_filters.ModelChoiceFilter):
    field_class = OrganizationChoiceField


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


def search_filter(placeholder) -> django_filters.CharFilter:
    """The search box of a list page (``ListFilterSet.search`` reads it)."""
    return django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": placeholder, "maxlength": 100}),
    )


def choice_filter(label, choices) -> django_filters.ChoiceFilter:
    """A choice to narrow a list by, "全部" (no filter) first."""
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=_("全部"))


def subtree_filter(label, perm: str) -> OrganizationFilter:
    """An organization the user sees for ``perm``, to narrow a list to its subtree
    (``ListFilterSet.filter_subtree``)."""
    return OrganizationFilter(
        label=label,
        queryset=lambda request: organization_choices(getattr(request, "user", None), perm),
        empty_label=_("全部"),
        method="filter_subtree",
        widget=OrganizationAutocomplete(perm=perm),
    )


class ListFilterSet(django_filters.FilterSet):
    """The filters of a list page of rows owned by organizations: styled for Tabler,
    and narrowed to an organization's subtree by ``subtree_filter``."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        style_form(self.form)

    def filter_search(self, queryset, name, value):
        text = value.strip()[:100]
        return self.search(queryset, text) if text else queryset

    def search(self, queryset, text: str):
        """The rows matching the search box's (trimmed, non-empty) text."""
        raise NotImplementedError

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=value.path)


class PersonFilter(ListFilterSet):
    q = search_filter(_("姓名、拼音、身份证号或后四位、手机号"))
    organization = subtree_filter(_("所属工会(含下级)"), "people.view_person")
    employment_form = choice_filter(_("用工形式"), EmploymentForm.choices)
    new_form_type = choice_filter(_("新就业形态类别"), NewFormType.choices)
    is_member = django_filters.BooleanFilter(
        label=_("会员"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    sex = choice_filter(_("性别"), Sex.choices)
    birth_year_from = YearFilter(label=_("出生年份自"), method="filter_birth_from", **_YEAR_FIELD)
    birth_year_to = YearFilter(label=_("出生年份至"), method="filter_birth_to", **_YEAR_FIELD)

    class Meta:
        model = Person
        fields: list[str] = []

    def __init__(self, *args, request=None, channel: str = "web", **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.channel = channel
        #: Set when the search box held a full number beyond the user's hourly limit:
        #: the list is then empty, and the page or the API says why.
        self.search_refusal: FullNumberSearchThrottled | None = None

    def filter_search(self, queryset, name, value):
        try:
            return search_persons(self.request.user, value, queryset=queryset, channel=self.channel)
        except FullNumberSearchThrottled as refusal:
            self.search_refusal = refusal
            return queryset.none()

    def filter_birth_from(self, queryset, name, value):
        return queryset.filter(birth_year__gte=value)

    def filter_birth_to(self, queryset, name, value):
        return queryset.filter(birth_year__lte=value)
