"""Being told, in a real browser: a worker submits a demand at phone size; the station
clerk's bell shows it, she opens it from the notification centre and accepts the case;
the worker's 消息 tab shows both steps in plain words, and the SMS and WeChat doubles
received exactly one message per step. Screenshots of the inbox (Chinese and English)
and of the bell go to test-results/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huigong.accounts import sms
from huigong.kernel import channels
from huigong.kernel.models import NotificationPreference

from .conftest import RESULTS_DIR, sign_in, sign_in_worker
from .test_cases_journey import PHONE, new_page, reference  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_and_clerk_are_told(
    browser_page,
    chromium,
    live_server,
    tree,
    worker,
    station_staff,
    reference,  # noqa: F811
):
    # Both channels, no quiet hours (the run may fall at night).
    NotificationPreference.objects.create(
        user=worker, channels=["sms", "wechat"], wechat_openid="o-xiao"
    )
    sms.outbox.clear()
    channels.wechat_outbox.clear()
    RESULTS_DIR.mkdir(exist_ok=True)

    portal = browser_page
    portal.set_viewport_size(PHONE)
    sign_in_worker(portal, "13800000001")
    portal.goto(reverse("portal:home"))
    portal.get_by_test_id("tile-case_submit").click()
    portal.get_by_label("类别").select_option(label="欠薪")
    portal.get_by_label("具体情况").fill("新发食品拖欠两个月工资,共 5600 元。")
    portal.get_by_label("地点或就近服务站").fill("黄土铺镇职工服务站")
    portal.get_by_test_id("submit-case").click()
    portal.wait_for_load_state()
    number = portal.get_by_test_id("case-number").inner_text().split(" · ")[0].strip()
    # The receipt: one SMS and one WeChat message, and an unread badge on 消息.
    assert [text.split(":")[0] for _, text in sms.outbox] == ["【惠工】诉求已登记"]
    assert [m.title for _, m in channels.wechat_outbox] == ["诉求已登记"]
    assert portal.get_by_test_id("inbox-count").inner_text().startswith("1")

    # The clerk's bell counts the case awaiting acceptance; the centre leads to it.
    staff = new_page(chromium, live_server, width=1366, height=900)
    sign_in(staff, "station")
    assert staff.get_by_test_id("bell-count").inner_text() == "1"
    staff.get_by_test_id("bell").click()
    staff.wait_for_load_state()
    staff.screenshot(path=str(RESULTS_DIR / "inbox-staff-1366.png"), full_page=True)
    assert number in staff.get_by_test_id("inbox").inner_text()
    staff.get_by_test_id("inbox-item").first.click()
    staff.wait_for_load_state()
    assert number in staff.get_by_test_id("case-number").inner_text()
    assert staff.get_by_test_id("bell-count").count() == 0  # read
    staff.get_by_test_id("submit-accept").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("case-status").inner_text() == "办理中"

    # The worker's inbox holds both steps, newest first, in plain words.
    portal.get_by_test_id("inbox-tab").click()
    portal.wait_for_load_state()
    items = portal.get_by_test_id("inbox-item").all_inner_texts()
    assert portal.locator(".inbox-title").all_inner_texts() == ["诉求已受理", "诉求已登记"]
    assert "黄土铺镇" in items[0] and number in items[0]
    assert portal.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    portal.screenshot(path=str(RESULTS_DIR / "inbox-portal-360.png"), full_page=True)
    assert len(sms.outbox) == 2 and len(channels.wechat_outbox) == 2

    # Opening a message leads to the case and marks it read.
    portal.get_by_test_id("inbox-item").first.click()
    portal.wait_for_load_state()
    assert portal.url.endswith(reverse("portal:case_detail", args=[_case_pk(number)]))

    # The same inbox in English.
    portal.goto(reverse("portal:inbox"))
    portal.get_by_role("button", name="English").click()
    portal.wait_for_load_state()
    assert portal.locator(".inbox-title").all_inner_texts()[0] == "Demand accepted"
    portal.screenshot(path=str(RESULTS_DIR / "inbox-portal-360-en.png"), full_page=True)
    assert not portal.problems and not staff.problems


def _case_pk(number: str) -> int:
    from huigong.cases.models import Case

    return Case.objects.get(number=number).pk
