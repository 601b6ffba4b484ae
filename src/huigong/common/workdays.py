"""Working days on the official calendar: deadlines (限时办结) are counted in working days.

The rule: a date listed in the holiday table (``Holiday``) follows the table — an official
holiday is a rest day, an adjusted workday (调休) is a working day even on a weekend; any
other date is a working day from Monday to Friday and a rest day on Saturday and Sunday.

Counting convention (used by every function here):

- ``working_days_between(start, end)`` counts the working days ``d`` with
  ``start < d <= end`` — the start day itself is not counted, the end day is. When ``end``
  is before ``start`` the result is the negative of ``working_days_between(end, start)``.
- ``add_working_days(start, n)`` is the earliest date ``d`` with
  ``working_days_between(start, d) == n``: the n-th working day after ``start``, so it is
  always a working day when ``n >= 1``; ``add_working_days(start, 0)`` is ``start``.

So a demand received on Friday with a five-working-day limit is due on the next Friday,
one received on a Saturday is due on Friday too, and
``working_days_between(d, add_working_days(d, n)) == n`` for every date and ``n >= 0``.

The table is cached per year in each process. Saving or deleting a row through the
audited services of ``huigong.holidays`` (the admin uses them) drops the cached year at
once in this process; other processes reload it within ``CACHE_SECONDS`` — the table changes about once a year, so a
short delay is the price of not querying the database for every date.

The table must be filled for every year a deadline falls in: ``chinese-calendar`` only
knows the years up to its release. Apps that store deadlines declare the years they use
with ``register_deadline_years``; the admin warns when one of them has no schedule.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core import checks
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Holiday, HolidaySource

#: How long a process trusts its cached copy of a year's table (seconds).
CACHE_SECONDS = 300.0

_cache: dict[int, tuple[float, dict[date, bool]]] = {}
_cache_lock = threading.Lock()


def _year_table(year: int) -> dict[date, bool]:
    """``{date: is_workday}`` for the table rows of ``year`` (cached)."""
    now = time.monotonic()
    entry = _cache.get(year)
    if entry is not None and now - entry[0] < CACHE_SECONDS:
        return entry[1]
    table = dict(
        Holiday.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))
        .order_by()
        .values_list("date", "is_workday")
    )
    with _cache_lock:
        _cache[year] = (now, table)
    return table


def invalidate_years(years: Iterable[int] | None = None) -> None:
    """Forget the cached table of ``years`` (all years when None) in this process."""
    with _cache_lock:
        if years is None:
            _cache.clear()
        else:
            for year in years:
                _cache.pop(year, None)


def invalidate_years_now_and_on_commit(years: set[int]) -> None:
    """Forget the cached ``years`` for a write to the table in the current transaction."""
    # Now, so that the rest of this transaction sees the change; again after commit, so a
    # request that reloaded the year in between does not keep the old rows cached.
    invalidate_years(years)
    transaction.on_commit(lambda: invalidate_years(years))


def is_working_day(d: date) -> bool:
    """True when ``d`` is a working day (table first, then Monday–Friday)."""
    listed = _year_table(d.year).get(d)
    if listed is not None:
        return listed
    return d.weekday() < 5


def _weekdays_through(d: date) -> int:
    """Number of Mondays–Fridays from 0001-01-01 (a Monday) up to and including ``d``."""
    ordinal = d.toordinal()
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days ``d`` with ``start < d <= end``; negative when ``end < start``.

    Counts weekdays arithmetically and then corrects for the table rows in the span, so a
    span of years costs one cached lookup per year, not one per day.
    """
    if end < start:
        return -working_days_between(end, start)
    count = _weekdays_through(end) - _weekdays_through(start)
    for year in range(start.year, end.year + 1):
        for day, is_workday in _year_table(year).items():
            if start < day <= end:
                weekday = day.weekday() < 5
                if is_workday and not weekday:
                    count += 1
                elif weekday and not is_workday:
                    count -= 1
    return count


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself not counted); ``start`` when
    ``n`` is 0. Raises ValueError for a negative ``n``."""
    if n < 0:
        raise ValueError("n must be zero or positive")
    if n == 0:
        return start
    # Five working days take about seven calendar days; jump there and correct by the few
    # days that holidays and adjusted workdays move the answer.
    candidate = start + timedelta(days=n * 7 // 5)
    count = working_days_between(start, candidate)
    while count < n:
        candidate += timedelta(days=1)
        if is_working_day(candidate):
            count += 1
    while count > n or not is_working_day(candidate):
        if is_working_day(candidate):
            count -= 1
        candidate -= timedelta(days=1)
    return candidate


def working_days_before(today: date, n: int) -> date:
    """The n-th working day before ``today`` (``today`` itself not counted)."""
    day, count = today, 0
    while count < n:
        day -= timedelta(days=1)
        if is_working_day(day):
            count += 1
    return day


def last_working_day(today: date) -> date:
    """``today`` if it is a working day, else the latest working day before it."""
    day = today
    # Holidays never last more than a few weeks; the bound only guards a broken table.
    for _i in range(60):
        if is_working_day(day):
            return day
        day -= timedelta(days=1)
    return today


def overdue_cutoff(today: date) -> date:
    """A deadline ``d`` is overdue on ``today`` when a working day has passed after it,
    i.e. when ``d`` is before the last working day up to today. A deadline on the
    Tuesday before a week of holidays is therefore not overdue during the holidays, only
    on the first working day after them; one on a Friday is overdue on an adjusted
    working Saturday (调休). Every deadline sweep (cases, rectification orders) uses it."""
    return last_working_day(today)


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a deadline stands on ``today``, for lists and detail pages.

    ``working_days_left`` counts the working days after today up to the due date, so a
    deadline on the next working day has one left. Overdue deadlines count calendar days
    (``overdue_days``): the worker keeps waiting over weekends, and counting working days
    would show "overdue 0 days" on the Saturday after a Friday deadline.
    """

    due: date
    today: date
    working_days_left: int
    overdue_days: int

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def is_due_today(self) -> bool:
        return self.due == self.today

    @property
    def level(self) -> str:
        """A Bootstrap colour for badges: danger (overdue), warning (today or 1 day), success."""
        if self.is_overdue:
            return "danger"
        if self.is_due_today or self.working_days_left <= 1:
            return "warning"
        return "success"

    @property
    def label(self) -> str:
        if self.is_overdue:
            return ngettext("已逾期 %(n)d 天", "已逾期 %(n)d 天", self.overdue_days) % {
                "n": self.overdue_days
            }
        if self.is_due_today:
            return _("今天到期")
        return ngettext("剩余 %(n)d 个工作日", "剩余 %(n)d 个工作日", self.working_days_left) % {
            "n": self.working_days_left
        }

    def __str__(self) -> str:
        return self.label


