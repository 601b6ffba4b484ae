"""The figures of a dashboard: indicator values for an organization's subtree, this
period and the previous one, and per child.

Where the figures come from
---------------------------
*Live*, each indicator is one query: the rows of the subtree, grouped by the child-level
prefix of their organization's materialized path (``Substr(path, 1, child depth × 4)``)
and by the breakdown field, with this period's and the previous period's values as two
conditional aggregates. Its cost grows with the rows of the subtree.

*From snapshots* (``stats.rollups`` keeps them for every organization, leaves included),
the figures are a few indexed reads of the organization's and its children's rows,
whatever the size of the subtree.

Which one is chosen depends on measured size, not on the shape of the tree: the last
rollup counted the rows of every table under every organization (``RollupState``); when
the rows the section's indicators would read live are fewer than
``settings.STATS_LIVE_MAX_ROWS``, live costs no more than the snapshot read and gives
real-time figures, so the dashboard computes live (the default, 0, is what
``bench/dashboard.py`` measured: live was dearer everywhere). Otherwise it reads the
snapshots when they cover both periods (``RollupPeriod``), the organization and every child (a
child created since the last rollup is not covered), and are fresh: for a closed period
taken after the period ended (the figures are then final, like a filed report); for the
current period no older than ``settings.STATS_SNAPSHOT_MAX_AGE`` seconds (default two
hours). Otherwise it computes live, so a deployment without a beat worker simply always
sees live figures. The page says which: "数据更新于 …" or "实时".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models.functions import Substr
from django.utils import timezone

from huigong.kernel.indicators import TOTAL, Indicator, part_key
from huigong.kernel.periods import Period
from huigong.orgs.models import Organization

from .models import IndicatorSnapshot, RollupPeriod, RollupState
from .rollups import Number, as_number, fresh_after, source_of

SeriesKey = tuple[str, str]  # (indicator key, part); part TOTAL ("") is the whole value

#: Below this many rows to read, a dashboard computes live (see the module docstring).
#: ``bench/dashboard.py`` measures where live stops being as cheap as the snapshot read
#: and prints the crossover: on PostgreSQL 15 and SQLite live was dearer at every level,
#: a leaf with no rows included (each live indicator is a query of its own, the snapshot
#: read is five), so by default a covered, fresh snapshot is always used. A deployment
#: whose bench shows a crossover sets ``STATS_LIVE_MAX_ROWS`` to it.
DEFAULT_LIVE_MAX_ROWS = 0


@dataclass
class Figures:
    """Indicator values for one organization: its subtree this period (``current``) and the
    previous period (``previous``), and this period per child (``by_group``, keyed by the
    child's path; the organization's own path holds the rows attached to it directly).
    ``computed_at`` is the moment snapshot figures are as of (None when live)."""

    current: dict[SeriesKey, Number]
    previous: dict[SeriesKey, Number]
    by_group: dict[str, dict[SeriesKey, Number]]
    source: str  # "live" or "snapshot"
    computed_at: datetime | None = None

    @property
    def has_previous(self) -> bool:
        """Whether the subtree had any data in the previous period to compare with."""
        return any(self.previous.values())


def live_figures(
    indicators: list[Indicator], org: Organization, period: Period, *, user
) -> Figures:
    """Compute the figures from the domain tables: one grouped query per indicator, rows
    restricted to ``user``'s scope (with the indicator's permission) and ``org``'s subtree."""
    child_len = (org.depth + 1) * Organization.steplen
    previous = period.previous()
    current: dict[SeriesKey, Number] = defaultdict(int)
    before: dict[SeriesKey, Number] = defaultdict(int)
    by_group: dict[str, dict[SeriesKey, Number]] = defaultdict(lambda: defaultdict(int))
    for ind in indicators:
        cur_q, prev_q = ind.period_q(period), ind.period_q(previous)
        group_fields = ["stats_group", *([ind.breakdown] if ind.breakdown else [])]
        rows = (
            ind.queryset()
            .visible_to(user, ind.permission or None)
            .filter(**{f"{ind.path_field}__startswith": org.path})
            .filter(cur_q | prev_q)
            .order_by()
            .annotate(stats_group=Substr(ind.path_field, 1, child_len))
            .values(*group_fields)
            .annotate(
                stats_current=ind.measure(cur_q or None),
                stats_previous=ind.measure(prev_q or None),
            )
        )
        for row in rows:
            parts = [TOTAL, part_key(row[ind.breakdown])] if ind.breakdown else [TOTAL]
            for part in parts:
                key = (ind.key, part)
                current[key] += as_number(row["stats_current"])
                before[key] += as_number(row["stats_previous"])
                by_group[row["stats_group"]][key] += as_number(row["stats_current"])
    return Figures(dict(current), dict(before), {g: dict(v) for g, v in by_group.items()}, "live")


