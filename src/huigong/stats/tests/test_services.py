"""Indicator values by scope and period, live and from materialized snapshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from huigong.people.models import Person
from huigong.stats.models import IndicatorSnapshot
from huigong.stats.periods import Period, PeriodUnit, current_period
from huigong.stats.services import (
    build_dashboard,
    default_rollup_periods,
    indicators_for,
    live_figures,
    rollup_indicators,
    scope_roots,
)
from huigong.stats.tasks import rollup_indicators_task
from huigong.testing.factories import OrganizationFactory

from .conftest import aware

OCTOBER = Period(PeriodUnit.MONTH, 2026, 10)


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
    board = build_dashboard(user=township_cadre, org=tree.huangtupu, period=current_period())
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
    sibling = build_dashboard(user=sibling_cadre, org=tree.baidishi, period=current_period())
    sibling_table = _table(sibling)
    assert set(sibling_table) == {"流泉村工会", "白地市镇工会联合会(本级)", "合计"}
    assert sibling_table["合计"]["登记职工"] == 2
    assert sibling_table["白地市镇工会联合会(本级)"]["工会组织"] == 1  # the township itself
    assert "新发食品有限公司工会" not in sibling_table


def test_county_cadre_sees_both_townships(tree, persons, county_cadre):
    board = build_dashboard(user=county_cadre, org=tree.county, period=current_period())
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
    board = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER)
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

    quarter = build_dashboard(
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
    board = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER)
    assert _table(board)["合计"]["工会组织"] == 4  # new one is from November, 流泉村 is gone
    now = build_dashboard(user=county_cadre, org=tree.county, period=current_period())
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
    # Enterprise HR may see organizations but not people: only organization indicators.
    assert [i.key for i in board.indicators] == ["orgs.organizations", "orgs.grassroots"]
    assert "登记职工" not in board.table()[0]


# --- materialized rollups -------------------------------------------------------------------


def test_rollup_matches_live_and_is_used_when_fresh(tree, persons, county_cadre):
    _date_persons(persons)
    live = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER)
    written = rollup_indicators([OCTOBER, OCTOBER.previous()])
    # 5 organizations with children × (organizations 1+7 kinds, grassroots 1+3, people 3).
    assert written == 2 * 5 * 15
    assert IndicatorSnapshot.objects.count() == written

    snap = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER)
    assert snap.source == "snapshot" and live.source == "live"
    assert snap.table() == live.table()
    assert [(c.value, c.previous) for c in snap.cards] == [
        (c.value, c.previous) for c in live.cards
    ]
    value = IndicatorSnapshot.objects.get(
        organization=tree.huangtupu, key="people.registered", part="", period="2026-10"
    ).value
    assert value == 3


def test_stale_or_partial_snapshots_fall_back_to_live(tree, persons, county_cadre):
    period = current_period()
    rollup_indicators([period, period.previous()])
    assert build_dashboard(user=county_cadre, org=tree.county, period=period).source == "snapshot"

    # A person registered after the rollup shows once the snapshot is too old.
    from huigong.testing.factories import PersonFactory

    PersonFactory(organization=tree.liuquan, name="后来者")
    fresh = build_dashboard(user=county_cadre, org=tree.county, period=period)
    assert _table(fresh)["合计"]["登记职工"] == 6
    IndicatorSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=3))
    stale = build_dashboard(user=county_cadre, org=tree.county, period=period)
    assert (stale.source, _table(stale)["合计"]["登记职工"]) == ("live", 7)

    # A township's children are leaves, which are never rolled up: always live.
    township = build_dashboard(user=county_cadre, org=tree.huangtupu, period=period)
    assert township.source == "live"

    # Snapshots of a closed period taken before it ended are not final.
    rollup_indicators([OCTOBER, OCTOBER.previous()], now=aware(2026, 10, 20))
    assert build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER).source == "live"
    rollup_indicators([OCTOBER, OCTOBER.previous()], now=aware(2026, 11, 1, 1))
    assert build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER).source == "snapshot"


def test_rollup_is_idempotent_and_drops_organizations_without_children(tree, persons):
    first = rollup_indicators([OCTOBER])
    assert rollup_indicators([OCTOBER]) == first
    assert IndicatorSnapshot.objects.count() == first
    # 白地市镇 loses its only child: its snapshot rows disappear on the next run.
    from huigong.orgs.models import Organization

    Person.objects.filter(organization=tree.liuquan).delete()
    Organization.objects.get(pk=tree.liuquan.pk).delete()
    rollup_indicators([OCTOBER])
    assert not IndicatorSnapshot.objects.filter(organization=tree.baidishi).exists()
    assert IndicatorSnapshot.objects.count() == first - 15


def test_default_rollup_periods_finalize_previous_periods_once(tree, persons):
    today = timezone.localdate()
    current = {current_period(u, today) for u in PeriodUnit.values}
    previous = {p.previous() for p in current}
    assert set(default_rollup_periods(today)) == current | previous
    rollup_indicators()
    # The previous periods now have final snapshots: later runs only refresh current ones.
    assert set(default_rollup_periods(today)) == current


def test_rollup_command_and_task(tree, persons):
    call_command("rollup_indicators", "--period", "2026-10", "--period", "2026")
    assert set(IndicatorSnapshot.objects.values_list("period", flat=True)) == {"2026-10", "2026"}
    with pytest.raises(CommandError, match="无法识别的统计周期"):
        call_command("rollup_indicators", "--period", "2026-10x")
    assert rollup_indicators_task.delay(["2026-Q3"]).get() == 5 * 15
    assert IndicatorSnapshot.objects.filter(period="2026-Q3").count() == 75
