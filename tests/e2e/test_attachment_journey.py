"""Attachments in a real browser, against the live server: a worker submits a demand
with a photo on the portal and opens it again; the township station opens it from the
case page; a signed-out visitor and the sibling township get nothing, whatever URL they
try — the stored name has nothing of the original one."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse

from huigong.cases.models import Attachment
from huigong.cases.services import seed_categories
from huigong.common import workdays

from .conftest import sign_in, sign_in_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PHOTO_NAME = "欠条照片.png"


@pytest.fixture
def reference(tree):
    workdays.invalidate_years()
    workdays.seed_holidays()
    seed_categories()
    yield
    workdays.invalidate_years()


def new_page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    return context.new_page()


def test_photo_reaches_the_worker_and_the_township_only(
    browser_page, chromium, live_server, tree, worker, station_staff, sibling_cadre, reference
):
    # 1. The worker submits a demand with a photo and opens it from the case page.
    portal = browser_page
    sign_in_worker(portal, "13800000001")
    portal.goto(reverse("portal:case_submit"))
    portal.get_by_label("类别").select_option(label="欠薪")
    portal.get_by_label("具体情况").fill("新发食品拖欠我两个月工资,欠条照片附上。")
    portal.get_by_label("地点或就近服务站").fill("黄土铺镇职工服务站")
    portal.get_by_label("照片或材料").set_input_files(
        [{"name": PHOTO_NAME, "mimeType": "image/png", "buffer": PHOTO}]
    )
    portal.get_by_test_id("submit-case").click()
    portal.wait_for_load_state()
    link = portal.get_by_test_id("case-attachments").get_by_role("link", name=PHOTO_NAME)
    href = link.get_attribute("href")
    assert href == reverse("portal:case_attachment", args=[Attachment.objects.get().pk])
    response = portal.request.get(href)
    assert response.status == 200 and response.body() == PHOTO
    assert response.headers["content-type"] == "image/png"
    assert quote(PHOTO_NAME) in response.headers["content-disposition"]

    stored = Attachment.objects.get().file.name
    assert "欠条" not in stored and (Path(settings.PRIVATE_MEDIA_ROOT) / stored).exists()

    # 2. The township station opens it from the case page.
    staff = new_page(chromium, live_server)
    sign_in(staff, "station")
    staff.goto(reverse("cases:detail", args=[Attachment.objects.get().case_id]))
    staff_href = (
        staff.get_by_test_id("case-attachments")
        .get_by_role("link", name=PHOTO_NAME)
        .get_attribute("href")
    )
    response = staff.request.get(staff_href)
    assert response.status == 200 and response.body() == PHOTO

    # 3. Signed out, or in the sibling township: no URL gives the file.
    guesses = [
        f"/media/cases/{stored[6:13]}/{quote(PHOTO_NAME)}",
        f"/media/{stored}",
        f"/private/{stored}",
        f"/_protected/{stored}",
        staff_href,
        href,
    ]
    anonymous = new_page(chromium, live_server)
    sibling = new_page(chromium, live_server)
    sign_in(sibling, "baidishi")
    for page in (anonymous, sibling):
        for url in guesses:
            response = page.request.get(url, max_redirects=0)
            assert response.status in (302, 403, 404), (url, response.status)
            assert PHOTO not in response.body()
