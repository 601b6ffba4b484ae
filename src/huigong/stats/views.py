"""Statistics pages: the dashboard of an organization's subtree and its Excel export.

Both take ``?org=<id>`` (default: the user's first scope root; loaded through the scope so
an id outside it is 404), ``?period=<key>|current`` with ``?unit=month|quarter|year``, and
``?section=<key>`` (the tab; default the first one the user may see). Bad period or
section values fall back to the default with a message, never an error page.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from huigong.accounts.decorators import staff_required
from huigong.common.excel import xlsx_response
from huigong.kernel.indicators import Section
from huigong.kernel.periods import PeriodUnit, period_from_params, recent_periods
from huigong.kernel.scope import get_visible_or_404
from huigong.orgs.models import Organization

from .rollups import WINDOW
from .services import build_dashboard, scope_breadcrumbs, scope_roots, sections_for

#: How many periods of each unit the period picker offers: those the rollup keeps.
PICKER_LENGTH = WINDOW


def _selection(request):
    """The organization, period and messages a request asks for."""
    period, notes = period_from_params(request.GET)
    roots = scope_roots(request.user)
    org_id = request.GET.get("org", "").strip()
    if org_id:
        org = get_visible_or_404(Organization.objects.all(), request.user, pk=org_id)
    else:
        org = roots[0] if roots else None
    return org, period, notes, roots


def _section(request, org) -> tuple[Section | None, list[str]]:
    """The section (tab) asked for by ``?section=``, among those the user may see at
    ``org``; a missing one is the first, an unknown or forbidden one too, with a message."""
    sections = sections_for(request.user, org)
    value = request.GET.get("section", "").strip()
    chosen = next((s for s in sections if s.key == value), None)
    if chosen is not None or not sections:
        return chosen, []
    if not value:
        return sections[0], []
    note = _("没有可查看的统计分类“%(value)s”,已改为显示“%(label)s”。") % {
        "value": value[:20],
        "label": sections[0].label,
    }
    return sections[0], [note]


def _query(org, period, section) -> str:
    params = {"org": org.pk, "period": period.key}
    if section is not None:
        params["section"] = section.key
    return urlencode(params)


@staff_required
def dashboard(request):
    org, period, notes, roots = _selection(request)
    for note in notes:
        messages.warning(request, note)
    context = {"roots": roots, "org": org, "period": period}
    if org is not None:
        section, section_notes = _section(request, org)
        for note in section_notes:
            messages.warning(request, note)
        board = build_dashboard(user=request.user, org=org, period=period, section=section)
        options = recent_periods(period.unit, PICKER_LENGTH[period.unit])
        if period not in options:
            options.append(period)
        context.update(
            board=board,
            breadcrumbs=scope_breadcrumbs(request.user, org),
            active_root=next((r for r in roots if org.path.startswith(r.path)), None),
            period_options=options,
            units=PeriodUnit.choices,
            query=_query(org, period, board.section),
            section_key=board.section.key if board.section else "",
            charts=board.charts,
        )
    return render(request, "stats/dashboard.html", context)


@staff_required
def export(request):
    """The drill-down table of the dashboard with the same parameters (so the same section),
    as .xlsx."""
    org, period, _notes, _roots = _selection(request)
    if org is None:
        headers, rows = [_("组织")], []
        filename = _("统计_%(period)s") % {"period": period.key}
    else:
        section, _notes = _section(request, org)
        board = build_dashboard(user=request.user, org=org, period=period, section=section)
        headers, rows = board.table()
        # Sums of money come as Decimal; Excel cells hold numbers, not text.
        rows = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in rows]
        filename = _("统计_%(org)s_%(section)s_%(period)s") % {
            "org": org.name,
            "section": board.section.label if board.section else "",
            "period": period.key,
        }
    return xlsx_response(filename, headers, rows)
