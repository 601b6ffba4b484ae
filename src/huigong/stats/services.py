"""Statistics use cases: the figures of a dashboard and its drill-down table.

A dashboard shows one section (tab) of indicators: for one organization and one period,
each indicator's value for the whole subtree (this period and the previous one) and its
value for every child subtree. Only the base indicators of that section (and the
numerators and denominators of its ratios) are read; ratios are then divided in Python
from those values, so they cost no query and are never stored.

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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.kernel.indicators import (
    TOTAL,
    Indicator,
    Ratio,
    Section,
    all_indicators,
    all_ratios,
    all_sections,
    get_indicator,
    part_key,
)
from huigong.kernel.periods import Period
from huigong.kernel.scope import scope_paths, user_can_at
from huigong.orgs.models import Organization, OrgStatus

from .models import IndicatorSnapshot, RollupPeriod, RollupState
from .rollups import Number, as_number, source_of

SeriesKey = tuple[str, str]  # (indicator key, part); part TOTAL ("") is the whole value
#: What a dashboard shows: base indicators and the ratios derived from them.
Item = Indicator | Ratio

DEFAULT_SNAPSHOT_MAX_AGE = 2 * 3600
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


def scope_roots(user) -> list[Organization]:
    """The tops of the subtrees ``user`` acts on (all root nodes for a superuser)."""
    paths = scope_paths(user)
    if paths is None:
        return list(Organization.objects.get_root_nodes())
    if not paths:
        return []
    return list(Organization.objects.visible_to(user).filter(path__in=paths).order_by("path"))


def scope_breadcrumbs(user, org: Organization) -> list[Organization]:
    """``org`` and its ancestors that ``user`` may see, from the top (one query)."""
    step = Organization.steplen
    paths = [org.path[:n] for n in range(step, len(org.path) + 1, step)]
    return list(Organization.objects.visible_to(user).filter(path__in=paths).order_by("path"))


def indicators_for(user, org: Organization, section: Section | None = None) -> list[Indicator]:
    """The base indicators ``user`` may see at ``org`` (the indicator's permission held
    there), of ``section`` only when given."""
    return [
        ind
        for ind in all_indicators()
        if (section is None or ind.section.key == section.key)
        and (not ind.permission or user_can_at(user, ind.permission, org.path))
    ]


def items_for(user, org: Organization, section: Section | None = None) -> list[Item]:
    """The base indicators and ratios ``user`` may see at ``org`` (of ``section`` when
    given), in display order. A ratio is visible when both its components are."""
    visible = {ind.key for ind in indicators_for(user, org)}
    items: list[Item] = [
        *(ind for ind in all_indicators() if ind.key in visible),
        *(r for r in all_ratios() if set(r.components) <= visible),
    ]
    if section is not None:
        items = [item for item in items if item.section.key == section.key]
    return sorted(items, key=lambda item: (item.order, item.key))


def sections_for(user, org: Organization) -> list[Section]:
    """The sections (dashboard tabs) holding at least one indicator ``user`` may see at
    ``org``, in tab order."""
    shown = {item.section.key for item in items_for(user, org)}
    return [section for section in all_sections() if section.key in shown]


def base_indicators(items: list[Item]) -> list[Indicator]:
    """The base indicators to read for ``items``: themselves and the ratios' components."""
    keys: dict[str, None] = {}
    for item in items:
        for key in item.components if item.is_ratio else (item.key,):
            keys[key] = None
    return [get_indicator(key) for key in keys]


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


def _snapshot_max_age() -> timedelta:
    return timedelta(seconds=getattr(settings, "STATS_SNAPSHOT_MAX_AGE", DEFAULT_SNAPSHOT_MAX_AGE))


def _fresh_after(period: Period, now: datetime) -> datetime:
    """Snapshots of ``period`` computed before this moment are not to be used."""
    if now >= period.end_datetime:
        return period.end_datetime
    return now - _snapshot_max_age()


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
        if p.key not in as_of or as_of[p.key] < _fresh_after(p, now):
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


