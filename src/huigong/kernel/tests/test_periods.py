"""Period arithmetic and parsing of period parameters."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from huigong.kernel.periods import (
    Period,
    PeriodError,
    PeriodUnit,
    current_period,
    parse_period,
    period_from_params,
    recent_periods,
)

TODAY = date(2026, 11, 22)


def test_month_quarter_year_boundaries_keys_and_labels():
    month = Period(PeriodUnit.MONTH, 2026, 2)
    assert (month.start, month.end, month.key, month.label) == (
        date(2026, 2, 1),
        date(2026, 3, 1),
        "2026-02",
        "2026年2月",
    )
    quarter = Period(PeriodUnit.QUARTER, 2026, 4)
    assert (quarter.start, quarter.end, quarter.key, quarter.label) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
        "2026-Q4",
        "2026年第4季度",
    )
    year = Period(PeriodUnit.YEAR, 2025)
    assert (year.start, year.end, year.key, year.label) == (
        date(2025, 1, 1),
        date(2026, 1, 1),
        "2025",
        "2025年",
    )
    assert month.comparison_label == "较上月"
    assert quarter.comparison_label == "较上季度"
    assert year.comparison_label == "较上年"


def test_previous_period_crosses_the_year():
    assert Period(PeriodUnit.MONTH, 2026, 1).previous() == Period(PeriodUnit.MONTH, 2025, 12)
    assert Period(PeriodUnit.QUARTER, 2026, 1).previous() == Period(PeriodUnit.QUARTER, 2025, 4)
    assert Period(PeriodUnit.QUARTER, 2026, 3).previous() == Period(PeriodUnit.QUARTER, 2026, 2)
    assert Period(PeriodUnit.YEAR, 2026).previous() == Period(PeriodUnit.YEAR, 2025)


def test_current_period_of_each_unit():
    assert current_period(PeriodUnit.MONTH, TODAY).key == "2026-11"
    assert current_period(PeriodUnit.QUARTER, TODAY).key == "2026-Q4"
    assert current_period(PeriodUnit.YEAR, TODAY).key == "2026"
    assert not current_period(PeriodUnit.MONTH, TODAY).is_closed(TODAY)
    assert Period(PeriodUnit.MONTH, 2026, 10).is_closed(TODAY)


@pytest.mark.parametrize(
    ("value", "key"),
    [("2026", "2026"), ("2026-Q1", "2026-Q1"), ("2026q2", "2026-Q2"), ("2026-3", "2026-03"),
     (" 2026-11 ", "2026-11")],
)  # fmt: skip
def test_parse_accepts_the_documented_forms(value, key):
    assert parse_period(value, TODAY).key == key


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "无法识别的统计周期“abc”"),
        ("2026-13", "月份应在 1 到 12 之间"),
        ("2026-Q5", "无法识别的统计周期"),
        ("1999", "不能早于 2000 年"),
        ("2026-12", "还没有开始"),
        ("2027", "还没有开始"),
        ("", "无法识别的统计周期"),
    ],
)
def test_parse_refuses_bad_periods_with_chinese_messages(value, message):
    with pytest.raises(PeriodError) as exc:
        parse_period(value, TODAY)
    assert message in str(exc.value)


def test_params_fall_back_to_the_current_period_with_a_message():
    period, notes = period_from_params(QueryDict("period=2026-99"), TODAY)
    assert period.key == "2026-11"
    assert notes == ["统计周期“2026-99”的月份应在 1 到 12 之间。 已改为显示2026年11月。"]

    period, notes = period_from_params(QueryDict("unit=decade&period=current"), TODAY)
    assert period.key == "2026-11"
    assert notes == ["无法识别的统计口径“decade”,已按月度统计。"]

    period, notes = period_from_params(QueryDict("unit=quarter&period=x" + "9" * 500), TODAY)
    assert period.key == "2026-Q4"
    assert len(notes) == 1 and len(notes[0]) < 120  # the input is not echoed in full


def test_params_select_current_or_explicit_periods():
    assert period_from_params(QueryDict(""), TODAY) == (Period(PeriodUnit.MONTH, 2026, 11), [])
    assert period_from_params(QueryDict("unit=year"), TODAY)[0].key == "2026"
    # An explicit key decides the unit.
    assert period_from_params(QueryDict("unit=year&period=2026-Q2"), TODAY)[0].key == "2026-Q2"


def test_recent_periods_newest_first():
    assert [p.key for p in recent_periods(PeriodUnit.QUARTER, 3, TODAY)] == [
        "2026-Q4",
        "2026-Q3",
        "2026-Q2",
    ]
    assert [p.key for p in recent_periods(PeriodUnit.MONTH, 2, date(2026, 1, 5))] == [
        "2026-01",
        "2025-12",
    ]


@given(
    unit=st.sampled_from(PeriodUnit.values),
    day=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
)
def test_periods_tile_the_calendar(unit, day):
    period = current_period(unit, day)
    assert period.contains(day)
    assert period.previous().end == period.start
    assert parse_period(period.key, today=period.start) == period
