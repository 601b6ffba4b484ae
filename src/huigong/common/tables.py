"""Table building blocks shared by the list pages (django-tables2). The Excel export
writes the same columns as text (``Table.as_values``), so what a column shows on screen
it also says plainly in the export."""

from __future__ import annotations

from collections.abc import Mapping

import django_tables2 as tables
from django.utils.html import format_html


def card_table_attrs(testid: str) -> dict[str, str]:
    """The attributes of a list page's table: a card table, found by tests by its id."""
    return {"class": "table table-vcenter card-table", "data-testid": testid}


def organization_column(verbose_name) -> tables.Column:
    """The organization a row belongs to, by name, sorted in tree order."""
    return tables.Column(
        verbose_name=verbose_name, accessor="organization__name", order_by=("organization__path",)
    )


class BadgeColumn(tables.Column):
    """A choice shown as a coloured badge (``colours`` maps its values to CSS classes)
    on screen, and as its plain label in the export."""

    def __init__(self, *args, colours: Mapping[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.colours = colours

    def render(self, value, record, bound_column):
        # ``value`` is the label (get_FOO_display); the colour goes by the stored value.
        colour = self.colours.get(bound_column.accessor.resolve(record), "bg-secondary-lt")
        return format_html('<span class="badge {}">{}</span>', colour, value)

    def value(self, value):
        return value
