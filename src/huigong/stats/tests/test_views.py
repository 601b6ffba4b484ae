"""The dashboard page and its Excel export: access, scope, parameters, content, queries."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from huigong.kernel.periods import Period, PeriodUnit
from huigong.stats.models import IndicatorSnapshot
from huigong.stats.rollups import rollup_indicators
from huigong.testing.factories import OrganizationFactory, PersonFactory, UserFactory, give_role

from .conftest import aware

DASHBOARD = reverse("stats:dashboard")
EXPORT = reverse("stats:export")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _sheet(response) -> list[list]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_anonymous_is_sent_to_sign_in(client, tree, persons):
    for url in (DASHBOARD, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_worker_is_sent_to_the_portal(client, worker, persons):
    client.force_login(worker)
    for url in (DASHBOARD, EXPORT):
        response = client.get(url, {"org": worker.person.organization_id})
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:home")
    assert not IndicatorSnapshot.objects.exists()


def test_staff_without_any_role_sees_an_explanation(client, tree, persons):
    client.force_login(UserFactory(username="nobody"))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "您还没有统计范围" in response.content.decode()
    assert "board" not in response.context
    assert _sheet(client.get(EXPORT)) == [["组织"]]


def test_township_cadre_dashboard_shows_own_figures_only(client, tree, persons, township_cadre):
    client.force_login(township_cadre)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["org"] == tree.huangtupu
    board = response.context["board"]
    cards = {c.indicator.key: c.value for c in board.cards}
    assert cards["people.registered"] == 4
    assert cards["people.new_form"] == 1
    html = response.content.decode()
    assert "新发食品有限公司工会" in html
    for sibling_name in ("白地市镇", "流泉村"):
        assert sibling_name not in html
    assert f"?org={tree.xinfa.pk}&amp;period=" in html  # the child links to its dashboard
    assert 'id="stats-charts"' in html and "vendor/echarts/echarts.min.js" in html


def test_out_of_scope_or_malformed_org_is_404(client, tree, persons, township_cadre):
    client.force_login(township_cadre)
    for org in (tree.baidishi.pk, tree.liuquan.pk, tree.county.pk, 999999, "abc", "1 OR 1=1"):
        assert client.get(DASHBOARD, {"org": org}).status_code == 404
        assert client.get(EXPORT, {"org": org}).status_code == 404


def test_county_cadre_drills_down_to_a_township(client, tree, persons, county_cadre):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD)
    assert response.context["org"] == tree.county
    rows = {r.label: r for r in response.context["board"].rows}
    assert set(rows) == {"黄土铺镇工会联合会", "白地市镇工会联合会", "祁东县总工会(本级)"}

    response = client.get(DASHBOARD, {"org": tree.baidishi.pk})
    assert response.status_code == 200
    board = response.context["board"]
    assert [r.label for r in board.rows] == ["流泉村工会", "白地市镇工会联合会(本级)"]
    assert [c.name for c in response.context["breadcrumbs"]] == [
        "祁东县总工会",
        "白地市镇工会联合会",
    ]


def test_user_with_several_subtrees_picks_one(client, tree, persons, township_cadre):
    give_role(township_cadre, "township_cadre", tree.baidishi)
    client.force_login(township_cadre)
    response = client.get(DASHBOARD)
    assert response.context["roots"] == [tree.huangtupu, tree.baidishi]
    assert response.context["org"] == tree.huangtupu  # the first by default
    assert 'data-testid="root-picker"' in response.content.decode()
    response = client.get(DASHBOARD, {"org": tree.baidishi.pk})
    assert response.context["active_root"] == tree.baidishi
    assert {c.indicator.key: c.value for c in response.context["board"].cards}[
        "people.registered"
    ] == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2026-13"}, "月份应在 1 到 12 之间"),
        ({"period": "<script>"}, "无法识别的统计周期"),
        ({"period": "2999"}, "还没有开始"),
        ({"unit": "week"}, "无法识别的统计口径"),
    ],
)
def test_bad_period_parameters_fall_back_with_a_message(
    client, tree, persons, county_cadre, params, message
):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    notes = _messages(response)
    assert len(notes) == 1 and message in notes[0]
    assert response.context["period"].unit == "month"
    assert {c.indicator.key: c.value for c in response.context["board"].cards}[
        "people.registered"
    ] == 6
    if "script" in params.get("period", ""):
        assert "“&lt;script&gt;”" in response.content.decode()  # echoed escaped only


def test_period_choice_is_applied(client, tree, persons, county_cadre):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD, {"period": "2025"})
    assert response.context["period"].key == "2025"
    cards = {c.indicator.key: c.value for c in response.context["board"].cards}
    # Everyone registered today, so nobody existed at the end of 2025.
    assert cards["people.registered"] == 0 and cards["people.new_registrations"] == 0
    response = client.get(DASHBOARD, {"unit": "quarter"})
    assert response.context["period"].unit == "quarter"
    assert [p.unit for p in response.context["period_options"]] == ["quarter"] * 8


def test_export_is_exactly_the_table_shown(client, tree, persons, county_cadre):
    client.force_login(county_cadre)
    page = client.get(DASHBOARD, {"org": tree.county.pk})
    headers, rows = page.context["board"].table()
    response = client.get(EXPORT, {"org": tree.county.pk})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = _sheet(response)
    assert sheet[0] == headers
    assert sheet[1:] == rows
    assert sheet[0][:4] == ["组织", "工会组织", "工会组织·县(区)总工会", "工会组织·乡镇(街道)工会"]
    by_name = {row[0]: dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]}
    assert by_name["黄土铺镇工会联合会"]["登记职工"] == 4
    assert by_name["白地市镇工会联合会"]["新就业形态劳动者"] == 1
    assert by_name["合计"]["登记职工"] == 6
    assert by_name["合计"]["基层工会·企业"] == 1


def test_township_export_contains_no_sibling_rows(client, tree, persons, township_cadre):
    client.force_login(township_cadre)
    sheet = _sheet(client.get(EXPORT, {"period": "bad"}))
    names = [row[0] for row in sheet[1:]]
    assert names == ["新发食品有限公司工会", "黄土铺镇工会联合会(本级)", "合计"]
    assert not any("白地市" in str(cell) or "流泉" in str(cell) for row in sheet for cell in row)


def _county_with_townships(tree, count: int):
    for i in range(count):
        town = OrganizationFactory.child(tree.county, name=f"测试镇{i}", kind="township")
        union = OrganizationFactory.child(
            town, name=f"测试企业{i}工会", kind="grassroots", category="enterprise"
        )
        PersonFactory(organization=union, name=f"职工{i}")


def test_dashboard_says_how_fresh_its_figures_are(client, tree, persons, county_cadre, settings):
    from django.utils import timezone

    client.force_login(county_cadre)
    html = client.get(DASHBOARD).content.decode()
    assert '<span data-testid="freshness" data-source="live"' in html and ">实时</span>" in html
    settings.STATS_LIVE_MAX_ROWS = 0
    run = rollup_indicators()
    response = client.get(DASHBOARD)
    assert response.context["board"].source == "snapshot"
    shown = timezone.localtime(run.as_of).strftime("%H:%M")  # today: the time only
    html = response.content.decode()
    assert 'data-source="snapshot"' in html and f"数据更新于 {shown}</span>" in html
    # A closed period's final snapshots were taken another day: the date is shown too.
    october = Period(PeriodUnit.MONTH, 2026, 10)
    rollup_indicators([october, october.previous()], now=aware(2026, 11, 1, 2, 5))
    html = client.get(DASHBOARD, {"period": "2026-10"}).content.decode()
    assert "数据更新于 2026-11-01 02:05</span>" in html


@pytest.mark.parametrize(
    ("language", "cells"),
    [("zh-hans", ["1234567", "—", "66.7"]), ("en", ["1,234,567", "—", "66.7"])],
)
def test_figures_are_written_as_intcomma_writes_them(language, cells):
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from huigong.stats.services import Row
    from huigong.stats.templatetags.stats_figures import figure, figure_cells

    values = [0, 7, -4321, 1234567, Decimal("1234.5"), Decimal("-12345678.25")]
    row = Row("新发食品", [1234567, None, Decimal("66.7")], places=[None, 1, 1])
    with translation.override(language):
        assert [figure(v) for v in values] == [intcomma(v) for v in values]
        assert figure_cells(row) == "".join(f'<td class="text-end">{c}</td>' for c in cells)


def _dashboard_queries(client, org, section) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DASHBOARD, {"org": org.pk, "section": section})
    assert response.status_code == 200
    assert response.context["board"].section.key == section
    return len(ctx.captured_queries), response


#: Queries of a dashboard page besides one per base indicator of its section: session,
#: user, scope and permissions, the organization, roots, breadcrumbs, children, their
#: measured sizes, the menu (15 today, with a little room for the page shell).
PAGE_OVERHEAD = 18


@pytest.mark.parametrize("section", ["organization", "cases"])
def test_dashboard_query_count_does_not_grow_with_children(
    client, tree, persons, county_cadre, django_assert_max_num_queries, section
):
    client.force_login(county_cadre)
    client.get(DASHBOARD)  # warm-up: session and first-request caches
    few, _response = _dashboard_queries(client, tree.county, section)
    _county_with_townships(tree, 15)
    many, response = _dashboard_queries(client, tree.county, section)
    board = response.context["board"]
    assert len([r for r in [*board.rows, *board.folded] if r.org]) == 2 + 15
    assert many == few, (few, many)
    # One query per base indicator the section reads (ratios cost none), one per base
    # indicator of the trend, the map's places and the categories' order.
    limit = PAGE_OVERHEAD + len(_base_keys(board)) + len(_base_keys_of(board.lead_cards)) + 2
    print(f"dashboard queries ({section}): {few}, limit {limit}")
    with django_assert_max_num_queries(limit):
        client.get(DASHBOARD, {"org": tree.county.pk, "section": section})
    with django_assert_max_num_queries(limit):
        client.get(EXPORT, {"org": tree.county.pk, "section": section})


def _base_keys(board) -> set[str]:
    return _base_keys_of(board.indicators)


def _base_keys_of(items) -> set[str]:
    keys = set()
    for item in items:
        item = getattr(item, "indicator", item)
        keys |= set(item.components) if item.is_ratio else {item.key}
    return keys


# --- sections and ratios ---------------------------------------------------------------------


def test_dashboard_has_a_tab_per_section(client, tree, persons, county_cadre):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD, {"period": "2026-10"})
    board = response.context["board"]
    assert [s.key for s in board.sections][:2] == ["organization", "cases"]
    assert board.section.key == "organization"  # the first by default
    html = response.content.decode()
    assert 'data-testid="sections"' in html
    assert f'href="?org={tree.county.pk}&amp;period=2026-10&amp;section=cases"' in html
    assert 'data-testid="card-people.registered"' in html
    assert 'data-testid="card-cases.received"' not in html
    # Links that keep the page (children, units, export) keep the section too.
    response = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"})
    html = response.content.decode()
    assert response.context["board"].section.key == "cases"
    assert f"?org={tree.huangtupu.pk}&amp;period=2026-10&amp;section=cases" in html
    assert "&amp;unit=quarter&amp;period=current&amp;section=cases" in html
    assert "export.xlsx?org=" in html and "section=cases" in response.context["query"]
    assert 'data-testid="card-people.registered"' not in html
    lead = {c.indicator.key for c in response.context["board"].lead_cards}
    assert {s["key"] for s in response.context["charts"]["trend"]["series"]} == lead


def test_cases_tab_shows_rates_as_percentages(client, tree, october_cases, county_cadre):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"})
    html = response.content.decode()
    card = html.split('data-testid="card-cases.accepted_on_time_rate"')[1].split("</ul>")[0]
    assert '<span data-testid="value">66.7</span>' in card and "%" in card
    assert "较上月 -33.3 个百分点" in " ".join(card.split())
    assert "1 个工作日内受理:2" in card and "已受理诉求:3" in card
    days = html.split('data-testid="card-cases.resolve_working_days_avg"')[1].split("</ul>")[0]
    assert '<span data-testid="value">4.5</span>' in days
    assert "较上月 +1.5 工作日" in " ".join(days.split()) and "text-danger" in days
    # Raw numerators and denominators: no card, but columns of the drill-down table.
    for key in ("cases.accepted", "cases.accepted_on_time", "cases.rated", "cases.satisfied"):
        assert f'data-testid="card-{key}"' not in html
    table = html.split('data-testid="drilldown"')[1]
    assert 'data-column="cases.accepted">已受理诉求</th>' in table
    assert 'data-column="cases.satisfaction_rate">满意率(%)</th>' in table
    assert '<td class="text-end">—</td>' in table  # 白地市镇 has no denominator


@pytest.mark.parametrize("value", ["nope", "<script>", "people"])
def test_bad_section_falls_back_with_a_message(client, tree, persons, county_cadre, value):
    client.force_login(county_cadre)
    response = client.get(DASHBOARD, {"section": value})
    assert response.status_code == 200
    assert response.context["board"].section.key == "organization"
    notes = _messages(response)
    assert len(notes) == 1 and "没有可查看的统计分类" in notes[0] and "组织与职工" in notes[0]
    if value == "<script>":
        assert "“&lt;script&gt;”" in response.content.decode()
    assert _sheet(client.get(EXPORT, {"section": value}))[0][1] == "工会组织"


def test_sections_follow_the_viewers_permissions(client, tree, october_cases, roles):
    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    client.force_login(hr)
    response = client.get(DASHBOARD, {"section": "cases", "period": "2026-10"})
    assert response.status_code == 200
    board = response.context["board"]
    assert [s.key for s in board.sections] == ["organization"]
    assert board.section.key == "organization"
    assert len(_messages(response)) == 1
    html = response.content.decode()
    assert 'data-testid="section-cases"' not in html and "诉求" not in html
    sheet = _sheet(client.get(EXPORT, {"section": "cases", "period": "2026-10"}))
    assert not any("诉求" in str(cell) or "率" in str(cell) for cell in sheet[0])


def test_export_follows_the_section(client, tree, october_cases, county_cadre):
    client.force_login(county_cadre)
    params = {"org": tree.county.pk, "period": "2026-10", "section": "cases"}
    page = client.get(DASHBOARD, params)
    response = client.get(EXPORT, params)
    assert "%E8%AF%89%E6%B1%82%E5%8A%9E%E7%90%86" in response["Content-Disposition"]  # 诉求办理
    sheet = _sheet(response)
    headers, rows = page.context["board"].table()
    assert sheet[0] == headers
    assert sheet[1:] == [[float(v) if isinstance(v, Decimal) else v for v in r] for r in rows]
    assert sheet[0][:2] == ["组织", "受理诉求"]
    assert "工会组织" not in sheet[0]
    by_name = {row[0]: dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]}
    assert by_name["黄土铺镇工会联合会"]["1 个工作日内受理率(%)"] == 66.7
    assert by_name["黄土铺镇工会联合会"]["已受理诉求"] == 3  # the counts behind the rate
    assert by_name["黄土铺镇工会联合会"]["1 个工作日内受理"] == 2
    assert by_name["白地市镇工会联合会"]["1 个工作日内受理率(%)"] == "—"
    assert by_name["合计"]["平均办结工作日(工作日)"] == 4.5
    assert by_name["合计"]["按期办结率(%)"] == 50.0
    assert by_name["合计"]["满意率(%)"] == 50.0


def test_sections_and_rates_in_english(client, tree, october_cases, county_cadre):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(county_cadre)
    html = client.get(DASHBOARD, {"period": "2026-10", "section": "cases"}).content.decode()
    assert "Organizations and workers" in html and "Worker demands" in html
    assert "Satisfaction rate" in html and "percentage points" in html
    assert "Worker demands · by sub-organization" in html
    response = client.get(DASHBOARD, {"section": "nope"})
    assert "There is no statistics section “nope” you may view" in _messages(response)[0]
