"""Statistical periods: months, quarters and years, their boundaries and their keys.

A period is written as a short key that appears in URLs, snapshots and file names:
``2026`` (year), ``2026-Q1`` (quarter), ``2026-03`` (month). Boundaries are dates in the
local time zone; ``end`` is exclusive, so a period is ``start <= d < end``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Statistics before this year are refused: the platform holds no such data.
EARLIEST_YEAR = 2000


class PeriodUnit(models.TextChoices):
    MONTH = "month", gettext_lazy("月度")
    QUARTER = "quarter", gettext_lazy("季度")
    YEAR = "year", gettext_lazy("年度")


_MONTHS_PER = {PeriodUnit.MONTH: 1, PeriodUnit.QUARTER: 3, PeriodUnit.YEAR: 12}
_YEAR_RE = re.compile(r"^(\d{4})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


class PeriodError(ValueError):
    """A period key that cannot be used; the message is Chinese and shown to the user."""


@dataclass(frozen=True)
class Period:
    """One month, quarter or year. ``index`` is the month (1–12), the quarter (1–4) or 1."""

    unit: str
    year: int
    index: int = 1

    @property
    def start(self) -> date:
        return date(self.year, (self.index - 1) * _MONTHS_PER[self.unit] + 1, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        month0 = (self.index - 1) * _MONTHS_PER[self.unit] + _MONTHS_PER[self.unit]
        return date(self.year + month0 // 12, month0 % 12 + 1, 1)

    @property
    def start_datetime(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_datetime(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time.min))

    @property
    def key(self) -> str:
        if self.unit == PeriodUnit.YEAR:
            return f"{self.year}"
        if self.unit == PeriodUnit.QUARTER:
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def label(self) -> str:
        if self.unit == PeriodUnit.YEAR:
            return _("%(year)d年") % {"year": self.year}
        if self.unit == PeriodUnit.QUARTER:
            return _("%(year)d年第%(q)d季度") % {"year": self.year, "q": self.index}
        return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.index}

    @property
    def comparison_label(self) -> str:
        """How the change against ``previous()`` is introduced: 较上月 / 较上季度 / 较上年."""
        return {
            PeriodUnit.MONTH: _("较上月"),
            PeriodUnit.QUARTER: _("较上季度"),
            PeriodUnit.YEAR: _("较上年"),
        }[self.unit]

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.unit, self.year, self.index - 1)
        last = 12 // _MONTHS_PER[self.unit]
        return Period(self.unit, self.year - 1, last)

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end

    def is_closed(self, today: date | None = None) -> bool:
        """True once the period has ended (its figures no longer change by new rows)."""
        return (today or timezone.localdate()) >= self.end

    def __str__(self) -> str:
        return self.key


def current_period(unit: str = PeriodUnit.MONTH, today: date | None = None) -> Period:
    """The period of ``unit`` that contains ``today``."""
    today = today or timezone.localdate()
    if unit == PeriodUnit.YEAR:
        return Period(PeriodUnit.YEAR, today.year)
    if unit == PeriodUnit.QUARTER:
        return Period(PeriodUnit.QUARTER, today.year, (today.month - 1) // 3 + 1)
    return Period(PeriodUnit.MONTH, today.year, today.month)


def parse_period(value: str, today: date | None = None) -> Period:
    """Parse ``2026``, ``2026-Q1`` or ``2026-03``; refuse malformed, too early and future
    periods with a Chinese ``PeriodError``."""
    today = today or timezone.localdate()
    value = (value or "").strip()
    shown = value[:20]
    if m := _YEAR_RE.match(value):
        period = Period(PeriodUnit.YEAR, int(m[1]))
    elif m := _QUARTER_RE.match(value):
        period = Period(PeriodUnit.QUARTER, int(m[1]), int(m[2]))
    elif m := _MONTH_RE.match(value):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(_("统计周期“%(value)s”的月份应在 1 到 12 之间。") % {"value": shown})
        period = Period(PeriodUnit.MONTH, int(m[1]), month)
    else:
        raise PeriodError(
            _("无法识别的统计周期“%(value)s”,请使用 2026、2026-Q1 或 2026-03 这样的写法。")
            % {"value": shown}
        )
    if period.year < EARLIEST_YEAR:
        raise PeriodError(_("统计周期不能早于 %(year)d 年。") % {"year": EARLIEST_YEAR})
    if period.start > today:
        raise PeriodError(_("统计周期“%(label)s”还没有开始。") % {"label": period.label})
    return period


def period_from_params(params, today: date | None = None) -> tuple[Period, list[str]]:
    """The period asked for by GET parameters ``period`` (a key or ``current``) and ``unit``
    (used with ``current``). Bad values fall back to the current period of the unit (or the
    current month) and return Chinese messages saying what was shown instead."""
    today = today or timezone.localdate()
    notes: list[str] = []
    unit = (params.get("unit") or PeriodUnit.MONTH).strip()
    if unit not in PeriodUnit.values:
        notes.append(_("无法识别的统计口径“%(value)s”,已按月度统计。") % {"value": unit[:20]})
        unit = PeriodUnit.MONTH
    fallback = current_period(unit, today)
    value = (params.get("period") or "current").strip()
    if value == "current":
        return fallback, notes
    try:
        return parse_period(value, today), notes
    except PeriodError as exc:
        notes.append(_("%(error)s 已改为显示%(label)s。") % {"error": exc, "label": fallback.label})
        return fallback, notes


def recent_periods(unit: str, count: int, today: date | None = None) -> list[Period]:
    """The ``count`` latest periods of ``unit`` up to the current one, newest first."""
    periods = [current_period(unit, today)]
    while len(periods) < count and periods[-1].previous().year >= EARLIEST_YEAR:
        periods.append(periods[-1].previous())
    return periods
