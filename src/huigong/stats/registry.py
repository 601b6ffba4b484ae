"""The indicator registry: each app declares its statistics in ``<app>/indicators.py``.

An indicator is declarative — which rows count, which organization they belong to, which
date places them in a period, and optionally a field that splits the count into parts —
so the statistics service can compute it for an organization's children in one grouped
query (``GROUP BY`` the child-level prefix of the materialized path) and roll it up the
tree for the materialized snapshots. Dashboards, reports and the API read indicators from
here only.

Example (``huigong/people/indicators.py``)::

    register(Indicator(
        key="people.registered", label=_("登记职工"), unit=_("人"),
        kind=IndicatorKind.STOCK, queryset=lambda: Person.objects.all(),
        permission="people.view_person",
    ))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .periods import Period

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

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
    - ``sum_field``: sum this field instead of counting rows (e.g. amounts, member counts).
    - ``permission``: "app.codename" a viewer must hold at the organization to see it.
    """

    key: str
    label: Promise | str
    unit: Promise | str
    kind: str
    queryset: Callable[[], models.QuerySet]
    path_field: str = "organization__path"
    date_field: str | None = "created_at"
    breakdown: str | None = None
    sum_field: str | None = None
    permission: str = ""
    description: Promise | str = ""
    order: int = 100

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
        """``(value, label)`` of the breakdown parts, in the order of the field's choices."""
        if not self.breakdown:
            return []
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


_registry: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add ``indicator`` to the registry after checking that its fields exist, so that a
    typo fails at start-up instead of on a dashboard."""
    if not _KEY_RE.match(indicator.key):
        raise ImproperlyConfigured(f"indicator key {indicator.key!r} must look like 'app.name'")
    if indicator.key in _registry:
        raise ImproperlyConfigured(f"indicator {indicator.key!r} is registered twice")
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


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get_indicator(key: str) -> Indicator:
    return _registry[key]


def all_indicators() -> list[Indicator]:
    """Every registered indicator in display order."""
    return sorted(_registry.values(), key=lambda i: (i.order, i.key))


def autodiscover() -> None:
    """Import ``indicators`` of every installed app (called from ``StatsConfig.ready``)."""
    autodiscover_modules("indicators")
