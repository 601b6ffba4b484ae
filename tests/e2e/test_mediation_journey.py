"""The mediation journey in a real browser: a wage-arrears case of the worker, accepted by
the township → a mediator opens a mediation on the case page, sorts it, records a session
and an agreement, prints the agreement, records the follow-up and files it → the worker
sees the course and the agreement on the portal (not the minutes) and downloads it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from huigong.cases.models import CaseCategory, Mediation, MediationStatus
from huigong.cases.services import accept_case, seed_categories, submit_case
from huigong.common import workdays
from huigong.testing.factories import UserFactory, give_role

from .conftest import RESULTS_DIR, sign_in, sign_in_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
MINUTES = "内部记录:单位负责人承认拖欠,同意分两期支付,职工情绪稳定。"
TERMS = "新发食品有限公司于履行期限前一次性支付肖华清拖欠工资 6000 元。"
PLACE = "黄土铺镇职工服务站调解室"


@pytest.fixture
def case(tree, roles, worker, station_staff):
    workdays.invalidate_years()
    workdays.seed_holidays()
    seed_categories()
    case = submit_case(
        actor=worker,
        kind="rights",
        category=CaseCategory.objects.get(code="wage_arrears"),
        title="新发食品拖欠工资",
        description="新发食品拖欠我两个月工资,共 6000 元。",
        employer_name="新发食品有限公司",
        amount_claimed=Decimal("6000"),
    )
    yield accept_case(actor=station_staff, case=case)
    workdays.invalidate_years()


@pytest.fixture
def mediator(tree, roles):
    return give_role(
        UserFactory(username="mediator", name="调解员老李"), "mediator", tree.huangtupu
    )


def open_step(page, name: str):
    """The step's form on the mediation page, unfolded as a person would do it."""
    step = page.get_by_test_id(f"action-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    return step


def test_mediation_from_case_page_to_worker_portal(
    browser_page, chromium, live_server, tree, worker, case, mediator
):
    # 1. The mediator opens the case and takes it into mediation.
    staff = browser_page
    sign_in(staff, "mediator")
    staff.goto(reverse("cases:list"))
    staff.get_by_role("link", name=case.number).click()
    staff.wait_for_load_state()
    card = staff.get_by_test_id("mediation-card")
    card.get_by_text("申请调解", exact=True).click()
    card.get_by_label("被申请人(用人单位)").fill("新发食品有限公司")
    card.get_by_label("法定代表人或委托代理人").fill("张经理")
    card.get_by_label("申请调解事项").fill("追讨拖欠工资 6000 元")
    card.get_by_test_id("submit-mediation-open").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("mediation-status").inner_text() == "受理"
    number = staff.get_by_test_id("mediation-number").inner_text().strip()

    # 2. Sort it to the mediation team with the mediator.
    step = open_step(staff, "sort")
    step.get_by_label("调解队伍").select_option(label="劳动关系调解队")
    step.get_by_label("调解员老李").check()
    step.get_by_test_id("submit-sort").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("mediation-status").inner_text() == "分流"
    assert staff.get_by_test_id("mediators").inner_text() == "调解员老李"

    # 3. Record a session.
    held = timezone.localtime() - datetime.timedelta(hours=1)
    step = open_step(staff, "session")
    step.get_by_label("调解时间").fill(held.strftime("%Y-%m-%dT%H:%M"))
    step.get_by_label("地点").fill(PLACE)
    step.get_by_label("参加人员").fill("肖华清、张经理、调解员老李")
    step.get_by_label("调解笔录").fill(MINUTES)
    step.get_by_test_id("submit-session").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("mediation-status").inner_text() == "调解中"
    assert PLACE in staff.get_by_test_id("session-row").inner_text()

    # 4. Record the agreement.
    due = timezone.localdate() + datetime.timedelta(days=30)
    step = open_step(staff, "agreement")
    step.get_by_label("协议内容").fill(TERMS)
    step.get_by_label("协议金额(元)").fill("6000")
    step.get_by_label("履行期限").fill(due.isoformat())
    step.get_by_test_id("submit-agreement").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("mediation-status").inner_text() == "达成协议"
    assert staff.get_by_test_id("agreement-amount").inner_text() == "6000.00"
    assert staff.get_by_test_id("agreement-terms").inner_text() == TERMS

    # 5. Print the agreement from the staff page.
    pdf = staff.request.get(staff.get_by_test_id("agreement-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # 6. Follow up (performed) and file.
    step = open_step(staff, "follow_up")
    step.get_by_label("已履行").check()
    step.get_by_label("履行日期").fill(timezone.localdate().isoformat())
    step.get_by_label("回访记录").fill("职工确认工资已到账")
    step.get_by_test_id("submit-follow_up").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("mediation-status").inner_text() == "已回访"
    assert staff.get_by_test_id("performed").inner_text().startswith("已履行")
    step = open_step(staff, "file")
    step.get_by_label("归档说明").fill("材料齐全,归档")
    step.get_by_test_id("submit-file").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("mediation-status").inner_text() == "已归档"
    assert "当前没有可办理的操作" in staff.get_by_test_id("mediation-actions").inner_text()
    timeline = staff.get_by_test_id("mediation-timeline").inner_text()
    for label in ("受理调解", "分流", "调解会", "达成调解协议", "回访", "归档"):
        assert label in timeline, label
    assert staff.problems == []

    # 7. The worker sees the mediation on their case at phone width, without the minutes.
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(10_000)
    portal = context.new_page()
    sign_in_worker(portal, "13800000001")
    portal.goto(reverse("portal:cases"))
    portal.get_by_test_id("my-case").filter(has_text=case.number).click()
    portal.wait_for_load_state()
    card = portal.get_by_test_id("case-mediation")
    assert number in card.inner_text()
    assert card.get_by_test_id("mediation-status").inner_text() == "已归档"
    assert PLACE in card.get_by_test_id("mediation-session").inner_text()
    agreement = card.get_by_test_id("mediation-agreement").inner_text()
    assert TERMS in agreement and "协议金额:6000.00 元" in agreement
    assert f"履行期限:{due.isoformat()}" in agreement
    assert "已履行" in card.get_by_test_id("mediation-performed").inner_text()
    page_text = portal.content()
    for secret in (MINUTES, "内部记录", "肖华清、张经理", "材料齐全", "职工确认工资已到账"):
        assert secret not in page_text, secret
    assert portal.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    RESULTS_DIR.mkdir(exist_ok=True)
    portal.screenshot(path=str(RESULTS_DIR / "portal-mediation-360.png"), full_page=True)

    link = card.get_by_test_id("mediation-pdf")
    href = link.get_attribute("href")
    assert href == reverse("portal:case_mediation_pdf", args=[Mediation.objects.get().pk])
    with portal.expect_response(lambda r: r.url.endswith(href)) as response_info:
        link.click()
    response = response_info.value
    assert response.ok and response.headers["content-type"] == "application/pdf"
    # Chromium shows the inline PDF in its viewer; fetch the bytes with the same cookies.
    assert portal.request.get(href).body().startswith(b"%PDF")
    context.close()

    # 8. What was stored.
    mediation = Mediation.objects.get(number=number)
    assert mediation.case_id == case.pk and mediation.status == MediationStatus.FILED
    assert mediation.agreement_amount == Decimal("6000.00")
    assert mediation.performance_due == due and mediation.performed == "yes"
    assert mediation.respondent_name == "新发食品有限公司"
    assert list(mediation.mediators.all()) == [mediator]
    session = mediation.sessions.get()
    assert session.place == PLACE and session.minutes == MINUTES
    kinds = list(
        case.events.filter(kind__startswith="mediation_")
        .order_by("time", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "mediation_opened",
        "mediation_sorted",
        "mediation_session",
        "mediation_agreement",
        "mediation_followed_up",
        "mediation_filed",
    ]
    assert all(e.actor == mediator for e in case.events.filter(kind__startswith="mediation_"))
    case.refresh_from_db()
    assert case.status == "accepted"
