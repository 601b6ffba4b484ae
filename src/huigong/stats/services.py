"""Statistics use cases: the figures of a dashboard and its drill-down table.

A dashboard shows one section (tab) of indicators: for one organization and one period,
each indicator's value for the whole subtree (this period and the previous one) and its
value for every child subtree. Only the base indicators of that section (and the
numerators and denominators of its ratios) are read; ratios are then divided in Python
from those values, so they cost no query and are never stored.

Where the figures come from: ``stats.figures`` (live or from the rollups). A tab leads
with a few figures (``Section.lead``) and their 12-month trend (``stats.trends``), then a
map where the subtree has places (``stats.maps``), breakdowns and the drill-down table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.kernel.indicators import (
    BLANK,
    TOTAL,
    Indicator,
    Ratio,
    Section,
    all_indicators,
    all_ratios,
    all_sections,
    get_indicator,
)
from huigong.kernel.periods import Period
from huigong.kernel.scope import scope_paths, user_can_at
from huigong.orgs.models import Organization, OrgStatus

from .figures import (
    Figures,
    SeriesKey,
    dashboard_figures,
    live_figures,
    live_max_rows,
    live_rows,
    snapshot_figures,
)
from .maps import map_data
from .rollups import Number
from .trends import live_trend, snapshot_trend, trend_chart, trend_months

# The figures are read in ``stats.figures``; callers (bench, tests) use them from here.
__all__ = [
    "Figures",
    "SeriesKey",
    "dashboard_figures",
    "live_figures",
    "live_max_rows",
    "live_rows",
    "snapshot_figures",
    "build_dashboard",
    "base_indicators",
    "items_for",
    "sections_for",
    "scope_roots",
    "scope_breadcrumbs",
]

#: What a dashboard shows: base indicators and the ratios derived from them.
Item = Indicator | Ratio


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


# --- the dashboard ---------------------------------------------------------------------

#: How many figures a tab leads with when its section names none (``Section.lead``).
LEAD_DEFAULT = 4
#: Children shown by name in the ranking chart; the others are summed into one bar.
RANKING_TOP = 12


@dataclass
class Column:
    """One value column of the drill-down table (an indicator's total, one part, or a
    ratio). ``default`` columns are shown until the viewer picks others."""

    indicator: Item
    part: str
    label: str
    default: bool = False
    part_label: str = ""

    @property
    def id(self) -> str:
        """Stable name of the column, remembered by the column picker."""
        return f"{self.indicator.key}:{self.part}" if self.part else self.indicator.key

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
    org: Organization | None = None  # None for the "本级", "合计" and folded rows
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
    """A headline number with its change against the previous period. ``previous`` is
    ``None`` when there is nothing to compare with: a ratio without a denominator, or a
    previous period in which the subtree had no data at all (before the data began,
    e.g. the month the data was loaded), which is not growth. For a ratio the change is in
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
    cards: list[Card]  # the lead figures first (``lead_count`` of them), then the others
    columns: list[Column]
    rows: list[Row]  # children with activity and "本级", largest first
    total: Row | None
    charts: dict
    source: str
    computed_at: datetime | None
    lead_count: int = 0
    folded: list[Row] = field(default_factory=list)  # children without activity, by path

    @property
    def previous_period(self) -> Period:
        return self.period.previous()

    @property
    def lead_cards(self) -> list[Card]:
        return self.cards[: self.lead_count]

    @property
    def more_cards(self) -> list[Card]:
        return self.cards[self.lead_count :]

    @property
    def folded_label(self) -> str:
        return _("其他/无数据(%(count)d 个组织)") % {"count": len(self.folded)}

    @property
    def default_columns(self) -> list[Column]:
        return [c for c in self.columns if c.default]

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows of the drill-down table with every column and every child (the
        folded ones by name), as the Excel export gives them (a ratio whose denominator
        is 0 is "—")."""
        headers = [_("组织"), *(c.label for c in self.columns)]
        body = [*self.rows, *self.folded, *([self.total] if self.total is not None else [])]
        rows = [[r.label, *("—" if v is None else v for v in r.values)] for r in body]
        return headers, rows


def _part_label(part: str, configured: list[tuple[str, str]]) -> str:
    """A part's label from the configured ones (read once per dashboard)."""
    return dict(configured).get(part) or (_("未填写") if part == BLANK else part)


def _configured_parts(items: list[Item]) -> dict[str, list[tuple[str, str]]]:
    """Each breakdown's configured parts; a ``part_order`` (a query, e.g. the categories)
    is read once however many indicators share it."""
    read: dict = {}
    parts = {}
    for ind in items:
        if ind.is_ratio or not ind.breakdown:
            continue
        source = ind.part_order or ind.key
        if source not in read:
            read[source] = ind.parts()
        parts[ind.key] = read[source]
    return parts


def lead_items(section: Section, items: list[Item]) -> list[Item]:
    """The figures a tab leads with: those its section names that the viewer sees, or
    else its first headline indicators."""
    by_key = {item.key: item for item in items}
    chosen = [by_key[key] for key in section.lead if key in by_key]
    return chosen or [item for item in items if item.headline][:LEAD_DEFAULT]