# --- the dashboard ---------------------------------------------------------------------


@dataclass
class Column:
    """One value column of the drill-down table (an indicator's total, one part, or a
    ratio)."""

    indicator: Item
    part: str
    label: str

    @property
    def places(self) -> int | None:
        return self.indicator.places

    def value(self, values: dict[SeriesKey, Number]) -> Number | Decimal | None:
        if self.indicator.is_ratio:
            return self.indicator.value_of(values)
        return values.get((self.indicator.key, self.part), 0)


@dataclass
class Row:
    label: str
    values: list[Number | Decimal | None]
    org: Organization | None = None  # None for the "本级" and "合计" rows
    is_total: bool = False
    short_label: str = ""  # for chart axes, where full names do not fit
    places: list[int | None] = field(default_factory=list)  # per value, see ``cells``

    def __post_init__(self):
        self.short_label = self.short_label or self.label

    @property
    def cells(self) -> list[tuple[Number | Decimal | None, int | None]]:
        """``(value, decimal places)`` of each cell, for the ``figure`` template filter."""
        return list(zip(self.values, self.places or [None] * len(self.values), strict=True))


@dataclass
class Card:
    """A headline number with its change against the previous period. For a ratio,
    ``value`` and ``previous`` are ``None`` when their denominator is 0, the change is in
    percentage points (or the ratio's unit), and ``parts`` shows its numerator and
    denominator."""

    indicator: Item
    value: Number | Decimal | None
    previous: Number | Decimal | None
    parts: list[tuple[str, Number]] = field(default_factory=list)

    @property
    def delta(self) -> Number | Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self) -> float | None:
        """The relative change of a count; ``None`` for ratios (their change is ``delta``
        in percentage points) and when there is nothing to compare with."""
        if self.indicator.is_ratio or not self.previous:
            return None
        return round(float(self.delta) / float(self.previous) * 100, 1)

    @property
    def change_unit(self) -> str:
        return self.indicator.change_unit if self.indicator.is_ratio else ""

    @property
    def tone(self) -> str:
        """``success``, ``danger`` or ``secondary``: whether the change is good news."""
        if not self.delta:
            return "secondary"
        better = (self.delta < 0) if self.indicator.lower_is_better else (self.delta > 0)
        return "success" if better else "danger"


