"""Indicator values by scope and period, computed live (snapshots: ``test_rollups``).

Other apps register their own indicators and sections: these tests name the section they
look at and count only its snapshot rows, so a new app's indicators do not break them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from huigong.cases.indicators import CASES
from huigong.kernel.indicators import Ratio, all_indicators, register, unregister
from huigong.kernel.periods import Period, PeriodUnit, current_period
from huigong.orgs.indicators import ORGANIZATION
from huigong.people.models import Person
from huigong.stats.services import (
    base_indicators,
    build_dashboard,
    indicators_for,
    items_for,
    lead_items,
    live_figures,
    scope_roots,
)
from huigong.testing.factories import OrganizationFactory

from .conftest import aware

OCTOBER = Period(PeriodUnit.MONTH, 2026, 10)
ORG_KEYS = [i.key for i in all_indicators() if i.section is ORGANIZATION]


def _org_board(**kwargs):
    return build_dashboard(section=ORGANIZATION, **kwargs)


def _table(board) -> dict[str, dict[str, int]]:
    headers, rows = board.table()
    return {row[0]: dict(zip(headers[1:], row[1:], strict=True)) for row in rows}


def _date_persons(persons):
    """Two persons registered in September, two in October, two in November 2026."""
    dates = {
        "township_own": aware(2026, 9, 3),
        "liuquan_1": aware(2026, 9, 30, 23, 30),
        "xinfa_1": aware(2026, 10, 1, 0, 10),
        "xinfa_rider": aware(2026, 10, 31, 12),
        "xinfa_2": aware(2026, 11, 1, 8),
        "liuquan_courier": aware(2026, 11, 2),
    }
    for name, when in dates.items():
        Person.objects.filter(pk=persons[name].pk).update(created_at=when)


def test_township_cadre_sees_only_own_subtree(tree, persons, township_cadre, sibling_cadre):
    board = _org_board(user=township_cadre, org=tree.huangtupu, period=current_period())
    table = _table(board)
    assert set(table) == {"新发食品有限公司工会", "黄土铺镇工会联合会(本级)", "合计"}
    assert table["新发食品有限公司工会"]["登记职工"] == 3
    assert table["黄土铺镇工会联合会(本级)"]["登记职工"] == 1
    assert table["合计"]["登记职工"] == 4
    assert table["合计"]["新就业形态劳动者"] == 1
    assert table["合计"]["工会组织"] == 2
    assert table["合计"]["基层工会·企业"] == 1
    assert "基层工会·农村社区" not in table["合计"]  # 流泉村 belongs to the sibling
    cards = {c.indicator.key: c.value for c in board.cards}
    assert cards == {
        "orgs.organizations": 2,
        "orgs.grassroots": 1,
        "people.registered": 4,
        "people.new_form": 1,
        "people.new_registrations": 4,
    }
    sibling = _org_board(user=sibling_cadre, org=tree.baidishi, period=current_period())
    sibling_table = _table(sibling)
    assert set(sibling_table) == {"流泉村工会", "白地市镇工会联合会(本级)", "合计"}
    assert sibling_table["合计"]["登记职工"] == 2
    assert sibling_table["白地市镇工会联合会(本级)"]["工会组织"] == 1  # the township itself
    assert "新发食品有限公司工会" not in sibling_table


def test_county_cadre_sees_both_townships(tree, persons, county_cadre):
    board = _org_board(user=county_cadre, org=tree.county, period=current_period())
    table = _table(board)
    assert list(table) == ["黄土铺镇工会联合会", "白地市镇工会联合会", "祁东县总工会(本级)", "合计"]
    assert [table[n]["登记职工"] for n in table] == [4, 2, 0, 6]
    assert [table[n]["工会组织"] for n in table] == [2, 2, 1, 5]
    assert table["合计"]["工会组织·县(区)总工会"] == 1
    assert table["合计"]["工会组织·乡镇(街道)工会"] == 2
    assert table["合计"]["基层工会·农村社区"] == 1
    assert table["白地市镇工会联合会"]["新就业形态劳动者"] == 1
    # Columns of kinds that do not occur in the subtree are left out.
    assert "工会组织·省总工会" not in table["合计"]


def test_live_values_never_leave_the_users_scope(tree, persons, township_cadre):
    # Even asked for the county, a township cadre's query only counts their own rows.
    indicators = indicators_for(township_cadre, tree.huangtupu)
    figures = live_figures(indicators, tree.county, current_period(), user=township_cadre)
    assert figures.current[("people.registered", "")] == 4
    assert tree.baidishi.path not in figures.by_group


def test_stock_and_new_values_by_period(tree, persons, county_cadre):
    _date_persons(persons)
    board = _org_board(user=county_cadre, org=tree.county, period=OCTOBER)
    cards = {c.indicator.key: c for c in board.cards}
    registered = cards["people.registered"]
    assert (registered.value, registered.previous, registered.delta) == (4, 2, 2)
    assert registered.change_percent == 100.0
    new = cards["people.new_registrations"]
    assert (new.value, new.previous, new.delta, new.change_percent) == (2, 2, 0, 0.0)
    assert cards["people.new_form"].value == 1  # the courier registered in November
    table = _table(board)
    assert table["黄土铺镇工会联合会"]["新登记职工"] == 2
    assert table["白地市镇工会联合会"]["新登记职工"] == 0

    quarter = _org_board(
        user=county_cadre, org=tree.county, period=Period(PeriodUnit.QUARTER, 2026, 4)
    )
    q_cards = {c.indicator.key: c for c in quarter.cards}
    assert (q_cards["people.registered"].value, q_cards["people.registered"].previous) == (6, 2)
    assert q_cards["people.new_registrations"].value == 4
    assert q_cards["people.new_registrations"].change_percent == 100.0


def test_organizations_count_only_when_they_existed_and_are_active(tree, county_cadre):
    from huigong.orgs.models import Organization

    Organization.objects.update(created_at=aware(2020, 1, 1))
    OrganizationFactory.child(
        tree.huangtupu, name="新建企业工会", kind="grassroots", category="public"
    )
    Organization.objects.filter(name="流泉村工会").update(status="dissolved")
    board = _org_board(user=county_cadre, org=tree.county, period=OCTOBER)
    assert _table(board)["合计"]["工会组织"] == 4  # new one is from November, 流泉村 is gone
    now = _org_board(user=county_cadre, org=tree.county, period=current_period())
    assert _table(now)["合计"]["基层工会·行政事业"] == 1
    assert "基层工会·农村社区" not in _table(now)["合计"]


def test_scope_roots(tree, county_cadre, township_cadre, superuser, worker):
    from huigong.testing.factories import give_role

    assert scope_roots(county_cadre) == [tree.county]
    give_role(township_cadre, "station_staff", tree.baidishi)
    assert scope_roots(township_cadre) == [tree.huangtupu, tree.baidishi]
    assert scope_roots(superuser) == [tree.province]
    assert scope_roots(worker) == []


def test_user_without_view_permission_gets_no_indicators(tree, persons, roles):
    from huigong.testing.factories import UserFactory, give_role

    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    board = build_dashboard(user=hr, org=tree.xinfa, period=current_period())
    # Enterprise HR may see organizations but neither people nor cases: one section, and
    # only its organization indicators.
    assert board.sections == [ORGANIZATION] and board.section is ORGANIZATION
    assert [i.key for i in board.indicators] == ["orgs.organizations", "orgs.grassroots"]
    assert "登记职工" not in board.table()[0]


# --- sections and ratios ---------------------------------------------------------------------

RATES = [
    "cases.accepted_on_time_rate",
    "cases.resolved_on_time_rate",
    "cases.resolve_working_days_avg",
    "cases.satisfaction_rate",
]
RAW_COUNTS = [
    "cases.accepted",
    "cases.accepted_on_time",
    "cases.resolved",
    "cases.resolved_on_time",
    "cases.resolve_working_days",
    "cases.rated",
    "cases.satisfied",
]


def test_dashboard_shows_the_first_section_by_default(tree, persons, county_cadre):
    board = build_dashboard(user=county_cadre, org=tree.county, period=current_period())
    assert [s.key for s in board.sections][:2] == ["organization", "cases"]
    assert board.section is ORGANIZATION
    assert {c.indicator.section for c in board.cards} == {ORGANIZATION}
    assert {c.indicator.section for c in board.columns} == {ORGANIZATION}
    # The tab leads with its first four headline figures and draws their trend.
    lead = [i.key for i in board.indicators if i.headline][:4]
    assert [c.indicator.key for c in board.lead_cards] == lead
    assert [s["key"] for s in board.charts["trend"]["series"]] == lead


def test_case_rates_are_derived_from_their_counts(tree, october_cases, county_cadre):
    board = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER, section=CASES)
    assert board.section is CASES
    cards = {c.indicator.key: c for c in board.cards}
    rates = [(cards[k].value, cards[k].previous, cards[k].delta) for k in RATES]
    assert rates == [
        (Decimal("66.7"), Decimal("100.0"), Decimal("-33.3")),  # 2 of 3 accepted in time
        (Decimal("50.0"), Decimal("100.0"), Decimal("-50.0")),  # 1 of 2 resolved in time
        (Decimal("4.5"), Decimal("3.0"), Decimal("1.5")),  # (3 + 6) days / 2 resolved
        (Decimal("50.0"), Decimal("100.0"), Decimal("-50.0")),  # 1 of 2 satisfied
    ]
    accept = cards["cases.accepted_on_time_rate"]
    assert accept.change_unit == "个百分点" and accept.change_percent is None
    assert accept.parts == [("1 个工作日内受理", 2), ("已受理诉求", 3)]
    assert accept.tone == "danger"
    # Working days going up is bad news; their change is in working days.
    days = cards["cases.resolve_working_days_avg"]
    assert (days.change_unit, days.tone) == ("工作日", "danger")
    # Raw numerators and denominators are no headline, but stay in the table; the
    # section leads with 办结诉求 all the same (Section.lead).
    assert set(RAW_COUNTS) & set(cards) == {"cases.resolved"}
    assert [c.indicator.key for c in board.lead_cards] == list(CASES.lead)
    assert cards["cases.received"].value == 4
    table = _table(board)
    assert list(table) == ["黄土铺镇工会联合会", "白地市镇工会联合会", "合计"]
    township = table["黄土铺镇工会联合会"]
    assert township["已受理诉求"] == 3 and township["1 个工作日内受理"] == 2
    assert township["1 个工作日内受理率(%)"] == Decimal("66.7")
    assert township["平均办结工作日(工作日)"] == Decimal("4.5")
    # 白地市镇 accepted nothing: its rates have no denominator.
    sibling = table["白地市镇工会联合会"]
    assert sibling["受理诉求"] == 1
    assert [sibling[h] for h in ("1 个工作日内受理率(%)", "按期办结率(%)", "满意率(%)")] == [
        "—",
        "—",
        "—",
    ]
    assert table["合计"]["满意率(%)"] == Decimal("50.0")
    rate_trend = next(
        c for c in board.charts["trend"]["series"] if c["key"] == "cases.satisfaction_rate"
    )
    assert rate_trend["data"][-2:] == [100.0, 50.0]  # September, October
    assert (rate_trend["unit"], rate_trend["percent"]) == ("%", True)


def test_rates_without_a_denominator_are_blank(tree, persons, county_cadre):
    board = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER, section=CASES)
    cards = {c.indicator.key: c for c in board.cards}
    for key in RATES:
        card = cards[key]
        assert (card.value, card.previous, card.delta, card.tone) == (None, None, None, "secondary")
    assert _table(board)["合计"]["满意率(%)"] == "—"


def test_rate_compared_with_a_period_without_denominator_has_no_change(
    tree, october_cases, county_cadre
):
    august = Period(PeriodUnit.MONTH, 2026, 9)  # compared with August: no cases at all
    board = build_dashboard(user=county_cadre, org=tree.county, period=august, section=CASES)
    card = next(c for c in board.cards if c.indicator.key == "cases.satisfaction_rate")
    assert (card.value, card.previous, card.delta) == (Decimal("100.0"), None, None)


def test_section_the_user_may_not_see_falls_back_to_their_first(tree, october_cases, roles):
    from huigong.testing.factories import UserFactory, give_role

    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    board = build_dashboard(user=hr, org=tree.xinfa, period=OCTOBER, section=CASES)
    assert board.section is ORGANIZATION and board.sections == [ORGANIZATION]
    assert not any(c.indicator.key.startswith("cases.") for c in board.columns)
    assert items_for(hr, tree.xinfa, CASES) == []


@pytest.fixture
def workers_per_union():
    """A ratio whose numerator and denominator need different permissions."""
    ratio = register(
        Ratio(
            key="tests.workers_per_union",
            label="每个工会登记职工",
            unit="人",
            section=ORGANIZATION,
            numerator="people.registered",
            denominator="orgs.organizations",
        )
    )
    yield ratio
    unregister(ratio.key)


def test_ratio_is_shown_only_with_both_of_its_counts(
    tree, persons, county_cadre, roles, workers_per_union
):
    from huigong.testing.factories import UserFactory, give_role

    board = build_dashboard(user=county_cadre, org=tree.county, period=current_period())
    card = next(c for c in board.cards if c.indicator is workers_per_union)
    assert (card.value, card.parts) == (Decimal("1.2"), [("登记职工", 6), ("工会组织", 5)])
    assert _table(board)["黄土铺镇工会联合会"]["每个工会登记职工(人)"] == Decimal("2.0")
    # Enterprise HR may see organizations but not people: no ratio built on people.
    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    assert workers_per_union not in items_for(hr, tree.xinfa)
    assert workers_per_union in items_for(county_cadre, tree.county)


def test_section_reads_only_its_own_indicators(tree, persons, county_cadre):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(section) -> int:
        with CaptureQueriesContext(connection) as ctx:
            build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER, section=section)
        return len(ctx.captured_queries)

    queries(ORGANIZATION)  # warm-up: the user's permission cache
    base = {s: len(indicators_for(county_cadre, tree.county, s)) for s in (ORGANIZATION, CASES)}
    trend = {
        s: len(base_indicators(lead_items(s, items_for(county_cadre, tree.county, s))))
        for s in (ORGANIZATION, CASES)
    }
    # One grouped query per base indicator, plus the children and the measured sizes
    # (none yet: nothing was rolled up, so the figures are live), one per base indicator
    # of the trend, the map's placed organizations (none here) and, for cases, the
    # categories' configured order (read once for every breakdown by category).
    assert queries(ORGANIZATION) == base[ORGANIZATION] + 2 + trend[ORGANIZATION] + 1
    assert queries(CASES) == base[CASES] + 2 + trend[CASES] + 1 + 1