def deadline_status(due: date, today: date | None = None) -> DeadlineStatus:
    """The status of a deadline ``due`` as seen on ``today`` (default: local today)."""
    today = today or timezone.localdate()
    if due < today:
        return DeadlineStatus(due, today, 0, (today - due).days)
    return DeadlineStatus(due, today, working_days_between(today, due), 0)


# --- which years need a schedule -------------------------------------------------------

_deadline_year_sources: list[Callable[[], Iterable[int]]] = []


def register_deadline_years(source: Callable[[], Iterable[int]]) -> Callable[[], Iterable[int]]:
    """Declare a callable returning the years that open deadlines of an app fall in (e.g.
    the years of ``due_date`` of unfinished cases). Usable as a decorator; registering the
    same callable twice has no effect."""
    if source not in _deadline_year_sources:
        _deadline_year_sources.append(source)
    return source


def unregister_deadline_years(source: Callable[[], Iterable[int]]) -> None:
    if source in _deadline_year_sources:
        _deadline_year_sources.remove(source)


def required_schedule_years(today: date | None = None) -> set[int]:
    """Years the holiday table must cover: the current year (every new deadline starts in
    it), next year once it is December (deadlines set in December run into January), and
    the years of open deadlines declared by apps."""
    today = today or timezone.localdate()
    years = {today.year}
    if today.month == 12:
        years.add(today.year + 1)
    for source in _deadline_year_sources:
        years.update(int(y) for y in source())
    return years


def years_without_schedule(years: Iterable[int]) -> set[int]:
    """The ``years`` that have no row at all in the holiday table."""
    wanted = {int(y) for y in years}
    if not wanted:
        return set()
    present = {
        d.year
        for d in Holiday.objects.filter(
            date__gte=date(min(wanted), 1, 1), date__lte=date(max(wanted), 12, 31)
        ).dates("date", "year")
    }
    return wanted - present


def missing_schedule_years(today: date | None = None) -> list[int]:
    """Sorted required years (``required_schedule_years``) that have no schedule yet."""
    return sorted(years_without_schedule(required_schedule_years(today)))


# --- maintaining the table ------------------------------------------------------------


def package_calendar() -> dict[date, tuple[bool, str]]:
    """The ``chinese-calendar`` package's data as ``{date: (is_workday, Chinese name)}``."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday as PackageHoliday

    chinese = {h.value: h.chinese for h in PackageHoliday}
    entries = {d: (False, chinese.get(name, name)) for d, name in chinese_calendar.holidays.items()}
    entries.update(
        {d: (True, chinese.get(name, name)) for d, name in chinese_calendar.workdays.items()}
    )
    return entries


@transaction.atomic
def seed_holidays() -> int:
    """Fill the holiday table from ``chinese-calendar`` for every year the package knows.

    Idempotent: only dates missing from the table are added, existing rows are never
    changed, and a year where an administrator has entered or edited any row is left
    alone entirely (their schedule wins over the package). Returns the rows created.
    """
    entries = package_calendar()
    manual_years = {
        d.year for d in Holiday.objects.filter(source=HolidaySource.MANUAL).dates("date", "year")
    }
    existing = set(Holiday.objects.values_list("date", flat=True))
    new_rows = [
        Holiday(date=d, is_workday=is_workday, name=name, source=HolidaySource.PACKAGE)
        for d, (is_workday, name) in sorted(entries.items())
        if d not in existing and d.year not in manual_years
    ]
    # ignore_conflicts: a concurrent seed (two deploys at once) must not fail on the unique date.
    Holiday.objects.bulk_create(new_rows, ignore_conflicts=True)
    invalidate_years_now_and_on_commit({row.date.year for row in new_rows})
    return len(new_rows)


@checks.register(checks.Tags.database)
def check_holiday_schedule(app_configs=None, databases=None, **kwargs) -> list[checks.Warning]:
    """Warn (on ``migrate`` and ``check --database default``) when a required year has no
    holiday schedule. Tagged "database" so plain ``check`` stays free of queries."""
    if not databases:
        return []
    try:
        missing = missing_schedule_years()
    except DatabaseError:
        # Before the first migrate the table does not exist yet; nothing to warn about.
        return []
    if not missing:
        return []
    years = _("、").join(str(y) for y in missing)
    return [
        checks.Warning(
            _("以下年份没有节假日安排,按工作日计算的时限会不准确:%(years)s") % {"years": years},
            hint=_("在系统配置的“节假日与调休”中录入国务院办公厅公布的安排。"),
            id="huigong.W101",
        )
    ]
