"""The worker sign-up journey in a real browser at phone width (360 px)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huigong.accounts.models import User
from huigong.accounts.tests.helpers import STRONG_PASSWORD, code_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_worker_signs_up_on_a_phone(browser_page, tree, outbox):
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("portal:home"))
    page.get_by_test_id("signup-link").click()
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("姓名").fill("周小梅")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_load_state()

    button = page.get_by_test_id("send-code")
    assert button.is_disabled()  # counting down to the next allowed request
    assert "验证码已发送至 139****5678" in page.inner_text("body")
    assert page.get_by_label("姓名").input_value() == "周小梅"
    assert _overflow(page) <= 0

    page.get_by_label("短信验证码").fill(code_sent_to(PHONE))
    page.get_by_label("所在乡镇(街道)工会").select_option(label="黄土铺镇工会联合会")
    page.get_by_label("设置密码").fill(STRONG_PASSWORD)
    page.get_by_label("确认密码").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="注册", exact=True).last.click()
    page.wait_for_load_state()

    assert page.url.endswith(reverse("portal:me"))
    body = page.inner_text("body")
    assert "注册成功" in body and "139****5678" in body and "黄土铺镇工会联合会" in body
    assert _overflow(page) <= 0
    assert User.objects.get(kind="worker").person.organization == tree.huangtupu
    assert page.problems == []


def test_enter_key_submits_the_form_not_the_code_request(browser_page, tree, outbox):
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("portal:signup"))
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("姓名").fill("周小梅")
    page.get_by_label("姓名").press("Enter")
    page.wait_for_load_state()
    assert page.get_by_test_id("error-code").is_visible()
    assert not outbox
    assert page.problems == []
