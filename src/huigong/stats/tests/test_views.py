"""The dashboard page and its Excel export: access, scope, parameters, content, queries."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from huigong.stats.models import IndicatorSnapshot
from huigong.testing.factories import OrganizationFactory, PersonFactory, UserFactory, give_role

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


def _dashboard_queries(client, org) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DASHBOARD, {"org": org.pk})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_dashboard_query_count_does_not_grow_with_children(
    client, tree, persons, county_cadre, django_assert_max_num_queries
):
    client.force_login(county_cadre)
    client.get(DASHBOARD)  # warm-up: session and first-request caches
    few, _response = _dashboard_queries(client, tree.county)
    _county_with_townships(tree, 15)
    many, response = _dashboard_queries(client, tree.county)
    assert len(response.context["board"].rows) == 2 + 15 + 1
    assert many == few, (few, many)
    print(f"dashboard queries: {few}")
    with django_assert_max_num_queries(25):
        client.get(DASHBOARD, {"org": tree.county.pk})
    with django_assert_max_num_queries(25):
        client.get(EXPORT, {"org": tree.county.pk})
