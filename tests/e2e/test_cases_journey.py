"""The demand journey of issue 3 in a real browser: a worker submits on the portal → the
township station sees it in "awaiting my acceptance" → accepts, refers to 劳动监察,
records the reply, resolves with an amount recovered → the worker rates it → the county
dashboard counts it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huigong.cases.models import Case, CaseStatus
from huigong.cases.services import seed_categories
from huigong.common import workdays
from huigong.partners.models import Department, DepartmentKind

from .conftest import RESULTS_DIR, sign_in, sign_in_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def reference(tree):
    workdays.invalidate_years()
    workdays.seed_holidays()
    seed_categories()
    yield Department.objects.create(
        organization=tree.county,
        name="祁东县劳动保障监察大队",
        kind=DepartmentKind.LABOUR_INSPECTION,
        response_days=5,
    )
    workdays.invalidate_years()


def new_page(chromium, live_server, width=1280, height=900):
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.problems = problems
    return page


def test_worker_demand_to_county_dashboard(
    browser_page, chromium, live_server, tree, worker, station_staff, county_cadre, reference
):
    # 1. The worker submits a demand on the portal, at phone width.
    portal = browser_page
    portal.set_viewport_size(PHONE)
    sign_in_worker(portal, "13800000001")
    portal.goto(reverse("portal:home"))
    portal.get_by_test_id("tile-case_submit").click()
    portal.get_by_label("类别").select_option(label="欠薪")
    portal.get_by_label("具体情况").fill("新发食品拖欠我和工友两个月工资,共 8000 元。")
    portal.get_by_label("地点或就近服务站").fill("黄土铺镇职工服务站")
    portal.get_by_test_id("submit-case").click()
    portal.wait_for_load_state()
    number = portal.get_by_test_id("case-number").inner_text().split(" · ")[0].strip()
    assert re.fullmatch(r"[A-Z]+-\d{4}-\d{6}", number), number
    assert portal.get_by_test_id("case-status").inner_text() == "待受理"
    assert portal.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    RESULTS_DIR.mkdir(exist_ok=True)
    portal.screenshot(path=str(RESULTS_DIR / "portal-case-360.png"), full_page=True)

    # 2. The township station sees it in "awaiting my acceptance" and handles it.
    staff = new_page(chromium, live_server)
    sign_in(staff, "station")
    staff.goto(reverse("cases:list"))
    staff.get_by_test_id("queue-awaiting").click()
    staff.wait_for_load_state()
    assert number in staff.get_by_test_id("case-table").inner_text()
    staff.get_by_role("link", name=number).click()
    staff.wait_for_load_state()
    assert "剩余" in staff.get_by_test_id("case-deadline").inner_text()

    staff.get_by_test_id("submit-accept").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("case-status").inner_text() == "办理中"

    staff.locator("#action-refer summary").click()
    staff.locator("#action-refer select").select_option(label="祁东县劳动保障监察大队")
    staff.locator("#action-refer textarea").fill("请劳动监察大队责令支付")
    staff.get_by_test_id("submit-refer").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("case-status").inner_text() == "转办待复"

    staff.locator("#action-reply summary").click()
    staff.locator("#action-reply input[name='reply-replied_by']").fill("李监察")
    staff.locator("#action-reply textarea").fill("已责令新发食品于本周支付全部工资")
    staff.get_by_test_id("submit-reply").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("case-status").inner_text() == "办理中"

    staff.locator("#action-resolve summary").click()
    staff.locator("#action-resolve select").select_option(label="诉求得到解决")
    staff.locator("#action-resolve textarea").fill("单位已支付拖欠工资 8000 元")
    staff.locator("#action-resolve input[name='resolve-amount_recovered']").fill("8000")
    staff.locator("#action-resolve input[name='resolve-workers_benefited']").fill("2")
    staff.get_by_test_id("submit-resolve").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("case-status").inner_text() == "已办结"
    assert staff.get_by_test_id("amount-recovered").inner_text() == "8000.00"
    assert staff.problems == []

    # 3. The worker is asked for satisfaction and rates it.
    portal.reload()
    assert "已办结" in portal.get_by_test_id("case-status").inner_text()
    portal.get_by_test_id("rate-form").get_by_text("满意", exact=True).click()
    portal.get_by_test_id("submit-rating").click()
    portal.wait_for_load_state()
    assert "您的评价:满意" in portal.get_by_test_id("case-result").inner_text()
    timeline = portal.get_by_test_id("case-timeline").inner_text()
    for label in ("登记受理", "受理", "转办", "部门答复", "办结", "满意度评价"):
        assert label in timeline
    assert "请劳动监察大队责令支付" not in portal.content()  # staff note stays internal

    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.RESOLVED and case.satisfaction == "satisfied"

    # 4. The county dashboard counts it.
    county = new_page(chromium, live_server)
    sign_in(county, "county")
    county.goto(reverse("stats:dashboard") + "?section=cases")
    county.wait_for_load_state()
    received = county.get_by_test_id("card-cases.received").get_by_test_id("value").inner_text()
    assert received == "1"
    recovered = county.get_by_test_id("card-cases.amount_recovered")
    assert recovered.get_by_test_id("value").inner_text().replace(",", "").startswith("8000")
    assert county.problems == []
    assert portal.problems == []
    for extra in (staff, county):
        extra.context.close()
