"""Organization pickers that scale: the select renders only the chosen organization(s) and
the browser loads matches from ``orgs:autocomplete`` as the user types (Tom Select, see
``static/huigong/app.js``). Validation stays with the form field's scoped queryset."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

DEFAULT_PERM = "orgs.view_organization"


def is_pk_text(value: str) -> bool:
    """A possible primary key: ASCII digits within a 64-bit integer."""
    return value.isascii() and value.isdigit() and int(value) < 2**63


class OrganizationAutocomplete(forms.Select):
    """A ``<select data-org-autocomplete>`` holding only the selected organization.

    ``perm`` names the permission whose scope the endpoint searches (it should be the one
    the field's queryset uses); ``kind``, ``active`` and ``under`` narrow the suggestions
    the same way the queryset does (the field still decides what is valid).
    """

    def __init__(
        self,
        attrs=None,
        *,
        perm: str = DEFAULT_PERM,
        kind: str | list[str] | None = None,
        active: bool = False,
        under: int | None = None,
    ):
        super().__init__(attrs)
        self.configure(perm=perm, kind=kind, active=active, under=under)

    def configure(
        self,
        *,
        perm: str = DEFAULT_PERM,
        kind: str | list[str] | None = None,
        active: bool = False,
        under: int | None = None,
    ) -> None:
        """Set what the endpoint searches; forms call it after choosing the queryset."""
        self.perm = perm
        self.kind = [kind] if isinstance(kind, str) else list(kind or [])
        self.active = active
        self.under = under

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-org-autocomplete"] = ""
        attrs["data-url"] = reverse("orgs:autocomplete")
        attrs["data-perm"] = self.perm
        attrs["data-placeholder"] = str(_("输入名称搜索"))
        attrs["data-no-results"] = str(_("没有匹配的组织"))
        if self.kind:
            attrs["data-kind"] = ",".join(self.kind)
        if self.active:
            attrs["data-active"] = "1"
        if self.under is not None:
            attrs["data-under"] = str(self.under)
        return attrs

    def _selected_choices(self, values: list[str]) -> list[tuple[str, str]]:
        """(value, label) of the selected organizations: one query by key, limited to the
        field's queryset so a posted id outside the scope is not echoed back by name."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            return [(str(v), str(label)) for v, label in choices if str(v) in values]
        field = choices.field
        key = field.to_field_name or "pk"
        wanted = [v for v in values if is_pk_text(v)] if key == "pk" else values
        if not wanted:
            return []
        rows = field.queryset.filter(**{f"{key}__in": wanted}).only(key, "name")
        return [(str(getattr(obj, key)), obj.name) for obj in rows]

    def optgroups(self, name, value, attrs=None):
        values = [str(v) for v in value if v not in (None, "")]
        options = []
        empty_label = getattr(getattr(self.choices, "field", None), "empty_label", None)
        if empty_label is not None and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", empty_label, not values, 0, attrs=attrs))
        for index, (option_value, label) in enumerate(self._selected_choices(values), 1):
            options.append(self.create_option(name, option_value, label, True, index, attrs=attrs))
        return [(None, options, 0)] if options else []


class OrganizationMultipleAutocomplete(OrganizationAutocomplete, forms.SelectMultiple):
    """The multiple-choice variant (``ModelMultipleChoiceField``)."""

    allow_multiple_selected = True
