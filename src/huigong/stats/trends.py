"""The trend of a dashboard tab's lead figures: one value a month over the last 12 months,
for the organization's whole subtree.

It is read the way the rest of the dashboard is: from the rollups when the dashboard
reads them and they cover every month of the trend with fresh figures (one indexed query
of the organization's own snapshot rows), live otherwise (one query per base indicator,
each month a conditional aggregate over the rows of the user's scope). Either way the
number of queries does not grow with the size of the subtree or the number of months.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.kernel.indicators import TOTAL, Indicator
from huigong.kernel.periods import Period, PeriodUnit, recent_periods
from huigong.orgs.models import Organization

from .models import IndicatorSnapshot, RollupPeriod
from .rollups import Number, as_number, fresh_after

TREND_MONTHS = 12
#: ``period key`` → ``(indicator key, part)`` → value, the totals of the subtree.
MonthValues = dict[str, dict[tuple[str, str], Number]]


def trend_months(period: Period, today: date | None = None) -> list[Period]:
    """The 12 months up to the last month of ``period`` (the current month for a period
    not yet over), oldest first."""
    today = today or timezone.localdate()
    last_day = min(period.end - timedelta(days=1), today)
    return recent_periods(PeriodUnit.MONTH, TREND_MONTHS, last_day)[::-1]


def snapshot_trend(
    indicators: list[Indicator], org: Organization, months: list[Period], *, now: datetime
) -> MonthValues | None:
    """The months' totals from the rollups, or None when one month is not covered or its
    figures are not fresh."""
    keys = [m.key for m in months]
    as_of = dict(RollupPeriod.objects.filter(period__in=keys).values_list("period", "as_of"))
    if any(m.key not in as_of or as_of[m.key] < fresh_after(m, now) for m in months):
        return None
    values: MonthValues = {key: {} for key in keys}
    rows = IndicatorSnapshot.objects.filter(
        organization_id=org.pk, key__in=[ind.key for ind in indicators], part=TOTAL, period__in=keys
    ).values_list("period", "key", "value")
    for period_key, key, value in rows:
        values[period_key][(key, TOTAL)] = as_number(value)
    return values


def live_trend(
    indicators: list[Indicator], org: Organization, months: list[Period], *, user
) -> MonthValues:
    """The months' totals computed from the domain tables within ``user``'s scope."""
    values: MonthValues = {m.key: defaultdict(int) for m in months}
    for ind in indicators:
        conditions = [(m.key, ind.period_q(m)) for m in months]
        aggregates = {f"m{i}": ind.measure(q or None) for i, (_key, q) in enumerate(conditions)}
        queryset = (
            ind.queryset()
            .visible_to(user, ind.permission or None)
            .filter(**{f"{ind.path_field}__startswith": org.path})
            .order_by()
        )
        if ind.date_field is not None:
            queryset = queryset.filter(reduce(or_, (q for _key, q in conditions)))
        row = queryset.aggregate(**aggregates)
        for i, (key, _q) in enumerate(conditions):
            values[key][(ind.key, TOTAL)] += as_number(row[f"m{i}"])
    return {key: dict(v) for key, v in values.items()}


def _month_label(month: Period, first: bool) -> str:
    if first or month.index == 1:
        return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.index}
    return _("%(month)d月") % {"month": month.index}


def trend_chart(items: list, months: list[Period], values: MonthValues) -> dict:
    """What the trend chart draws: one series per lead figure, a value per month (a ratio
    without a denominator that month is None)."""
    series = []
    for item in items:
        data = []
        for month in months:
            month_values = values.get(month.key, {})
            value = (
                item.value_of(month_values)
                if item.is_ratio
                else month_values.get((item.key, TOTAL), 0)
            )
            data.append(None if value is None else float(value))
        series.append(
            {
                "key": item.key,
                "name": str(item.label),
                "unit": str(item.unit),
                "percent": bool(item.is_ratio and item.is_percent),
                "data": data,
            }
        )
    return {
        "months": [_month_label(m, i == 0) for i, m in enumerate(months)],
        "keys": [m.key for m in months],
        "series": series,
    }
