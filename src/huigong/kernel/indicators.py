"""The indicator registry: each app declares its statistics in ``<app>/indicators.py``;
the ``stats`` app computes, stores and shows them.

Three kinds of declarations:

- a ``Section`` is a tab of the dashboard (组织与职工, 诉求办理 …): each indicator belongs
  to one, and a dashboard page computes only the indicators of the section it shows;
- an ``Indicator`` is a *base* statistic, counted or summed from the domain tables and
  stored in the snapshots;
- a ``Ratio`` is derived from two base indicators of the same organization and period
  (numerator / denominator × scale), computed when figures are read, never stored.

An indicator is declarative — which rows count, which organization they belong to, which
date places them in a period, and optionally a field that splits the count into parts —
so the statistics service can compute it for an organization's children in one grouped
query (``GROUP BY`` the child-level prefix of the materialized path) and roll it up the
tree for the materialized snapshots. Dashboards, reports and the API read indicators from
here only.

Apps declare them through an ``IndicatorGroup``, which states once what a run of
indicators shares (section, permission, kind, the rows and their date …) and numbers them
in the order they are declared. Example (simplified from ``huigong/cases/indicators.py``)::

    rated = IndicatorGroup(
        CASES, order=240, permission=PERM, kind=IndicatorKind.NEW, unit=_("件"),
        date_field="rated_at", headline=False,
    )
    rated.indicator("cases.rated", _("已评价诉求"), queryset=lambda: Case.objects.rated())
    rated.indicator("cases.satisfied", _("满意或基本满意"), queryset=satisfied_cases)
    rated.percentage("cases.satisfaction_rate", _("满意率"), "cases.satisfied", "cases.rated")
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .periods import Period

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_SECTION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

#: The part key of an indicator's total (breakdown parts use the breakdown field's values).
TOTAL = ""
#: The part key of rows whose breakdown field is empty (it must not collide with TOTAL).
BLANK = "-"


def part_key(value) -> str:
    """The part a breakdown value is counted under."""
    return BLANK if value is None or value == "" else str(value)


class IndicatorKind(models.TextChoices):
    #: Rows that exist at the end of the period (created before its end), e.g. 登记职工.
    STOCK = "stock", _("存量")
    #: Rows created during the period, e.g. 新登记职工.
    NEW = "new", _("新增")


@dataclass(frozen=True)
class Section:
    """A group of indicators shown together on one tab of the dashboard.

    - ``key``: stable identifier used in URLs (``?section=cases``); never reuse one.
    - ``order``: tabs are shown by ``order``, then ``key``; the first is the default tab.
    - ``lead``: keys of the few figures the tab leads with (its headline and trend); by
      default its first four headline indicators.
    """

    key: str
    label: Promise | str
    order: int = 100
    lead: tuple[str, ...] = ()

    def __str__(self) -> str:
        return str(self.label)


@dataclass(frozen=True)
class Indicator:
    """One statistic an app declares.

    - ``key``: stable identifier ``<app>.<name>``, stored in snapshots; never reuse one.
    - ``queryset``: callable returning every row that counts (not scoped; the service
      applies ``visible_to`` and the organization subtree). Its queryset must offer
      ``visible_to`` (``ScopedQuerySetMixin``).
    - ``path_field``: the materialized path of the organization a row belongs to.
    - ``date_field``: the date or datetime that places a row in time: a STOCK indicator
      counts rows with a date before the period's end, a NEW one rows inside the period.
      ``None`` makes a STOCK indicator count the current rows whatever the period.
    - ``breakdown``: optional field whose values split the indicator into parts (with
      ``choices`` for their labels).
    - ``part_order``: for a breakdown whose values come from rows rather than choices
      (e.g. category names), a callable giving ``(value, label)`` pairs in their
      configured order.
    - ``sum_field``: sum this field instead of counting rows (e.g. amounts, member counts).
    - ``section``: the registered ``Section`` (dashboard tab) it is shown on.
    - ``permission``: "app.codename" a viewer must hold at the organization to see it.
    - ``headline``: False for counts that mainly serve as a ratio's numerator or
      denominator: they get no card or chart (the ratio's card shows them) but stay in
      the drill-down table and its export.
    - ``lower_is_better``: a rise is shown as bad news (e.g. overdue cases).
    """

    is_ratio: ClassVar[bool] = False
    #: Decimal places shown; ``None`` shows the value as it is (whole counts, sums).
    places: ClassVar[int | None] = None

    key: str
    label: Promise | str
    unit: Promise | str
    kind: str
    queryset: Callable[[], models.QuerySet]
    section: Section
    path_field: str = "organization__path"
    date_field: str | None = "created_at"
    breakdown: str | None = None
    part_order: Callable[[], list[tuple[Any, Any]]] | None = None
    sum_field: str | None = None
    permission: str = ""
    description: Promise | str = ""
    order: int = 100
    headline: bool = True
    lower_is_better: bool = False

    @property
    def model(self) -> type[models.Model]:
        return self.queryset().model

    @cached_property
    def date_is_datetime(self) -> bool:
        # DateFields are compared with dates, DateTimeFields with aware datetimes.
        if self.date_field is None:
            return False
        return isinstance(_resolve_field(self.model, self.date_field), models.DateTimeField)

    def parts(self) -> list[tuple[str, str]]:
        """``(value, label)`` of the breakdown parts, in the order of the field's choices
        (or of ``part_order``)."""
        if not self.breakdown:
            return []
        if self.part_order is not None:
            return [(part_key(value), str(label)) for value, label in self.part_order() if value]
        model_field = _resolve_field(self.model, self.breakdown)
        return [(part_key(value), str(label)) for value, label in model_field.flatchoices if value]

    def part_label(self, part: str) -> str:
        if part == TOTAL:
            return str(self.label)
        return dict(self.parts()).get(part) or (str(_("未填写")) if part == BLANK else part)

    def period_q(self, period: Period) -> Q:
        """The rows that count for ``period``."""
        if self.date_field is None:
            return Q()
        start = period.start_datetime if self.date_is_datetime else period.start
        end = period.end_datetime if self.date_is_datetime else period.end
        if self.kind == IndicatorKind.STOCK:
            return Q(**{f"{self.date_field}__lt": end})
        return Q(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})

    def measure(self, condition: Q | None = None) -> Any:
        """The aggregate of one value (count or sum), restricted to ``condition``."""
        if self.sum_field:
            return Sum(self.sum_field, filter=condition, default=0)
        return Count("pk", filter=condition)


@dataclass(frozen=True)
class Ratio:
    """A statistic derived from two base indicators of the same organization and period:
    ``numerator / denominator × scale``, rounded to ``places`` decimals, ``None`` (shown
    "—") when the denominator is 0. It is computed from figures already read, so it costs
    no query and is never stored in snapshots.

    - ``scale``: 100 for a percentage (unit "%"; changes are then percentage points), 1 for
      a plain average such as working days per resolved case.
    - A viewer sees a ratio when they may see both its numerator and its denominator.
    """

    is_ratio: ClassVar[bool] = True

    key: str
    label: Promise | str
    unit: Promise | str
    section: Section
    numerator: str
    denominator: str
    scale: int = 1
    places: int = 1
    headline: bool = True
    lower_is_better: bool = False
    description: Promise | str = ""
    order: int = 100

    @property
    def components(self) -> tuple[str, str]:
        return (self.numerator, self.denominator)

    @property
    def is_percent(self) -> bool:
        return self.scale == 100

    @property
    def change_unit(self) -> str:
        """The unit of a change between two periods: percentage points for a percentage."""
        return str(_("个百分点")) if self.is_percent else str(self.unit)

    def compute(self, numerator, denominator) -> Decimal | None:
        if not denominator:
            return None
        value = Decimal(numerator) * self.scale / Decimal(denominator)
        return value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)

    def value_of(self, values: Mapping[tuple[str, str], Any]) -> Decimal | None:
        """The ratio of the totals in ``values`` (keyed by ``(indicator key, part)``)."""
        return self.compute(
            values.get((self.numerator, TOTAL), 0), values.get((self.denominator, TOTAL), 0)
        )


def _resolve_field(model: type[models.Model], path: str) -> models.Field:
    """The model field at the end of a ``a__b__c`` lookup path."""
    names = path.split("__")
    current = model
    for i, name in enumerate(names):
        model_field = current._meta.get_field(name)
        if i < len(names) - 1:
            if not model_field.is_relation:
                raise FieldDoesNotExist(path)
            current = model_field.related_model
    return model_field


_sections: dict[str, Section] = {}
_registry: dict[str, Indicator] = {}
_ratios: dict[str, Ratio] = {}


def register_section(section: Section) -> Section:
    """Add a dashboard tab; indicators name it by the returned object."""
    if not _SECTION_KEY_RE.match(section.key):
        raise ImproperlyConfigured(f"section key {section.key!r} must look like 'name'")
    if section.key in _sections:
        raise ImproperlyConfigured(f"section {section.key!r} is registered twice")
    _sections[section.key] = section
    return section


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def all_sections() -> list[Section]:
    """Every registered section in tab order."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def _check_key_and_section(item: Indicator | Ratio) -> None:
    if not _KEY_RE.match(item.key):
        raise ImproperlyConfigured(f"indicator key {item.key!r} must look like 'app.name'")
    if item.key in _registry or item.key in _ratios:
        raise ImproperlyConfigured(f"indicator {item.key!r} is registered twice")
    if not isinstance(item.section, Section) or _sections.get(item.section.key) is not item.section:
        raise ImproperlyConfigured(
            f"indicator {item.key!r}: section {item.section!r} is not registered"
        )


def register(indicator: Indicator | Ratio) -> Indicator | Ratio:
    """Add ``indicator`` to the registry after checking that its fields exist, so that a
    typo fails at start-up instead of on a dashboard. A ``Ratio`` is registered after its
    numerator and denominator."""
    _check_key_and_section(indicator)
    if isinstance(indicator, Ratio):
        return _register_ratio(indicator)
    if indicator.kind not in IndicatorKind.values:
        raise ImproperlyConfigured(f"indicator {indicator.key!r}: unknown kind {indicator.kind!r}")
    queryset = indicator.queryset()
    if not hasattr(queryset, "visible_to"):
        raise ImproperlyConfigured(f"indicator {indicator.key!r}: queryset lacks visible_to()")
    names = [indicator.path_field, indicator.date_field, indicator.breakdown, indicator.sum_field]
    try:
        for name in names:
            if name:
                _resolve_field(queryset.model, name)
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(f"indicator {indicator.key!r}: unknown field {exc}") from exc
    if indicator.kind == IndicatorKind.NEW and indicator.date_field is None:
        raise ImproperlyConfigured(f"indicator {indicator.key!r}: a NEW indicator needs a date")
    _registry[indicator.key] = indicator
    return indicator


def _register_ratio(ratio: Ratio) -> Ratio:
    for key in ratio.components:
        if key not in _registry:
            raise ImproperlyConfigured(
                f"ratio {ratio.key!r}: {key!r} is not a registered base indicator"
            )
    if ratio.numerator == ratio.denominator:
        raise ImproperlyConfigured(f"ratio {ratio.key!r}: numerator and denominator are equal")
    if ratio.scale <= 0 or ratio.places < 0:
        raise ImproperlyConfigured(f"ratio {ratio.key!r}: scale and places must be positive")
    _ratios[ratio.key] = ratio
    return ratio


def unregister(key: str) -> None:
    _registry.pop(key, None)
    _ratios.pop(key, None)


def get_indicator(key: str) -> Indicator:
    """A base indicator (ratios: ``get_ratio``)."""
    return _registry[key]


def get_ratio(key: str) -> Ratio:
    return _ratios[key]


def all_indicators() -> list[Indicator]:
    """Every registered base indicator (the ones snapshots store) in display order."""
    return sorted(_registry.values(), key=lambda i: (i.order, i.key))


def all_ratios() -> list[Ratio]:
    """Every registered ratio in display order."""
    return sorted(_ratios.values(), key=lambda r: (r.order, r.key))


def autodiscover() -> None:
    """Import ``indicators`` of every installed app (called from ``StatsConfig.ready``)."""
    autodiscover_modules("indicators")


class IndicatorGroup:
    """Indicators declared together on one dashboard section. ``fields`` (permission,
    kind, unit, the rows, their date …) are those every base indicator of the group
    shares; an entry states only what is its own, and a field it gives wins. Entries are
    ordered as they are declared, from ``order`` on (or by an ``order`` they give).
    A ratio takes only the section and the order: it shares no rows."""

    def __init__(self, section: Section, *, order: int | None = None, **fields: Any) -> None:
        self.section = section
        self.fields = fields
        self._orders: Iterator[int] | None = None if order is None else itertools.count(order)

    def group(self, *, order: int | None = None, **fields: Any) -> IndicatorGroup:
        """A run of this group's indicators sharing more ``fields`` (the same rows, the
        same date …); it goes on with this group's numbering unless it starts an ``order``."""
        group = IndicatorGroup(self.section, order=order, **{**self.fields, **fields})
        if order is None:
            group._orders = self._orders
        return group

    def _next_order(self, fields: dict[str, Any]) -> int:
        if "order" in fields:
            return fields.pop("order")
        if self._orders is None:
            raise ImproperlyConfigured("an indicator group without an order needs one per entry")
        return next(self._orders)

    def indicator(self, key: str, label: Promise | str, **fields: Any) -> Indicator:
        """Register a base indicator with the group's fields."""
        order = self._next_order(fields)
        indicator = Indicator(
            key=key, label=label, section=self.section, order=order, **{**self.fields, **fields}
        )
        return register(indicator)

    def ratio(
        self, key: str, label: Promise | str, numerator: str, denominator: str, **fields: Any
    ) -> Ratio:
        """Register ``numerator / denominator`` (both registered before) as a ratio."""
        order = self._next_order(fields)
        ratio = Ratio(
            key=key,
            label=label,
            section=self.section,
            numerator=numerator,
            denominator=denominator,
            order=order,
            **fields,
        )
        return register(ratio)

    def percentage(
        self, key: str, label: Promise | str, numerator: str, denominator: str, **fields: Any
    ) -> Ratio:
        """A ratio shown as a percentage (its changes in percentage points)."""
        return self.ratio(key, label, numerator, denominator, unit="%", scale=100, **fields)
