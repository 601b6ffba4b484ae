"""``{{ value|figure:places }}`` (``{% load stats_figures %}``): a statistic as shown.

Counts and sums keep thousands separators (``intcomma``); a ratio is shown with its
decimal places (``places``); a ratio without a denominator (``None``) is "—".
"""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def figure(value, places=None) -> str:
    if value is None:
        return "—"
    if places is None or places == "":
        return intcomma(value)
    return floatformat(value, places)


@register.filter
def signed(value, places=None) -> str:
    """A change with its sign: ``+2``, ``-1.5``, ``0``; "—" when there is nothing to compare."""
    shown = figure(value, places)
    return f"+{shown}" if value is not None and value > 0 else shown
