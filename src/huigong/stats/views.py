"""Statistics pages: the dashboard of an organization's subtree and its Excel export.

Both take ``?org=<id>`` (default: the user's first scope root; loaded through the scope so
an id outside it is 404) and ``?period=<key>|current`` with ``?unit=month|quarter|year``.
Bad period values fall back to the current period with a message, never an error page.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from huigong.accounts.decorators import staff_required
from huigong.common.excel import xlsx_response
from huigong.orgs.models import Organization
from huigong.orgs.scope import get_visible_or_404

from .periods import PeriodUnit, period_from_params, recent_periods
from .services import build_dashboard, scope_breadcrumbs, scope_roots

#: How many periods of each unit the period picker offers.
PICKER_LENGTH = {PeriodUnit.MONTH: 12, PeriodUnit.QUARTER: 8, PeriodUnit.YEAR: 6}


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


def _query(org, period) -> str:
    return urlencode({"org": org.pk, "period": period.key})


@staff_required
def dashboard(request):
    org, period, notes, roots = _selection(request)
    for note in notes:
        messages.warning(request, note)
    context = {"roots": roots, "org": org, "period": period}
    if org is not None:
        board = build_dashboard(user=request.user, org=org, period=period)
        options = recent_periods(period.unit, PICKER_LENGTH[period.unit])
        if period not in options:
            options.append(period)
        context.update(
            board=board,
            breadcrumbs=scope_breadcrumbs(request.user, org),
            active_root=next((r for r in roots if org.path.startswith(r.path)), None),
            period_options=options,
            units=PeriodUnit.choices,
            query=_query(org, period),
            charts=board.charts,
        )
    return render(request, "stats/dashboard.html", context)


@staff_required
def export(request):
    """The drill-down table of the dashboard with the same parameters, as .xlsx."""
    org, period, _notes, _roots = _selection(request)
    if org is None:
        headers, rows = [_("组织")], []
        filename = _("统计_%(period)s") % {"period": period.key}
    else:
        board = build_dashboard(user=request.user, org=org, period=period)
        headers, rows = board.table()
        # Sums of money come as Decimal; Excel cells hold numbers, not text.
        rows = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in rows]
        filename = _("统计_%(org)s_%(period)s") % {"org": org.name, "period": period.key}
    return xlsx_response(filename, headers, rows)