def live_max_rows() -> int:
    return int(getattr(settings, "STATS_LIVE_MAX_ROWS", DEFAULT_LIVE_MAX_ROWS))


def live_rows(indicators: list[Indicator], subtree_rows: dict[str, int]) -> int:
    """How many rows computing ``indicators`` live would read, from the rows the last
    rollup counted under the organization (``RollupState.subtree_rows``)."""
    return sum(subtree_rows.get(source_of(ind).key, 0) for ind in indicators)


def snapshot_figures(
    indicators: list[Indicator],
    org: Organization,
    children: list[Organization],
    period: Period,
    *,
    now: datetime | None = None,
) -> Figures | None:
    """The figures from ``IndicatorSnapshot``, or None when the snapshots do not cover
    both periods, or are not fresh. Three small indexed queries: the periods' coverage,
    the rows of ``org`` (both periods), those of its children (this period).

    Snapshots are unscoped subtree totals. They equal what ``live_figures`` would count
    for ``user`` because ``org`` and ``children`` were loaded through the user's scope,
    ``indicators`` only holds indicators whose permission the user has at ``org``, and a
    permission held at a node covers its whole subtree."""
    if not indicators:
        return None
    now = now or timezone.now()
    previous = period.previous()
    as_of = dict(
        RollupPeriod.objects.filter(period__in=[period.key, previous.key]).values_list(
            "period", "as_of"
        )
    )
    for p in (period, previous):
        if p.key not in as_of or as_of[p.key] < fresh_after(p, now):
            return None
    # By the ids of ``org`` and ``children``, both loaded through the user's scope: a
    # scope join here would hash the whole organization table on every page.
    keys = {ind.key for ind in indicators}
    columns = ("organization_id", "key", "part", "period", "value", "own")
    own_rows = IndicatorSnapshot.objects.filter(
        organization_id=org.pk, key__in=keys, period__in=[period.key, previous.key]
    ).values_list(*columns)
    child_rows = IndicatorSnapshot.objects.filter(
        organization_id__in=[c.pk for c in children], key__in=keys, period=period.key
    ).values_list(*columns)
    current: dict[SeriesKey, Number] = {}
    before: dict[SeriesKey, Number] = {}
    own: dict[SeriesKey, Number] = {}
    for _org, key, part, period_key, value, own_value in own_rows:
        if period_key != period.key:
            before[(key, part)] = as_number(value)
            continue
        current[(key, part)] = as_number(value)
        if own_value:
            own[(key, part)] = as_number(own_value)
    by_child: dict[int, dict[SeriesKey, Number]] = defaultdict(dict)
    if children:
        for org_id, key, part, _period, value, _own in child_rows:
            by_child[org_id][(key, part)] = as_number(value)
    by_group = {child.path: by_child.get(child.pk, {}) for child in children}
    by_group[org.path] = own
    return Figures(current, before, by_group, "snapshot", min(as_of.values()))


def dashboard_figures(
    indicators: list[Indicator],
    org: Organization,
    children: list[Organization],
    period: Period,
    *,
    user,
    now: datetime | None = None,
) -> Figures:
    """Live figures for a subtree measured small (or never measured, or with a child the
    last rollup did not know), snapshot figures otherwise when they are usable."""
    sizes = dict(
        RollupState.objects.filter(
            organization_id__in=[org.pk, *(c.pk for c in children)]
        ).values_list("organization_id", "subtree_rows")
    )
    measured = org.pk in sizes and all(c.pk in sizes for c in children)
    if measured and live_rows(indicators, sizes[org.pk]) >= live_max_rows():
        figures = snapshot_figures(indicators, org, children, period, now=now)
        if figures is not None:
            return figures
    return live_figures(indicators, org, period, user=user)
