"""The indicator registry: what the apps declare and what registration refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from huigong.common.models import Holiday
from huigong.kernel.indicators import (
    BLANK,
    Indicator,
    IndicatorKind,
    Ratio,
    Section,
    all_indicators,
    all_ratios,
    all_sections,
    get_indicator,
    get_ratio,
    register,
    register_section,
    unregister,
    unregister_section,
)
from huigong.kernel.periods import Period, PeriodUnit
from huigong.orgs.indicators import ORGANIZATION
from huigong.orgs.models import Organization
from huigong.people.models import Person


def test_apps_declare_the_organization_indicators_in_display_order():
    assert [i.key for i in all_indicators() if i.section is ORGANIZATION] == [
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
        section=ORGANIZATION,
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
        ({"section": Section("nowhere", "无处")}, "section .* is not registered"),
        ({"section": Section("organization", "冒名")}, "section .* is not registered"),
    ],
)
def test_registration_refuses_broken_declarations(changes, message):
    fields = {
        "key": "tests.sample",
        "label": "样例",
        "unit": "人",
        "kind": IndicatorKind.STOCK,
        "queryset": lambda: Person.objects.all(),
        "section": ORGANIZATION,
        **changes,
    }
    before = [i.key for i in all_indicators()]
    with pytest.raises(ImproperlyConfigured, match=message):
        register(Indicator(**fields))
    assert [i.key for i in all_indicators()] == before


def test_apps_declare_sections_in_tab_order():
    sections = [(s.key, str(s.label)) for s in all_sections()]
    assert sections[:2] == [("organization", "组织与职工"), ("cases", "诉求办理")]


def test_sections_refuse_bad_or_duplicate_keys():
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        register_section(Section("organization", "重复"))
    with pytest.raises(ImproperlyConfigured, match="must look like"):
        register_section(Section("Bad-Key", "坏"))
    assert [s.key for s in all_sections()].count("organization") == 1
    section = register_section(Section("tests_extra", "测试", order=999))
    try:
        assert all_sections()[-1] is section
    finally:
        unregister_section("tests_extra")


def test_case_rates_are_declared_as_ratios_of_their_counts():
    rates = {
        r.key: (r.numerator, r.denominator, r.scale, str(r.unit), str(r.label))
        for r in all_ratios()
        if r.key.startswith("cases.")
    }
    assert rates == {
        "cases.accepted_on_time_rate": (
            "cases.accepted_on_time",
            "cases.accepted",
            100,
            "%",
            "1 个工作日内受理率",
        ),
        "cases.resolved_on_time_rate": (
            "cases.resolved_on_time",
            "cases.resolved",
            100,
            "%",
            "按期办结率",
        ),
        "cases.resolve_working_days_avg": (
            "cases.resolve_working_days",
            "cases.resolved",
            1,
            "工作日",
            "平均办结工作日",
        ),
        "cases.satisfaction_rate": ("cases.satisfied", "cases.rated", 100, "%", "满意率"),
        "cases.mediation_success_rate": (
            "cases.mediations_agreed",
            "cases.mediations_decided",
            100,
            "%",
            "调解成功率",
        ),
        "cases.rectified_on_time_rate": (
            "cases.rectified_on_time",
            "cases.rectified",
            100,
            "%",
            "按期整改率",
        ),
    }
    # Ratios are not base indicators: the rollups never see them.
    assert not set(rates) & {i.key for i in all_indicators()}
    assert get_ratio("cases.satisfaction_rate").section.key == "cases"


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        (2, 3, 100, Decimal("66.7")),
        (1, 3, 100, Decimal("33.3")),
        (1, 16, 100, Decimal("6.3")),  # 6.25 rounds half up
        (3, 3, 100, Decimal("100.0")),
        (0, 5, 100, Decimal("0.0")),
        (9, 2, 1, Decimal("4.5")),
        (Decimal("7.50"), 3, 1, Decimal("2.5")),
        (4, 0, 100, None),
        (0, 0, 1, None),
    ],
)
def test_ratio_values_round_to_one_decimal_and_need_a_denominator(
    numerator, denominator, scale, expected
):
    ratio = Ratio(
        key="tests.ratio",
        label="比率",
        unit="%",
        section=ORGANIZATION,
        numerator="people.new_form",
        denominator="people.registered",
        scale=scale,
    )
    assert ratio.compute(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "people.registered"}, "registered twice"),
        ({"numerator": "people.nobody"}, "not a registered base indicator"),
        ({"denominator": "cases.satisfaction_rate"}, "not a registered base indicator"),
        ({"denominator": "people.new_form"}, "are equal"),
        ({"scale": 0}, "must be positive"),
        ({"section": Section("nowhere", "无处")}, "not registered"),
    ],
)
def test_ratio_registration_refuses_broken_declarations(changes, message):
    fields = {
        "key": "tests.share",
        "label": "占比",
        "unit": "%",
        "section": ORGANIZATION,
        "numerator": "people.new_form",
        "denominator": "people.registered",
        "scale": 100,
        **changes,
    }
    before = [r.key for r in all_ratios()]
    with pytest.raises(ImproperlyConfigured, match=message):
        register(Ratio(**fields))
    assert [r.key for r in all_ratios()] == before
