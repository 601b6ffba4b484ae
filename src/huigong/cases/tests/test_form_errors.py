"""One submit, every problem: the workbench intake, the portal's demand form and the
case API report the empty required fields together with a bad ID number, phone, credit
code or amount, each in the message catalogue's specific Chinese."""

from __future__ import annotations

from django.urls import reverse

from huigong.cases.models import Case
from huigong.people.models import Person
from huigong.testing.factories import make_id_number

INTAKE = reverse("cases:intake")
SUBMIT = reverse("portal:case_submit")


def wrong_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def test_intake_reports_every_problem_in_one_response(login, station_staff, categories, tree):
    good = make_id_number()
    response = login(station_staff).post(
        INTAKE,
        {
            "organization": tree.huangtupu.pk,
            "channel": "walk_in",
            "kind": "rights",
            "category": "",
            "description": "",
            "complexity": "ordinary",
            "urgency": "normal",
            "new_name": "张小龙",
            "new_id_number": wrong_check_digit(make_id_number()),
            "new_phone": "139123",
            "employer_name": "某某物流公司",
            "employer_credit_code": "91110000600037341A",
            "amount_claimed": "-5",
            "more_applicants": f"李四 {good[:-2]}\n王五 {good} 12345\n只有名字",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["category"] == ["请选择类别"]
    assert errors["description"] == ["请填写诉求内容"]
    assert errors["new_id_number"] == ["身份证号码校验位不正确,请核对"]
    assert errors["new_phone"] == ["电话号码格式不正确:手机号为 11 位,固话需带区号"]
    assert errors["employer_credit_code"] == ["统一社会信用代码校验不通过,请核对"]
    assert errors["amount_claimed"] == ["金额不能为负数"]
    assert errors["more_applicants"] == [
        "第 1 行:身份证号码应为 18 位,当前为 16 位",
        "第 2 行:电话号码格式不正确:手机号为 11 位,固话需带区号",
        "第 3 行应为:姓名 身份证号码 手机号",
    ]
    body = response.content.decode()
    for text in ("请选择类别", "请填写诉求内容", "身份证号码校验位不正确", "第 2 行:电话号码"):
        assert text in body
    assert "这个字段是必填项" not in body
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_intake_credit_code_is_not_checked_when_a_unionised_employer_is_chosen(
    login, station_staff, categories, tree
):
    response = login(station_staff).post(
        INTAKE,
        {
            "organization": tree.huangtupu.pk,
            "description": "",
            "employer": tree.xinfa.pk,
            "employer_credit_code": "whatever",
        },
    )
    errors = response.context["form"].errors
    assert "employer_credit_code" not in errors
    assert errors["description"] == ["请填写诉求内容"]


def test_portal_submit_reports_every_problem_in_one_response(client, worker, categories):
    client.force_login(worker)
    response = client.post(
        SUBMIT, {"kind": "", "category": "", "description": "", "amount_claimed": "abc"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {
        "kind": ["请选择我要"],
        "category": ["请选择类别"],
        "description": ["请填写具体情况"],
        "amount_claimed": ["请填写有效的金额"],
    }
    assert not Case.objects.exists()


def test_portal_amount_with_three_decimals_is_named(client, worker, categories):
    client.force_login(worker)
    response = client.post(
        SUBMIT,
        {
            "kind": "demand",
            "category": categories["other"].pk,
            "description": "",
            "amount_claimed": "1.005",
        },
    )
    errors = response.context["form"].errors
    assert errors["amount_claimed"] == ["金额最多保留两位小数"]
    assert errors["description"] == ["请填写具体情况"]


# -- the API ----------------------------------------------------------------------------------


def test_api_staff_submission_reports_case_and_applicant_errors_together(
    api, station_staff, categories, tree
):
    response = api(station_staff).post(
        "/cases",
        {
            "organization_id": tree.huangtupu.pk,
            "kind": "rights",
            "category_id": categories["wage_arrears"].pk,
            "description": "",
            "employer_name": "某某物流公司",
            "employer_credit_code": "9111",
            "applicants": [
                {"name": "张小龙", "id_number": wrong_check_digit(make_id_number())},
                {"name": "李四", "id_number": make_id_number(), "phone": "12345"},
            ],
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    found = {(e["field"], e["type"], e["message"]) for e in body["errors"]}
    assert found == {
        ("description", "required", "请填写诉求内容"),
        ("employer_credit_code", "credit_code_length", "统一社会信用代码应为 18 位"),
        ("applicants.0.id_number", "id_checksum", "身份证号码校验位不正确,请核对"),
        (
            "applicants.1.phone",
            "phone_format",
            "电话号码格式不正确:手机号为 11 位,固话需带区号",
        ),
    }
    assert not Case.objects.exists()
    assert not Person.objects.exists()