@dataclass
class Dashboard:
    org: Organization
    period: Period
    section: Section | None
    sections: list[Section]
    indicators: list[Item]  # what the section shows to this user: base and ratios
    cards: list[Card]
    columns: list[Column]
    rows: list[Row]
    total: Row | None
    charts: list[dict]
    source: str
    computed_at: datetime | None

    @property
    def previous_period(self) -> Period:
        return self.period.previous()

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows of the drill-down table, exactly as the page shows them (a ratio
        whose denominator is 0 is "—")."""
        headers = [_("组织"), *(c.label for c in self.columns)]
        body = [*self.rows, *([self.total] if self.total is not None else [])]
        rows = [[r.label, *("—" if v is None else v for v in r.values)] for r in body]
        return headers, rows


def _columns(items: list[Item], figures: Figures) -> list[Column]:
    """Each indicator's total, then the parts of its breakdown that are not zero in either
    period (choices order first, then values outside the choices); one column per ratio."""
    columns = []
    for ind in items:
        if ind.is_ratio:
            label = f"{ind.label}(%)" if ind.is_percent else f"{ind.label}({ind.unit})"
            columns.append(Column(ind, TOTAL, label))
            continue
        columns.append(Column(ind, TOTAL, str(ind.label)))
        if not ind.breakdown:
            continue
        seen = {
            part
            for (key, part), value in [*figures.current.items(), *figures.previous.items()]
            if key == ind.key and part != TOTAL and value
        }
        ordered = [value for value, _label in ind.parts() if value in seen]
        ordered += sorted(seen - set(ordered))
        columns += [Column(ind, p, f"{ind.label}·{ind.part_label(p)}") for p in ordered]
    return columns


def _card(item: Item, columns: list[Column], figures: Figures) -> Card:
    if item.is_ratio:
        parts = [
            (str(get_indicator(key).label), figures.current.get((key, TOTAL), 0))
            for key in item.components
        ]
        return Card(item, item.value_of(figures.current), item.value_of(figures.previous), parts)
    parts = [
        (item.part_label(c.part), figures.current.get((item.key, c.part), 0))
        for c in columns
        if c.indicator is item and c.part != TOTAL
    ]
    return Card(
        item,
        figures.current.get((item.key, TOTAL), 0),
        figures.previous.get((item.key, TOTAL), 0),
        parts,
    )


def _chart(item: Item, columns: list[Column], rows: list[Row]) -> dict:
    item_columns = [(i, c) for i, c in enumerate(columns) if c.indicator is item]
    shown = [(i, c) for i, c in item_columns if c.part != TOTAL] or item_columns
    return {
        "key": item.key,
        "title": str(item.label),
        "unit": str(item.unit),
        "categories": [r.short_label for r in rows],
        "stacked": any(c.part != TOTAL for _i, c in shown),
        # Whole counts get whole axis steps; ratios and sums may be fractional.
        "integer": not item.is_ratio and not item.sum_field,
        "max": 100 if item.is_ratio and item.is_percent else None,
        "series": [
            {
                "name": item.part_label(c.part) if not item.is_ratio else str(item.label),
                "data": [None if r.values[i] is None else float(r.values[i]) for r in rows],
            }
            for i, c in shown
        ],
    }


def build_dashboard(
    *,
    user,
    org: Organization,
    period: Period,
    section: Section | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """Everything the dashboard page and its Excel export show for ``org`` in ``period``,
    for one ``section`` (default, or when ``user`` sees nothing in it: the first section
    they may see). ``org`` must already be loaded through the user's scope
    (``get_visible_or_404``). The number of queries grows with the section's indicators,
    never with the number of children."""
    sections = sections_for(user, org)
    if section is None or section.key not in {s.key for s in sections}:
        section = sections[0] if sections else None
    items = items_for(user, org, section) if section is not None else []
    children = list(
        Organization.objects.visible_to(user)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("path")
        .only("id", "name", "short_name", "path", "depth", "numchild", "kind", "status")
    )
    if not items:
        return Dashboard(org, period, section, sections, [], [], [], [], None, [], "live", None)
    indicators = base_indicators(items)
    figures = dashboard_figures(indicators, org, children, period, user=user, now=now)

    columns = _columns(items, figures)
    places = [c.places for c in columns]

    def values_of(values: dict[SeriesKey, Number]) -> list:
        return [c.value(values) for c in columns]

    rows = []
    for child in children:
        child_values = figures.by_group.get(child.path, {})
        values = values_of(child_values)
        short = child.short_name or child.name
        if child.status == OrgStatus.ACTIVE:
            rows.append(Row(child.name, values, child, short_label=short, places=places))
        elif any(child_values.values()):
            # A merged or dissolved child only matters while rows still point at it.
            status = child.get_status_display()
            rows.append(
                Row(
                    f"{child.name}({status})",
                    values,
                    child,
                    short_label=f"{short}({status})",
                    places=places,
                )
            )
    own_values = figures.by_group.get(org.path, {})
    if any(own_values.values()):
        own = values_of(own_values)
        label = _("%(name)s(本级)") % {"name": org.name}
        rows.append(Row(label, own, short_label=_("本级"), places=places))
    total = Row(_("合计"), values_of(figures.current), is_total=True, places=places)

    headline = [item for item in items if item.headline]
    return Dashboard(
        org=org,
        period=period,
        section=section,
        sections=sections,
        indicators=items,
        cards=[_card(item, columns, figures) for item in headline],
        columns=columns,
        rows=rows,
        total=total,
        charts=[_chart(item, columns, rows) for item in headline],
        source=figures.source,
        computed_at=figures.computed_at,
    )
