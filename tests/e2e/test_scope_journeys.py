"""Browser journeys through the data scope: what a township cadre, a county cadre and a
station worker see after signing in through the real login form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import sign_in, table_column

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINE_ORGS = {"黄土铺镇工会联合会", "新发食品有限公司工会"}
THEIR_ORGS = {"白地市镇工会联合会", "流泉村工会"}


def test_township_cadre_sees_only_own_township(browser_page, tree, township_cadre, people):
    page = browser_page
    sign_in(page, "huangtupu")

    page.goto(reverse("orgs:list"))
    names = set(table_column(page, "名称"))
    assert names == MINE_ORGS
    body = page.inner_text("main, .page-body")
    assert not any(name in body for name in THEIR_ORGS)

    page.goto(reverse("people:list"))
    assert table_column(page, "姓名") == ["王建国"]
    assert "李秀英" not in page.inner_text("body")

    # A guessed address of a person in the sibling township is simply "not found".
    response = page.goto(reverse("people:detail", args=[people["theirs"].pk]))
    assert response.status == 404
    assert "未找到" in page.inner_text("body")
    assert "李秀英" not in page.content()

    assert page.problems == []


def test_county_cadre_sees_both_townships(browser_page, tree, county_cadre, people):
    page = browser_page
    sign_in(page, "county")

    page.goto(reverse("orgs:list"))
    assert set(table_column(page, "名称")) >= MINE_ORGS | THEIR_ORGS
    assert "衡阳市总工会" not in table_column(page, "名称")

    page.goto(reverse("people:list"))
    assert sorted(table_column(page, "姓名")) == ["李秀英", "王建国"]

    page.goto(reverse("people:detail", args=[people["theirs"].pk]))
    assert "李秀英" in page.inner_text("body")
    assert page.problems == []


def test_id_numbers_are_masked_without_the_reveal_permission(
    browser_page, tree, station_staff, people
):
    page = browser_page
    sign_in(page, "station")
    page.goto(reverse("people:list"))
    number = people["mine"].id_number
    masked = f"{'*' * 14}{number[-4:]}"
    assert table_column(page, "身份证号码") == [masked]
    assert number not in page.content()
    assert number[:6] not in page.content()  # nor the area code
    assert number[6:14] not in page.content()  # nor the birth date
    assert page.problems == []
