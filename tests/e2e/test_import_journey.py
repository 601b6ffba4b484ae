"""A township cadre imports a roster: from the people list to the upload page, the check
with its row errors, the confirmation and the result — at desktop and phone width, with
screenshots in test-results/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huigong.people.models import Person
from huigong.testing.factories import make_id_number

from .conftest import RESULTS_DIR, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORG = "新发食品有限公司工会"


def roster(tmp_path):
    lines = [
        "姓名,身份证号码,所属工会,手机号",
        f"周建华,{make_id_number(seq=31)},{ORG},13800000031",
        f"吴丽,{make_id_number(seq=32)},{ORG},",
        f"错号码,430426199001010000,{ORG},",
        f"外镇人,{make_id_number(seq=33)},流泉村工会,",
    ]
    path = tmp_path / "黄土铺镇职工.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("width,height,label", [(1366, 900, "desktop"), (360, 740, "phone")])
def test_import_a_roster(browser_page, tree, township_cadre, tmp_path, width, height, label):
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "huangtupu")
    page.goto(reverse("people:list"))
    page.get_by_role("link", name="从 Excel 导入").click()
    page.wait_for_url("**/imports/people.person/")
    page.set_input_files("input[type=file]", str(roster(tmp_path)))
    page.get_by_role("button", name="上传并检查").click()
    status = page.get_by_test_id("import-status")
    status.wait_for()
    page.wait_for_selector('[data-state="checked"]')
    assert page.get_by_test_id("valid-rows").inner_text() == "2"
    assert page.get_by_test_id("error-rows").inner_text() == "2"
    errors = page.get_by_test_id("row-errors").inner_text()
    assert "第 4 行“身份证号码”:身份证号码校验位不正确" in errors
    assert "第 5 行“所属工会”" in errors  # outside the township's scope
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / f"import-checked-{label}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.get_by_test_id("confirm-import").click()
    page.wait_for_selector('[data-state="done"]')
    assert page.get_by_test_id("imported-rows").inner_text() == "2"
    assert "导入完成:已导入 2 行" in page.inner_text("body")  # no broker: it ran at once
    page.screenshot(path=str(RESULTS_DIR / f"import-done-{label}.png"), full_page=True)
    assert set(Person.objects.values_list("name", flat=True)) == {"周建华", "吴丽"}
    assert page.problems == []