def _columns(
    items: list[Item], figures: Figures, parts: dict[str, list[tuple[str, str]]], lead: set[str]
) -> list[Column]:
    """Each indicator's total, then the parts of its breakdown that are not zero in either
    period (configured order first, then values outside it); one column per ratio. The
    lead figures' columns are the default ones."""
    columns = []
    for ind in items:
        default = ind.key in lead
        if ind.is_ratio:
            label = f"{ind.label}(%)" if ind.is_percent else f"{ind.label}({ind.unit})"
            columns.append(Column(ind, TOTAL, label, default))
            continue
        columns.append(Column(ind, TOTAL, str(ind.label), default))
        if not ind.breakdown:
            continue
        seen = {
            part
            for (key, part), value in [*figures.current.items(), *figures.previous.items()]
            if key == ind.key and part != TOTAL and value
        }
        ordered = [value for value, _label in parts[ind.key] if value in seen]
        ordered += sorted(seen - set(ordered))
        for p in ordered:
            label = _part_label(p, parts[ind.key])
            columns.append(Column(ind, p, f"{ind.label}·{label}", part_label=label))
    return columns


def _card(item: Item, columns: list[Column], figures: Figures) -> Card:
    # A previous period without any data is not compared with (see ``Card``).
    compared = figures.has_previous
    if item.is_ratio:
        parts = [
            (str(get_indicator(key).label), figures.current.get((key, TOTAL), 0))
            for key in item.components
        ]
        previous = item.value_of(figures.previous) if compared else None
        return Card(item, item.value_of(figures.current), previous, parts)
    # The parts this period has (a part seen only last period would read "欠薪:0").
    parts = [
        (c.part_label, figures.current[(item.key, c.part)])
        for c in columns
        if c.indicator is item and c.part != TOTAL and figures.current.get((item.key, c.part))
    ]
    previous = figures.previous.get((item.key, TOTAL), 0) if compared else None
    return Card(item, figures.current.get((item.key, TOTAL), 0), previous, parts)


def _fold(rows: list[Row], rank: int | None) -> tuple[list[Row], list[Row]]:
    """The rows with activity, largest ``rank`` value first (ties in tree order), and the
    children without any (every value 0 or blank), in tree order."""
    active = [r for r in rows if any(r.values)]
    folded = [r for r in rows if not any(r.values)]
    if rank is not None:
        active.sort(key=lambda r: -float(r.values[rank] or 0))
    return active, folded


def _ranking(item: Item, rank: int, rows: list[Row], folded: list[Row]) -> dict:
    """The largest children by the first lead count, the rest summed as "其他/无数据"."""
    shown = [r for r in rows if r.values[rank]]
    top, rest = shown[:RANKING_TOP], shown[RANKING_TOP:]
    categories = [r.short_label for r in top]
    data = [float(r.values[rank]) for r in top]
    others = len(rest) + len(folded) + len(rows) - len(shown)
    if others:
        categories.append(_("其他/无数据(%(count)d 个)") % {"count": others})
        data.append(float(sum(r.values[rank] for r in rest)))
    return {
        "title": _("%(label)s · 按下级组织") % {"label": item.label},
        "unit": str(item.unit),
        "categories": categories,
        "data": data,
    }


def _breakdown_name(ind: Indicator) -> str:
    return str(ind.model._meta.get_field(ind.breakdown.split("__")[0]).verbose_name)


def _parts_charts(
    items: list[Item], figures: Figures, parts: dict[str, list[tuple[str, str]]]
) -> list[dict]:
    """One chart per shown count with a breakdown, its parts in their configured order;
    counts whose parts are all 0 this period get none."""
    charts = []
    for ind in items:
        if ind.is_ratio or not ind.breakdown:
            continue
        values = {
            part: value
            for (key, part), value in figures.current.items()
            if key == ind.key and part != TOTAL and value
        }
        if not values:
            continue
        ordered = [p for p, _label in parts[ind.key] if p in values]
        ordered += sorted(set(values) - set(ordered))
        charts.append(
            {
                "key": ind.key,
                "title": _("%(label)s · 按%(by)s")
                % {"label": str(ind.label).split("(")[0], "by": _breakdown_name(ind)},
                "unit": str(ind.unit),
                "categories": [_part_label(p, parts[ind.key]) for p in ordered],
                "data": [float(values[p]) for p in ordered],
            }
        )
    return charts


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
        return Dashboard(org, period, section, sections, [], [], [], [], None, {}, "live", None)
    indicators = base_indicators(items)
    figures = dashboard_figures(indicators, org, children, period, user=user, now=now)
    lead = lead_items(section, items)
    parts = _configured_parts(items)
    columns = _columns(items, figures, parts, {item.key for item in lead})
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

    counts = [item for item in lead if not item.is_ratio]
    rank_item = counts[0] if counts else None
    rank = next(
        (i for i, c in enumerate(columns) if c.indicator is rank_item and c.part == TOTAL), None
    )
    active, folded = _fold(rows, rank)
    lead_keys = {item.key for item in lead}
    more = [item for item in items if item.headline and item.key not in lead_keys]
    months = trend_months(period, timezone.localdate(now) if now else None)
    trend_indicators = base_indicators(lead)
    values, trend_source = None, "snapshot"
    if figures.source == "snapshot":
        values = snapshot_trend(trend_indicators, org, months, now=now or timezone.now())
    if values is None:
        values, trend_source = live_trend(trend_indicators, org, months, user=user), "live"
    charts = {
        "trend": {**trend_chart(lead, months, values), "source": trend_source},
        "ranking": _ranking(rank_item, rank, active, folded) if rank is not None else None,
        "parts": _parts_charts([*lead, *more], figures, parts),
        "map": map_data(rank_item, org, period, user=user, source=figures.source),
    }
    return Dashboard(
        org=org,
        period=period,
        section=section,
        sections=sections,
        indicators=items,
        cards=[_card(item, columns, figures) for item in [*lead, *more]],
        columns=columns,
        rows=active,
        total=total,
        charts=charts,
        source=figures.source,
        computed_at=figures.computed_at,
        lead_count=len(lead),
        folded=folded,
    )
