"""Working days on the official calendar: seeding, the counting rules, deadlines."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huigong.common import workdays
from huigong.common.models import Holiday, HolidaySource
from huigong.common.workdays import (
    add_working_days,
    deadline_status,
    is_working_day,
    missing_schedule_years,
    register_deadline_years,
    required_schedule_years,
    seed_holidays,
    unregister_deadline_years,
    working_days_between,
    years_without_schedule,
)

SPRING_FESTIVAL_2026 = [date(2026, 2, d) for d in range(15, 24)]
NATIONAL_DAY_2025 = [date(2025, 10, d) for d in range(1, 9)]


def test_package_data_has_the_2026_spring_festival_and_2025_national_day():
    # The facts the tests below rely on, checked against the package rather than assumed.
    for d in SPRING_FESTIVAL_2026:
        assert chinese_calendar.holidays[d] == "Spring Festival"
    assert chinese_calendar.workdays[date(2026, 2, 14)] == "Spring Festival"
    assert chinese_calendar.workdays[date(2026, 2, 28)] == "Spring Festival"
    assert date(2026, 2, 14).weekday() == date(2026, 2, 28).weekday() == 5  # Saturdays
    for d in NATIONAL_DAY_2025:
        assert chinese_calendar.holidays[d] in {"National Day", "Mid-autumn Festival"}
    assert chinese_calendar.workdays[date(2025, 9, 28)] == "National Day"
    assert chinese_calendar.workdays[date(2025, 10, 11)] == "National Day"
    assert date(2025, 9, 28).weekday() == 6  # Sunday
    assert date(2025, 10, 11).weekday() == 5  # Saturday


def test_seed_copies_every_package_date_with_chinese_names(holidays):
    expected = len(chinese_calendar.holidays) + len(chinese_calendar.workdays)
    assert holidays == expected
    assert Holiday.objects.count() == expected
    row = Holiday.objects.get(date=date(2026, 2, 17))
    assert (row.is_workday, row.name, row.source) == (False, "春节", HolidaySource.PACKAGE)
    adjusted = Holiday.objects.get(date=date(2026, 2, 14))
    assert (adjusted.is_workday, adjusted.name) == (True, "春节")
    assert Holiday.objects.get(date=date(2025, 10, 1)).name == "国庆节"


def test_seed_is_idempotent(holidays):
    count = Holiday.objects.count()
    assert seed_holidays() == 0
    assert Holiday.objects.count() == count


def test_spring_festival_2026(holidays):
    assert is_working_day(date(2026, 2, 13))  # Friday before
    assert is_working_day(date(2026, 2, 14))  # adjusted Saturday
    assert not any(is_working_day(d) for d in SPRING_FESTIVAL_2026)
    assert is_working_day(date(2026, 2, 24))
    assert is_working_day(date(2026, 2, 28))  # adjusted Saturday
    assert not is_working_day(date(2026, 3, 1))  # ordinary Sunday

    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    # Received on the first day of the holiday, a 3-day limit ends on Thursday after it.
    assert add_working_days(date(2026, 2, 15), 3) == date(2026, 2, 26)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    # February 2026: 20 weekdays, 6 of them holidays, plus 2 adjusted Saturdays.
    assert working_days_between(date(2026, 1, 31), date(2026, 2, 28)) == 16


def test_national_day_2025(holidays):
    assert is_working_day(date(2025, 9, 28))  # adjusted Sunday
    assert not any(is_working_day(d) for d in NATIONAL_DAY_2025)
    assert is_working_day(date(2025, 10, 11))  # adjusted Saturday

    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    # Sep 28 (Sunday), 29, 30, Oct 9, 10 and 11 (Saturday).
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6
    assert working_days_between(date(2025, 10, 12), date(2025, 9, 26)) == -6


def test_adjusted_saturday_counts_as_a_working_day_in_deadlines(holidays):
    status = deadline_status(date(2026, 2, 14), today=date(2026, 2, 13))
    assert (status.working_days_left, status.label) == (1, "剩余 1 个工作日")
    # The same Saturday one year later is a rest day.
    assert not is_working_day(date(2027, 2, 13))


def test_year_without_schedule_falls_back_to_weekends(holidays):
    assert years_without_schedule([2025, 2026, 2030]) == {2030}
    assert years_without_schedule([]) == set()
    # 2030-01-01 is a Tuesday: without a schedule it is a working day.
    assert is_working_day(date(2030, 1, 1))
    assert not is_working_day(date(2030, 1, 5))  # Saturday
    assert add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
    assert working_days_between(date(2029, 12, 31), date(2030, 1, 31)) == 23


def test_deadline_labels(db):
    friday = date(2030, 3, 8)
    assert deadline_status(friday, today=friday).label == "今天到期"
    assert deadline_status(friday, today=friday).level == "warning"
    upcoming = deadline_status(friday, today=date(2030, 3, 4))
    assert (upcoming.label, upcoming.level, upcoming.is_overdue) == (
        "剩余 4 个工作日",
        "success",
        False,
    )
    # Overdue counts calendar days: the Saturday after a Friday deadline is 1 day late.
    late = deadline_status(friday, today=date(2030, 3, 9))
    assert (late.label, late.overdue_days, late.level) == ("已逾期 1 天", 1, "danger")
    assert deadline_status(friday, today=date(2030, 3, 18)).label == "已逾期 10 天"


def test_required_years_include_next_year_in_december_and_registered_years(holidays):
    assert required_schedule_years(date(2026, 11, 30)) == {2026}
    assert required_schedule_years(date(2026, 12, 1)) == {2026, 2027}
    assert missing_schedule_years(date(2026, 11, 30)) == []
    assert missing_schedule_years(date(2026, 12, 1)) == [2027]

    def open_case_years():
        return [2025, 2028]

    register_deadline_years(open_case_years)
    register_deadline_years(open_case_years)  # twice: still one source
    try:
        assert required_schedule_years(date(2026, 6, 1)) == {2025, 2026, 2028}
        assert missing_schedule_years(date(2026, 6, 1)) == [2028]
    finally:
        unregister_deadline_years(open_case_years)
    assert required_schedule_years(date(2026, 6, 1)) == {2026}


def test_system_check_warns_about_missing_years(holidays, monkeypatch):
    monkeypatch.setattr(workdays.timezone, "localdate", lambda: date(2026, 12, 10))
    warnings = workdays.check_holiday_schedule(databases=["default"])
    assert [w.id for w in warnings] == ["huigong.W101"]
    assert "2027" in warnings[0].msg
    # Plain ``check`` (no database) stays silent and free of queries.
    assert workdays.check_holiday_schedule(databases=None) == []
    monkeypatch.setattr(workdays.timezone, "localdate", lambda: date(2026, 6, 10))
    assert workdays.check_holiday_schedule(databases=["default"]) == []


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


# --- properties over a span that crosses seeded (≤2026) and unscheduled (≥2027) years ----

dates = st.dates(min_value=date(2024, 6, 1), max_value=date(2028, 6, 30))
_property_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@_property_settings
@given(start=dates, n=st.integers(min_value=0, max_value=400))
def test_add_then_count_gives_n(holidays, start, n):
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    if n:
        # It is the *first* such day: a working day, and the day before is one short.
        assert is_working_day(due)
        assert working_days_between(start, due - timedelta(days=1)) == n - 1


@_property_settings
@given(a=dates, b=dates, c=dates)
def test_counting_is_additive_and_antisymmetric(holidays, a, b, c):
    assert working_days_between(a, b) == -working_days_between(b, a)
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


@_property_settings
@given(start=dates, span=st.integers(min_value=0, max_value=500))
def test_count_matches_day_by_day(holidays, start, span):
    end = start + timedelta(days=span)
    by_day = sum(is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert working_days_between(start, end) == by_day
