"""Helpers for the browser journeys: signing in through the real forms, and the people
each journey needs (one in each sibling township)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse

from huigong.testing.factories import PersonFactory, make_id_number
from huigong.testing.fixtures import PASSWORD

RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Staff sign-in through /accounts/login/, as a person would do it."""
    page.goto(reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert reverse("accounts:login") not in page.url, page.inner_text("body")[:500]


def sign_in_worker(page, phone: str, password: str = PASSWORD) -> None:
    page.goto(reverse("portal:login"))
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert reverse("portal:login") not in page.url, page.inner_text("body")[:500]


def pick_organization(scope, label: str, typed: str, name: str) -> None:
    """Use a search-as-you-type organization picker: type part of the name, wait for the
    scoped suggestions and click the one called ``name``."""
    control = scope.get_by_role("combobox", name=label)
    control.click()
    with scope.page.expect_response(
        lambda r: "/orgs/autocomplete/" in r.url and f"q={quote(typed)}" in r.url
    ):
        control.fill(typed)
    option = scope.locator(".ts-dropdown .option").filter(has_text=name).first
    option.click()
    assert name in scope.locator(".ts-control .item").first.inner_text()


def table_column(page, header: str) -> list[str]:
    """The texts of one column of the page's list table, by its header."""
    headers = [h.strip() for h in page.locator("table thead th").all_inner_texts()]
    index = headers.index(header) + 1
    return [
        t.strip() for t in page.locator(f"table tbody tr td:nth-child({index})").all_inner_texts()
    ]


@pytest.fixture
def people(tree):
    """王建国 in 黄土铺镇 (新发食品) and 李秀英 in 白地市镇 (流泉村), with known ID numbers."""
    return {
        "mine": PersonFactory(
            organization=tree.xinfa, name="王建国", id_number=make_id_number(seq=123)
        ),
        "theirs": PersonFactory(
            organization=tree.liuquan, name="李秀英", id_number=make_id_number(seq=456)
        ),
    }
