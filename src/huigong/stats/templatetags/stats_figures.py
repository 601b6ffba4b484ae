"""``{{ value|figure:places }}`` (``{% load stats_figures %}``): a statistic as shown.

Counts and sums are written as ``intcomma`` writes them in the active language (12,345
in English, 12345 in Chinese); a ratio is shown with its decimal places (``places``); a
ratio without a denominator (``None``) is "—". ``{{ row|figure_cells }}`` renders the
value cells of a drill-down row at once.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html import escape

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

register = template.Library()


def _fast_format() -> Callable[[int | Decimal], str] | None:
    """What ``intcomma`` gives for an ``int`` or a ``Decimal`` in the active language, by
    Python's own formatting, for the languages we ship: Chinese writes 12345.6 (no
    thousands separator), English 12,345.6. ``None`` for any other convention."""
    separator = get_format("THOUSAND_SEPARATOR")
    grouping = get_format("NUMBER_GROUPING")
    if get_format("DECIMAL_SEPARATOR") != ".":
        return None
    if not separator or not grouping:
        return lambda value: f"{value:f}" if isinstance(value, Decimal) else str(value)
    if (separator, grouping) == (",", 3):
        return lambda value: f"{value:,}"
    return None


def _figure(value, places, fast: Callable[[int | Decimal], str] | None) -> str:
    if value is None:
        return "—"
    if places is None or places == "":
        if fast and isinstance(value, int | Decimal) and not isinstance(value, bool):
            return fast(value)
        return intcomma(value)
    return floatformat(value, places)


@register.filter
def figure(value, places=None) -> str:
    return _figure(value, places, _fast_format())


@register.filter
def figure_cells(row) -> str:
    """The ``<td>`` of each value of a drill-down row (``Row.cells``). A large subtree's
    table has thousands of cells; a template loop per cell cost more than the figures."""
    fast = _fast_format()
    cells = (_figure(value, places, fast) for value, places in row.cells)
    return mark_safe("".join(f'<td class="text-end">{escape(cell)}</td>' for cell in cells))


@register.filter
def signed(value, places=None) -> str:
    """A change with its sign: ``+2``, ``-1.5``, ``0``; "—" when there is nothing to compare."""
    shown = figure(value, places)
    return f"+{shown}" if value is not None and value > 0 else shown


@register.filter
def stats_bar_height(count) -> int:
    """Pixel height of a horizontal bar chart of ``count`` bars: room for each label."""
    return max(160, 34 * int(count or 0) + 48)
