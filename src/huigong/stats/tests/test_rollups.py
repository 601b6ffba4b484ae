"""Indicator snapshots: what the rollup stores, how it keeps them up to date from changed
rows only, and that dashboards read from them show exactly the live figures.

Other apps register their own indicators and sections: these tests name the indicators
and sections they look at, so a new app's indicators do not break them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huigong.cases.indicators import CASES
from huigong.cases.models import Case, CaseCategory
from huigong.kernel.indicators import get_indicator
from huigong.kernel.periods import Period, PeriodUnit, current_period
from huigong.orgs.indicators import ORGANIZATION
from huigong.orgs.models import Organization
from huigong.people.models import Person
from huigong.stats.models import IndicatorSnapshot, RollupPeriod, RollupRun, RollupState
from huigong.stats.rollups import default_rollup_periods, rollup_indicators, source_of
from huigong.stats.services import build_dashboard, live_rows, sections_for
from huigong.stats.tasks import rollup_indicators_task
from huigong.testing.factories import OrganizationFactory, PersonFactory

from .conftest import aware, make_case

OCTOBER = Period(PeriodUnit.MONTH, 2026, 10)
ALWAYS_LIVE = 10**12


def _snap(org, key: str, period: Period, part: str = "") -> tuple[int, int] | None:
    row = IndicatorSnapshot.objects.filter(
        organization=org, key=key, part=part, period=period.key
    ).first()
    return None if row is None else (row.value, row.own)


def _board(settings, user, org, period, section, *, live: bool):
    settings.STATS_LIVE_MAX_ROWS = ALWAYS_LIVE if live else 0
    return build_dashboard(user=user, org=org, period=period, section=section)


def _figures(board) -> tuple:
    cards = [(c.indicator.key, c.value, c.previous, c.parts) for c in board.cards]
    # The trend says where it was read from; its figures must not depend on it.
    charts = {**board.charts, "trend": {**board.charts["trend"], "source": None}}
    return board.table(), cards, charts


def assert_snapshots_equal_live(settings, user, org, periods) -> int:
    """Every section ``user`` sees at ``org``, in every period: the dashboard read from
    snapshots shows exactly what it shows computed live. Returns the boards compared."""
    compared = 0
    for period in periods:
        for section in sections_for(user, org):
            live = _board(settings, user, org, period, section, live=True)
            snap = _board(settings, user, org, period, section, live=False)
            assert (live.source, snap.source) == ("live", "snapshot"), (org, period, section)
            assert _figures(snap) == _figures(live), (org.name, period.key, section.key)
            compared += 1
    return compared


@pytest.fixture
def now_cases(tree, persons):
    """Cases received this month (or, early on the 1st, last month: both are rolled up)."""
    now = timezone.now()
    return {
        "xinfa_open": make_case(tree.xinfa, "N1", now - timedelta(hours=3)),
        "liuquan_open": make_case(tree.liuquan, "N2", now - timedelta(hours=2)),
        "liuquan_accepted": make_case(
            tree.liuquan,
            "N3",
            now - timedelta(hours=5),
            accepted_at=now - timedelta(hours=4),
            accepted_on_time=True,
        ),
    }


# --- what is stored --------------------------------------------------------------------------


def test_every_organization_is_stored_leaves_included_and_zeros_are_not(tree, october_cases):
    run = rollup_indicators([OCTOBER, OCTOBER.previous()])
    assert (run.mode, run.reason) == ("periods", "periods chosen")
    assert IndicatorSnapshot.objects.count() == run.rows_written
    # The leaf 新发食品 received 3 cases in October, all its own; its township holds them
    # in its subtree only; the county adds 白地市镇's one (at its leaf 流泉村).
    assert _snap(tree.xinfa, "cases.received", OCTOBER) == (3, 3)
    assert _snap(tree.huangtupu, "cases.received", OCTOBER) == (3, 0)
    assert _snap(tree.liuquan, "cases.received", OCTOBER) == (1, 1)
    assert _snap(tree.county, "cases.received", OCTOBER) == (4, 0)
    assert _snap(tree.province, "cases.received", OCTOBER) == (4, 0)
    assert _snap(tree.xinfa, "cases.received", OCTOBER, part="walk_in") == (3, 3)
    # Zeros are not stored: 流泉村 resolved nothing; no row of a ratio either.
    assert _snap(tree.liuquan, "cases.resolved", OCTOBER) is None
    assert not IndicatorSnapshot.objects.filter(value=0).exists()
    assert not IndicatorSnapshot.objects.filter(key="cases.satisfaction_rate").exists()
    assert set(RollupPeriod.objects.values_list("period", flat=True)) == {"2026-10", "2026-09"}


def test_snapshots_equal_live_at_every_level(
    tree, persons, october_cases, superuser, county_cadre, township_cadre, settings
):
    rollup_indicators([OCTOBER, OCTOBER.previous()], now=aware(2026, 11, 1, 2))
    levels = [
        (superuser, tree.province),
        (county_cadre, tree.county),
        (township_cadre, tree.huangtupu),
        (township_cadre, tree.xinfa),  # a leaf
        (county_cadre, tree.liuquan),  # another leaf
    ]
    compared = sum(
        assert_snapshots_equal_live(settings, user, org, [OCTOBER]) for user, org in levels
    )
    assert compared >= 2 * len(levels)
    # The figures being compared are not empty.
    snap = _board(settings, county_cadre, tree.county, OCTOBER, CASES, live=False)
    assert {c.indicator.key: c.value for c in snap.cards}["cases.received"] == 4


# --- incremental runs ------------------------------------------------------------------------


def test_incremental_run_recomputes_only_changed_organizations_and_equals_live(
    tree, persons, now_cases, superuser, county_cadre, settings
):
    first = rollup_indicators()
    assert (first.mode, first.reason) == ("full", "first run")
    assert {p.key for p in default_rollup_periods()} == set(
        RollupPeriod.objects.values_list("period", flat=True)
    )

    now = timezone.now()
    make_case(tree.xinfa, "N4", now - timedelta(hours=1))  # added at a leaf
    resolved = Case.objects.get(pk=now_cases["xinfa_open"].pk)  # changed in place
    resolved.resolved_at, resolved.resolved_on_time = now, True
    resolved.working_days_to_resolve = 1
    resolved.save()
    moved = Case.objects.get(pk=now_cases["liuquan_open"].pk)  # 流泉村 → 黄土铺镇 itself
    moved.organization = tree.huangtupu
    moved.save()
    Person.objects.filter(pk=persons["liuquan_courier"].pk).delete()  # deleted
    PersonFactory(organization=tree.baidishi, name="白地市本级")  # a township's own row

    run = rollup_indicators()
    assert run.mode == "incremental"
    # 新发食品, 流泉村, 黄土铺镇 and 白地市镇 changed; province, city and county did not.
    assert run.organizations == 4
    month = current_period()
    assert _snap(tree.liuquan, "people.registered", month) == (1, 1)
    assert _snap(tree.baidishi, "people.registered", month) == (2, 1)
    assert _snap(tree.county, "people.registered", month) == (6, 0)
    assert _snap(tree.huangtupu, "cases.received", month)[1] == 1  # the moved case
    assert _snap(tree.xinfa, "cases.resolved", month) == (1, 1)

    periods = [month, current_period(PeriodUnit.YEAR)]
    for user, org in [
        (superuser, tree.province),
        (county_cadre, tree.county),
        (county_cadre, tree.huangtupu),
        (county_cadre, tree.baidishi),
        (county_cadre, tree.xinfa),
        (county_cadre, tree.liuquan),
    ]:
        assert_snapshots_equal_live(settings, user, org, periods)

    # Nothing changed since: the next run recomputes nothing and writes nothing.
    idle = rollup_indicators()
    assert (idle.mode, idle.organizations, idle.rows_written) == ("incremental", 0, 0)


def test_a_new_organization_is_rolled_up_incrementally(tree, persons, county_cadre, settings):
    rollup_indicators()
    new_union = OrganizationFactory.child(
        tree.baidishi, name="新建物流公司工会", kind="grassroots", category="enterprise"
    )
    PersonFactory(organization=new_union, name="骑手甲")
    run = rollup_indicators()
    # Only the new union: adding it changed no indicator row of its township.
    assert (run.mode, run.organizations) == ("incremental", 1)
    assert _snap(new_union, "people.registered", current_period()) == (1, 1)
    assert_snapshots_equal_live(settings, county_cadre, tree.baidishi, [current_period()])


def test_the_deadline_sweeps_overdue_flag_is_seen_through_its_event(
    tree, persons, county_cadre, settings
):
    from huigong.cases.sweep import sweep_case_deadlines

    category = CaseCategory.objects.add_root(
        instance=CaseCategory(code="consult", name="政策咨询", auto_escalate=False)
    )
    late = make_case(tree.xinfa, "L1", timezone.now() - timedelta(days=20))
    Case.objects.filter(pk=late.pk).update(category=category)
    rollup_indicators()
    month = current_period()
    assert _snap(tree.county, "cases.overdue_now", month) is None

    # The sweep flips is_overdue with a bulk update (updated_at untouched) and writes a
    # timeline event: the event is what marks 新发食品 as changed.
    assert sweep_case_deadlines().overdue == 1
    run = rollup_indicators()
    assert (run.mode, run.organizations) == ("incremental", 1)
    assert _snap(tree.county, "cases.overdue_now", month) == (1, 0)
    assert_snapshots_equal_live(settings, county_cadre, tree.county, [month])


def test_a_change_no_fingerprint_sees_waits_for_the_daily_full_run(tree, persons, settings):
    case = make_case(tree.xinfa, "U1", timezone.now() - timedelta(hours=1))
    rollup_indicators()
    # A bulk update with neither updated_at nor an event is invisible to the fingerprints:
    # the incremental run cannot see it, the scheduled full run repairs it.
    Case.objects.filter(pk=case.pk).update(is_overdue=True)
    assert rollup_indicators().organizations == 0
    assert _snap(tree.county, "cases.overdue_now", current_period()) is None
    settings.STATS_ROLLUP_FULL_EVERY = 0
    run = rollup_indicators()
    assert (run.mode, run.reason) == ("full", "scheduled")
    assert _snap(tree.county, "cases.overdue_now", current_period()) == (1, 0)


def test_a_changed_tree_or_a_new_period_makes_a_full_run(tree, persons, county_cadre, settings):
    rollup_indicators()
    # Moving a union to the other township changes paths: a full run.
    Organization.objects.move(
        Organization.objects.get(pk=tree.xinfa.pk),
        Organization.objects.get(pk=tree.baidishi.pk),
        "last-child",
    )
    run = rollup_indicators()
    assert (run.mode, run.reason) == ("full", "tree changed")
    baidishi = Organization.objects.get(pk=tree.baidishi.pk)
    assert _snap(baidishi, "people.registered", current_period())[0] == 5
    assert_snapshots_equal_live(settings, county_cadre, baidishi, [current_period()])

    # Deleting an (empty) organization too.
    empty = OrganizationFactory.child(baidishi, name="待撤销工会", kind="grassroots")
    assert rollup_indicators().mode == "incremental"
    Organization.objects.get(pk=empty.pk).delete()
    assert rollup_indicators().reason == "tree changed"

    # A month later the window has a period no snapshot covers yet.
    next_month = current_period().end_datetime + timedelta(hours=1)
    run = rollup_indicators(now=next_month)
    assert (run.mode, run.reason) == ("full", "new period")
    assert RollupPeriod.objects.filter(period=current_period(today=next_month.date()).key)


def test_runs_continue_each_other(tree, persons):
    first = rollup_indicators()
    second = rollup_indicators()
    assert (first.based_on, second.based_on) == (0, first.pk)
    assert RollupRun.objects.filter(based_on=first.pk).get() == second


# --- live or snapshot: measured size ---------------------------------------------------------


def test_size_not_tree_shape_decides_live_or_snapshot(tree, persons, county_cadre, settings):
    for n in range(2):  # 新发食品 grows to 5 persons
        PersonFactory(organization=tree.xinfa, name=f"新发新{n}")
    rollup_indicators()
    keys = ["orgs.organizations", "orgs.grassroots"]
    keys += ["people.registered", "people.new_form", "people.new_registrations"]
    indicators = [get_indicator(key) for key in keys]
    sizes = dict(RollupState.objects.values_list("organization_id", "subtree_rows"))
    # Rows read live: the organization counts read the subtree's organizations, the
    # three people counts its persons.
    assert live_rows(indicators, sizes[tree.xinfa.pk]) == 2 * 1 + 3 * 5  # a leaf
    assert live_rows(indicators, sizes[tree.baidishi.pk]) == 2 * 2 + 3 * 2  # a township
    assert live_rows(indicators, sizes[tree.county.pk]) == 2 * 5 + 3 * 8

    settings.STATS_LIVE_MAX_ROWS = 12
    period = current_period()

    def board(org):
        return build_dashboard(user=county_cadre, org=org, period=period, section=ORGANIZATION)

    # The large leaf reads its snapshots, the small township computes live.
    assert (board(tree.xinfa).source, board(tree.baidishi).source) == ("snapshot", "live")
    assert board(tree.baidishi).computed_at is None
    county = board(tree.county)
    assert county.source == "snapshot"
    assert county.computed_at == RollupPeriod.objects.get(period=period.key).as_of

    # A child the last rollup did not know is not covered: live until the next run.
    OrganizationFactory.child(tree.county, name="新设镇工会", kind="township")
    assert board(tree.county).source == "live"
    rollup_indicators()
    assert board(tree.county).source == "snapshot"


def test_sources_link_rows_to_their_organization():
    assert source_of(get_indicator("people.registered")).key == "people.person:organization"
    assert source_of(get_indicator("cases.reopened")).key == "cases.caseevent:case__organization"
    assert source_of(get_indicator("orgs.organizations")).key == "orgs.organization:pk"
    assert source_of(get_indicator("cases.received")).version == "updated_at"
    assert source_of(get_indicator("cases.reopened")).version == "pk"  # append-only
    assert source_of(get_indicator("cases.mediations_agreed")).version is None


def test_snapshot_dashboard_reads_a_fixed_number_of_queries(
    tree, persons, october_cases, county_cadre, settings
):
    rollup_indicators(now=aware(2026, 11, 1, 2))  # the window: the trend's months too
    settings.STATS_LIVE_MAX_ROWS = 0
    build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER)  # warm-up
    for section, extra in ((ORGANIZATION, 0), (CASES, 1)):
        with CaptureQueriesContext(connection) as ctx:
            board = build_dashboard(
                user=county_cadre, org=tree.county, period=OCTOBER, section=section
            )
        assert board.source == "snapshot"
        # Children, their measured sizes, the periods' coverage, the county's snapshot
        # rows, its children's; the trend's months' coverage and the county's rows of
        # them; the map's placed organizations (none here); and for cases the categories'
        # order: however many indicators and children.
        queries = [q["sql"][:80] for q in ctx.captured_queries]
        assert len(queries) == 8 + extra, queries


# --- freshness -------------------------------------------------------------------------------


def test_stale_or_unfinished_snapshots_fall_back_to_live(tree, persons, county_cadre, settings):
    settings.STATS_LIVE_MAX_ROWS = 0
    period = current_period()
    rollup_indicators()
    board = build_dashboard(user=county_cadre, org=tree.county, period=period)
    assert board.source == "snapshot"

    # A person registered after the rollup shows once the snapshot is too old.
    PersonFactory(organization=tree.liuquan, name="后来者")
    fresh = build_dashboard(user=county_cadre, org=tree.county, period=period)
    assert fresh.cards[2].indicator.key == "people.registered" and fresh.cards[2].value == 6
    RollupPeriod.objects.update(as_of=timezone.now() - timedelta(hours=3))
    stale = build_dashboard(user=county_cadre, org=tree.county, period=period)
    assert (stale.source, stale.cards[2].value) == ("live", 7)

    # Snapshots of a closed period taken before it ended are not final.
    rollup_indicators([OCTOBER, OCTOBER.previous()], now=aware(2026, 10, 20))
    assert build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER).source == "live"
    rollup_indicators([OCTOBER, OCTOBER.previous()], now=aware(2026, 11, 1, 1))
    board = build_dashboard(user=county_cadre, org=tree.county, period=OCTOBER)
    assert (board.source, board.computed_at) == ("snapshot", aware(2026, 11, 1, 1))


def test_default_periods_are_the_pickers_window():
    today = aware(2026, 12, 3).date()
    keys = [p.key for p in default_rollup_periods(today)]
    assert len(keys) == 13 + 9 + 7
    assert keys[0] == "2026-12" and "2025-12" in keys and "2025-11" not in keys
    assert "2026-Q4" in keys and "2024-Q4" in keys and "2024-Q3" not in keys
    assert "2026" in keys and "2020" in keys and "2019" not in keys


# --- command and task ------------------------------------------------------------------------


def test_rollup_command_and_task(tree, persons, capsys):
    call_command("rollup_indicators", "--period", "2026-10", "--period", "2026")
    assert set(RollupPeriod.objects.values_list("period", flat=True)) == {"2026-10", "2026"}
    assert "snapshot rows written" in capsys.readouterr().out
    with pytest.raises(CommandError, match="无法识别的统计周期"):
        call_command("rollup_indicators", "--period", "2026-10x")
    result = rollup_indicators_task.delay(["2026-Q3"]).get()
    assert result["mode"] == "periods"
    assert IndicatorSnapshot.objects.filter(period="2026-Q3").count() == result["rows_written"]
    call_command("rollup_indicators")
    assert "full rollup (first run)" in capsys.readouterr().out
    call_command("rollup_indicators")
    assert "incremental rollup (changes only): 0 organizations" in capsys.readouterr().out
    assert rollup_indicators_task.delay(full=True).get()["reason"] == "forced"
