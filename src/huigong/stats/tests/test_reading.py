"""What makes the dashboard readable: lead figures and their 12-month trend, children
without activity folded and the rest sorted, categories in their configured order,
changes only against a period that had data, the map of placed organizations, and the
compact table's default columns."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from huigong.cases.indicators import CASES
from huigong.cases.models import Case, CaseCategory
from huigong.kernel.periods import Period, PeriodUnit
from huigong.orgs.models import Organization
from huigong.stats.rollups import rollup_indicators
from huigong.stats.services import build_dashboard
from huigong.testing.factories import OrganizationFactory

from .conftest import aware, make_case

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("stats:dashboard")
OCTOBER = Period(PeriodUnit.MONTH, 2026, 10)
NOVEMBER = Period(PeriodUnit.MONTH, 2026, 11)
LEAD = ["受理诉求", "办结诉求", "按期办结率", "满意率"]


def _board(user, org, period=OCTOBER, **kwargs):
    return build_dashboard(user=user, org=org, period=period, section=CASES, **kwargs)


def _lead(board) -> list[tuple[str, object, object]]:
    return [(str(c.indicator.label), c.value, c.previous) for c in board.lead_cards]


def _charts(response) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="stats-charts" type="application/json">(.*?)</script>', html)
    return json.loads(unescape(found[1]))


# --- lead figures and trend ------------------------------------------------------------------


def test_lead_figures_and_trend_from_live_rows_and_rollups_agree(
    tree, october_cases, county_cadre, settings
):
    settings.STATS_LIVE_MAX_ROWS = 10**9  # live
    live = _board(county_cadre, tree.county)
    assert live.source == "live" and live.charts["trend"]["source"] == "live"
    # October: 4 received, 2 resolved (1 on time), 2 rated (1 satisfied); September: 1 of
    # each, on time and basically satisfied.
    assert _lead(live) == [
        ("受理诉求", 4, 1),
        ("办结诉求", 2, 1),
        ("按期办结率", Decimal("50.0"), Decimal("100.0")),
        ("满意率", Decimal("50.0"), Decimal("100.0")),
    ]
    trend = live.charts["trend"]
    assert len(trend["months"]) == 12
    assert trend["keys"][0] == "2025-11" and trend["keys"][-1] == "2026-10"
    assert trend["months"][0] == "2025年11月" and trend["months"][-1] == "10月"
    series = {s["name"]: s["data"] for s in trend["series"]}
    assert list(series) == LEAD
    assert series["受理诉求"] == [0.0] * 10 + [1.0, 4.0]
    assert series["办结诉求"] == [0.0] * 10 + [1.0, 2.0]
    # A month without a denominator is a gap, not 0 %.
    assert series["按期办结率"] == [None] * 10 + [100.0, 50.0]
    assert series["满意率"] == [None] * 10 + [100.0, 50.0]

    rollup_indicators(now=aware(2026, 11, 1, 2))
    settings.STATS_LIVE_MAX_ROWS = 0
    rolled = _board(county_cadre, tree.county)
    assert rolled.source == "snapshot" and rolled.charts["trend"]["source"] == "snapshot"
    assert _lead(rolled) == _lead(live)
    assert rolled.charts["trend"] == {**trend, "source": "snapshot"}


def test_trend_of_a_quarter_ends_with_its_last_month(tree, october_cases, county_cadre):
    quarter = Period(PeriodUnit.QUARTER, 2026, 3)
    board = _board(county_cadre, tree.county, quarter)
    assert board.charts["trend"]["keys"][-1] == "2026-09"
    received = board.charts["trend"]["series"][0]["data"]
    assert received[-1] == 1.0 and sum(received) == 1.0


# --- folding and sorting ---------------------------------------------------------------------


def test_children_without_activity_are_folded_and_the_rest_sorted_by_value(
    client, tree, october_cases, county_cadre
):
    for i in range(3):  # 白地市镇 now has 4 cases in October, 黄土铺镇 3
        make_case(tree.liuquan, f"L{i}", aware(2026, 10, 21 + i, 9))
    quiet = OrganizationFactory.child(tree.county, name="静水镇工会联合会", kind="township")
    board = _board(county_cadre, tree.county)
    assert [r.label for r in board.rows] == ["白地市镇工会联合会", "黄土铺镇工会联合会"]
    assert [r.org for r in board.folded] == [quiet]
    assert board.folded_label == "其他/无数据(1 个组织)"
    ranking = board.charts["ranking"]
    assert ranking["categories"] == [
        "白地市镇工会联合会",
        "黄土铺镇工会联合会",
        "其他/无数据(1 个)",
    ]
    assert ranking["data"] == [4.0, 3.0, 0.0]
    # The export still lists every child, the folded ones by name.
    names = [row[0] for row in board.table()[1]]
    assert names == ["白地市镇工会联合会", "黄土铺镇工会联合会", "静水镇工会联合会", "合计"]

    client.force_login(county_cadre)
    html = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"}).content.decode()
    folded = html.split('data-testid="folded"')[1].split("</tr>")[0]
    assert "其他/无数据(1 个组织)" in folded and f"?org={quiet.pk}&amp;" in folded
    body = html.split('data-testid="drilldown"')[1].split('data-testid="folded"')[0]
    assert body.index("白地市镇工会联合会") < body.index("黄土铺镇工会联合会")
    assert "静水镇" not in body


def test_a_township_with_no_children_active_folds_them_all(tree, township_cadre):
    make_case(tree.huangtupu, "T1", aware(2026, 10, 9, 9))  # at the township itself
    board = _board(township_cadre, tree.huangtupu)
    assert [r.label for r in board.rows] == ["黄土铺镇工会联合会(本级)"]
    assert [r.org for r in board.folded] == [tree.xinfa]
    assert board.charts["ranking"]["categories"] == ["本级", "其他/无数据(1 个)"]


# --- categories ------------------------------------------------------------------------------


def test_categories_come_in_their_configured_order(tree, county_cadre):
    # Configured 欠薪, 工伤, 劳动合同: the reverse of their code-point order.
    wage = make_case(tree.xinfa, "K1", aware(2026, 10, 9, 9)).category
    CaseCategory.objects.filter(pk=wage.pk).update(sort=1)
    injury = CaseCategory.objects.add_root(
        instance=CaseCategory(code="injury", name="工伤", sort=2)
    )
    contract = CaseCategory.objects.add_root(
        instance=CaseCategory(code="contract", name="劳动合同", sort=3)
    )
    for number, category in (("K2", injury), ("K3", contract), ("K4", contract)):
        case = make_case(tree.liuquan, number, aware(2026, 10, 12, 9))
        Case.objects.filter(pk=case.pk).update(category=category)

    board = _board(county_cadre, tree.county)
    parts = [
        c.part_label for c in board.columns if c.indicator.key == "cases.received_by_category"
    ][1:]
    assert parts == ["欠薪", "工伤", "劳动合同"]
    chart = next(c for c in board.charts["parts"] if c["key"] == "cases.received_by_category")
    assert chart["categories"] == ["欠薪", "工伤", "劳动合同"]
    assert chart["data"] == [1.0, 1.0, 2.0]
    assert chart["title"] == "受理诉求 · 按类别"

    CaseCategory.objects.filter(pk=contract.pk).update(sort=0)  # moved to the top
    board = _board(county_cadre, tree.county)
    chart = next(c for c in board.charts["parts"] if c["key"] == "cases.received_by_category")
    assert chart["categories"] == ["劳动合同", "欠薪", "工伤"]


# --- changes against the previous period -----------------------------------------------------


def test_no_change_is_shown_against_a_period_without_data(client, tree, county_cadre):
    for i in range(2):
        make_case(tree.xinfa, f"N{i}", aware(2026, 10, 9 + i, 9))
    board = _board(county_cadre, tree.county)
    received = board.cards[0]
    assert received.indicator.key == "cases.received"
    # September had no data at all (the data began in October): no +2, no +100 %.
    assert (received.value, received.previous, received.delta) == (2, None, None)
    assert (received.change_percent, received.tone) == (None, "secondary")
    client.force_login(county_cadre)
    html = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"}).content.decode()
    card = html.split('data-testid="card-cases.received"')[1].split('data-testid="change"')[1]
    assert " ".join(card.split("</div>")[0].split()) == "> 较上月 —"

    # November against October, which had data: a real fall.
    received = _board(county_cadre, tree.county, NOVEMBER).cards[0]
    assert (received.value, received.previous, received.delta) == (0, 2, -2)
    assert received.change_percent == -100.0


def test_change_against_a_period_with_data(tree, october_cases, county_cadre):
    received = _board(county_cadre, tree.county).cards[0]
    assert (received.value, received.previous, received.delta) == (4, 1, 3)
    assert (received.change_percent, received.tone) == (300.0, "success")


# --- the map ---------------------------------------------------------------------------------


@pytest.fixture
def placed(tree):
    """Coordinates for both townships, and for an enterprise inside one (not a point of its
    own: its township's point already counts it)."""
    places = {
        tree.huangtupu: ("26.833000", "112.308000"),
        tree.baidishi: ("26.862000", "111.900000"),
        tree.xinfa: ("26.830000", "112.300000"),
    }
    for org, (lat, lng) in places.items():
        Organization.objects.filter(pk=org.pk).update(latitude=lat, longitude=lng)
    Organization.objects.filter(pk=tree.huangtupu.pk).update(short_name="黄土铺镇")


def test_map_holds_the_townships_with_coordinates_and_counts(
    client, tree, october_cases, placed, county_cadre, settings
):
    client.force_login(county_cadre)
    charts = _charts(client.get(DASHBOARD, {"period": "2026-10", "section": "cases"}))
    points = charts["map"]["points"]
    assert [(p["name"], p["lat"], p["lng"], p["value"]) for p in points] == [
        ("黄土铺镇", 26.833, 112.308, 3.0),  # short names where they have one
        ("白地市镇工会联合会", 26.862, 111.9, 1.0),
    ]
    assert (charts["map"]["label"], charts["map"]["unit"]) == ("受理诉求", "件")
    assert charts["map"]["tiles"] == ""  # no tiles configured: plain background

    rollup_indicators(now=aware(2026, 11, 1, 2))
    settings.STATS_LIVE_MAX_ROWS = 0
    settings.MAP_TILES = "https://tiles.example/{z}/{x}/{y}.png"
    board = _board(county_cadre, tree.county)
    assert board.source == "snapshot"
    assert board.charts["map"]["points"] == points
    assert board.charts["map"]["tiles"] == "https://tiles.example/{z}/{x}/{y}.png"


def test_map_stays_within_the_viewers_scope(client, tree, october_cases, placed, township_cadre):
    client.force_login(township_cadre)
    response = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"})
    points = _charts(response)["map"]["points"]
    assert [(p["name"], p["value"]) for p in points] == [("黄土铺镇", 3.0)]
    assert "白地市镇" not in json.dumps(_charts(response), ensure_ascii=False)
    assert 'id="stats-map"' in response.content.decode()


def test_no_map_without_places(client, tree, october_cases, county_cadre):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"})
    assert _charts(response)["map"] is None
    html = response.content.decode()
    assert 'id="stats-map"' not in html and "leaflet" not in html


# --- the compact table -----------------------------------------------------------------------


def test_table_shows_the_lead_columns_by_default_and_exports_all(
    client, tree, october_cases, county_cadre
):
    board = _board(county_cadre, tree.county)
    assert [c.label for c in board.default_columns] == [
        "受理诉求",
        "办结诉求",
        "按期办结率(%)",
        "满意率(%)",
    ]
    assert len(board.columns) > 20

    client.force_login(county_cadre)
    html = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"}).content.decode()
    picker = html.split('data-testid="column-picker"')[1].split("</details>")[0]
    assert 'data-storage="huigong.stats.columns.cases"' in picker
    checked = re.findall(r'value="([^"]+)" data-index="\d+" checked', picker)
    assert checked == [
        "cases.received",
        "cases.resolved",
        "cases.resolved_on_time_rate",
        "cases.satisfaction_rate",
    ]
    # Every other column is hidden by one rule until picked (the 组织 column is the 1st).
    style = html.split('<style id="stats-columns-style">')[1].split("</style>")[0]
    hidden = [int(n) - 1 for n in re.findall(r"nth-child\((\d+)\)", style)]
    shown = [i for i in range(1, len(board.columns) + 1) if i not in hidden]
    assert [board.columns[i - 1].label for i in shown] == [c.label for c in board.default_columns]

    headers, _rows = board.table()
    assert headers == ["组织", *(c.label for c in board.columns)]
