"""The indicator registry: what the apps declare and what registration refuses."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from huigong.common.models import Holiday
from huigong.orgs.models import Organization
from huigong.people.models import Person
from huigong.stats.periods import Period, PeriodUnit
from huigong.stats.registry import (
    BLANK,
    Indicator,
    IndicatorKind,
    all_indicators,
    get_indicator,
    register,
    unregister,
)


def test_apps_declare_the_first_indicators_in_display_order():
    assert [i.key for i in all_indicators()][:5] == [
        "orgs.organizations",
        "orgs.grassroots",
        "people.registered",
        "people.new_form",
        "people.new_registrations",
    ]
    assert str(get_indicator("people.registered").label) == "登记职工"
    assert get_indicator("people.new_registrations").kind == IndicatorKind.NEW


def test_grassroots_breakdown_parts_are_the_three_categories():
    grassroots = get_indicator("orgs.grassroots")
    assert grassroots.parts() == [
        ("public", "行政事业"),
        ("enterprise", "企业"),
        ("rural_community", "农村社区"),
    ]
    assert grassroots.part_label(BLANK) == "未填写"
    assert grassroots.part_label("") == "基层工会"


def test_stock_and_new_indicators_select_rows_by_period():
    period = Period(PeriodUnit.MONTH, 2026, 10)
    stock = get_indicator("people.registered").period_q(period)
    new = get_indicator("people.new_registrations").period_q(period)
    assert stock == Q(created_at__lt=period.end_datetime)
    assert new == Q(created_at__gte=period.start_datetime, created_at__lt=period.end_datetime)


def test_date_fields_are_compared_with_dates():
    indicator = Indicator(
        key="tests.founded",
        label="成立",
        unit="个",
        kind=IndicatorKind.NEW,
        queryset=lambda: Organization.objects.all(),
        path_field="path",
        date_field="founded_on",
    )
    register(indicator)
    try:
        q = indicator.period_q(Period(PeriodUnit.YEAR, 2025))
        assert q == Q(founded_on__gte=date(2025, 1, 1), founded_on__lt=date(2026, 1, 1))
    finally:
        unregister("tests.founded")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "Bad Key"}, "must look like"),
        ({"key": "people.registered"}, "registered twice"),
        ({"kind": "weekly"}, "unknown kind"),
        ({"path_field": "organisation__path"}, "unknown field"),
        ({"breakdown": "colour"}, "unknown field"),
        ({"kind": IndicatorKind.NEW, "date_field": None}, "needs a date"),
        ({"queryset": lambda: Holiday.objects.all()}, "visible_to"),
    ],
)
def test_registration_refuses_broken_declarations(changes, message):
    fields = {
        "key": "tests.sample",
        "label": "样例",
        "unit": "人",
        "kind": IndicatorKind.STOCK,
        "queryset": lambda: Person.objects.all(),
        **changes,
    }
    before = [i.key for i in all_indicators()]
    with pytest.raises(ImproperlyConfigured, match=message):
        register(Indicator(**fields))
    assert [i.key for i in all_indicators()] == before
