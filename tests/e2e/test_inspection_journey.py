"""The joint labour inspection journey in a real browser: a 黄土铺镇 cadre plans a campaign
with the county's 劳动监察, starts it, inspects 新发食品, records a finding, orders its
rectification in working days, records 12 contracts signed, opens a case from a second
finding and finishes the campaign; the sibling township cannot open it, the county lists
it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from huigong.cases.models import Case, Channel
from huigong.cases.services import seed_categories
from huigong.common import workdays
from huigong.inspections.models import (
    Inspection,
    InspectionFinding,
    InspectionStatus,
    RectificationOrder,
    RectificationStatus,
)
from huigong.partners.models import Department, DepartmentKind
from huigong.testing.factories import make_id_number

from .conftest import RESULTS_DIR, pick_organization, sign_in, table_column

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "黄土铺镇民营企业劳动用工联合执法检查"
FIRM = "新发食品有限公司工会"
DEPARTMENT = "祁东县劳动保障监察大队"


@pytest.fixture
def reference(tree):
    workdays.invalidate_years()
    workdays.seed_holidays()
    seed_categories()
    yield Department.objects.create(
        organization=tree.county,
        name=DEPARTMENT,
        kind=DepartmentKind.LABOUR_INSPECTION,
        response_days=5,
    )
    workdays.invalidate_years()


def new_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.problems = problems
    return page


def act(page, name: str):
    """Open the action card ``name`` on the campaign page and return it."""
    card = page.get_by_test_id(f"action-{name}")
    card.locator("summary").click()
    return card


def submit(page, name: str) -> None:
    page.get_by_test_id(f"submit-{name}").click()
    page.wait_for_load_state()


def test_township_inspection_campaign(
    browser_page,
    chromium,
    live_server,
    tree,
    township_cadre,
    sibling_cadre,
    county_cadre,
    reference,
):
    today = timezone.localdate()
    end = today + datetime.timedelta(days=30)
    page = browser_page
    sign_in(page, "huangtupu")

    # 1. Plan the campaign from the menu.
    page.get_by_test_id("nav").get_by_role("link", name="执法检查").click()
    page.wait_for_load_state()
    page.get_by_test_id("inspection-create-link").click()
    page.wait_for_load_state()
    form = page.get_by_test_id("inspection-form")
    pick_organization(form, "组织单位", "黄土铺", "黄土铺镇工会联合会")
    form.get_by_label("检查名称").fill(NAME)
    form.get_by_label("开始日期").fill(today.isoformat())
    form.get_by_label("结束日期").fill(end.isoformat())
    form.get_by_label(f"{DEPARTMENT}(人社/劳动监察)").check()
    form.get_by_label("检查内容").fill("劳动合同签订、社会保险缴纳、工资支付")
    page.get_by_test_id("submit-inspection").click()
    page.wait_for_load_state()
    assert "已创建执法检查计划" in page.inner_text("body")
    assert page.get_by_test_id("inspection-name").inner_text() == NAME
    assert page.get_by_test_id("inspection-status").inner_text() == "计划中"
    assert page.get_by_test_id("inspection-departments").inner_text() == DEPARTMENT
    assert page.get_by_test_id("inspection-period").inner_text() == (
        f"{today:%Y-%m-%d} ~ {end:%Y-%m-%d}"
    )

    # 2. Start it and add 新发食品 as a target.
    act(page, "start")
    submit(page, "start")
    assert page.get_by_test_id("inspection-status").inner_text() == "检查中"

    pick_organization(act(page, "target"), "已建会单位", "新发", FIRM)
    submit(page, "target")
    assert page.get_by_test_id("target-name").all_inner_texts() == [FIRM]

    # 3. A finding: 12 workers without labour contracts.
    card = act(page, "finding")
    card.get_by_label("检查对象").select_option(label=FIRM)
    card.get_by_label("问题类型").select_option(label="未签订劳动合同")
    card.get_by_label("涉及职工人数").fill("12")
    card.get_by_label("问题描述").fill("12 名职工入职超过一个月未签订书面劳动合同")
    submit(page, "finding")
    finding_row = page.get_by_test_id("finding-row")
    assert "未签订劳动合同" in finding_row.inner_text()
    assert "涉及 12 人" in finding_row.inner_text()

    # 4. A rectification order due in 10 working days.
    card = act(page, "order")
    card.get_by_label("发现问题").select_option(label=f"{FIRM}:未签订劳动合同")
    card.get_by_label("整改要求").fill("十个工作日内与全部职工补签劳动合同")
    card.get_by_label("整改期限(工作日)").fill("10")
    submit(page, "order")
    due = workdays.add_working_days(today, 10)
    order_row = page.get_by_test_id("order-row")
    assert page.get_by_test_id("order-status").inner_text() == "整改中"
    assert f"整改期限 {due:%Y-%m-%d}" in order_row.inner_text()
    assert page.get_by_test_id("order-deadline").inner_text() == "剩余 10 个工作日"

    # 5. The enterprise signs 12 contracts.
    card = act(page, "rectify")
    card.get_by_label("整改通知").select_option(label=f"{FIRM}:未签订劳动合同(期限 {due:%Y-%m-%d})")
    card.get_by_label("整改情况").fill("已与 12 名职工补签劳动合同")
    card.get_by_label("新签劳动合同(份)").fill("12")
    submit(page, "rectify")
    assert page.get_by_test_id("order-status").inner_text() == "已整改"
    assert "新签合同 12 份" in page.get_by_test_id("order-result").inner_text()
    campaign_url = page.url

    # 6. A second finding, wage arrears, becomes a case.
    card = act(page, "finding")
    card.get_by_label("检查对象").select_option(label=FIRM)
    card.get_by_label("问题类型").select_option(label="拖欠工资")
    card.get_by_label("涉及职工人数").fill("5")
    card.get_by_label("涉及金额(元)").fill("36000")
    card.get_by_label("问题描述").fill("拖欠 5 名职工两个月工资 3.6 万元")
    submit(page, "finding")
    assert page.get_by_test_id("finding-row").count() == 2

    card = act(page, "case")
    card.get_by_label("发现问题").select_option(label=f"{FIRM}:拖欠工资")
    card.get_by_label("职工代表姓名").fill("王建国")
    card.get_by_label("身份证号码").fill(make_id_number(seq=321))
    submit(page, "case")
    case = Case.objects.get()
    assert page.url.endswith(reverse("cases:detail", args=[case.pk]))
    assert page.get_by_test_id("case-number").inner_text() == case.number
    info = page.get_by_test_id("case-info").inner_text()
    assert "执法检查发现" in info
    assert "拖欠工资" in info

    # 7. Back on the campaign: the results card, then finish.
    page.goto(campaign_url)
    assert page.get_by_test_id("total-targets").inner_text() == "1"
    assert page.get_by_test_id("total-findings").inner_text() == "2"
    assert page.get_by_test_id("total-orders").inner_text() == "1"
    assert page.get_by_test_id("total-rectified").inner_text() == "1"
    assert page.get_by_test_id("total-contracts").inner_text() == "12"
    assert page.get_by_test_id("total-cases").inner_text() == "1"
    assert f"已立案 {case.number}" in page.get_by_test_id("finding-case").inner_text()

    act(page, "finish").get_by_label("检查总结").fill("检查 1 家企业,补签劳动合同 12 份")
    submit(page, "finish")
    assert page.get_by_test_id("inspection-status").inner_text() == "已结束"
    assert "补签劳动合同 12 份" in page.get_by_test_id("inspection-summary").inner_text()
    timeline = page.get_by_test_id("inspection-timeline").inner_text()
    for label in (
        "制定检查计划",
        "开始检查",
        "添加检查对象",
        "登记发现问题",
        "下达整改通知",
        "整改到位",
        "立案转办",
        "结束检查",
    ):
        assert label in timeline
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "inspection-journey.png"), full_page=True)
    assert page.problems == []

    # 8. The sibling township gets "not found"; the county lists the campaign.
    sibling = new_page(chromium, live_server)
    sign_in(sibling, "baidishi")
    response = sibling.goto(campaign_url)
    assert response.status == 404
    assert "未找到" in sibling.inner_text("body")
    assert NAME not in sibling.content()

    county = new_page(chromium, live_server)
    sign_in(county, "county")
    county.get_by_test_id("nav").get_by_role("link", name="执法检查").click()
    county.wait_for_load_state()
    assert table_column(county, "检查名称") == [NAME]
    assert table_column(county, "状态") == ["已结束"]
    assert table_column(county, "新签劳动合同") == ["12"]
    assert sibling.problems == [] and county.problems == []
    for extra in (sibling, county):
        extra.context.close()

    # 9. What was stored.
    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.FINISHED
    assert inspection.organization == tree.huangtupu
    assert list(inspection.departments.values_list("name", flat=True)) == [DEPARTMENT]
    target = inspection.targets.get()
    assert target.organization == tree.xinfa
    no_contract, arrears = InspectionFinding.objects.filter(target=target).order_by("id")
    assert (no_contract.kind, no_contract.workers_affected) == ("no_contract", 12)
    assert no_contract.case is None
    assert (arrears.kind, arrears.case) == ("wage_arrears", case)
    order = RectificationOrder.objects.get()
    assert order.finding == no_contract
    assert order.due_date == due
    assert order.status == RectificationStatus.RECTIFIED
    assert order.contracts_signed == 12
    assert case.channel == Channel.INSPECTION
    assert case.organization == tree.huangtupu
    assert case.employer == tree.xinfa
