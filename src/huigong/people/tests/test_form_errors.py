"""One submit, every problem: the person and household forms and the persons API report
an empty required field together with a bad ID number, phone or credit code and a
duplicate, each in the message catalogue's specific Chinese wording."""

from __future__ import annotations

import datetime

from django.urls import reverse

from huigong.people.models import HouseholdMember, Person
from huigong.testing.factories import make_id_number

from .conftest import MINE_ID, THEIRS_ID
from .test_views import person_post


def wrong_check_digit(number: str) -> str:
    """``number`` with another check digit: 18 characters, but the checksum fails."""
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


NEW_ID = make_id_number(birth=datetime.date(1991, 1, 1), seq=321)


def test_register_form_shows_every_problem_at_once(tree, login, township_cadre):
    response = login(township_cadre).post(
        reverse("people:create"),
        person_post(
            tree.xinfa,
            name="",
            id_number=wrong_check_digit(NEW_ID),
            phone="12345",
            employer_name="某某物流公司",
            employer_credit_code="91110000600037341A",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写姓名"]
    assert errors["id_number"] == ["身份证号码校验位不正确,请核对"]
    assert errors["phone"] == ["电话号码格式不正确:手机号为 11 位,固话需带区号"]
    assert errors["employer_credit_code"] == ["统一社会信用代码校验不通过,请核对"]
    body = response.content.decode()
    for text in (
        "请填写姓名",
        "身份证号码校验位不正确",
        "电话号码格式不正确",
        "统一社会信用代码校验不通过",
    ):
        assert text in body
    assert "这个字段是必填项" not in body
    assert not Person.objects.exists()


def test_missing_fields_are_named_and_a_duplicate_shows_with_them(
    tree, login, township_cadre, theirs
):
    response = login(township_cadre).post(
        reverse("people:create"),
        person_post(tree.xinfa, organization="", name="", id_number=THEIRS_ID, phone="1391234"),
    )
    errors = response.context["form"].errors
    assert errors["organization"] == ["请选择所属工会"]
    assert errors["name"] == ["请填写姓名"]
    # The service's own rule (no second registration) shows in the same round.
    assert errors["id_number"] == ["该身份证号码已在其他单位登记,请联系上级工会"]
    assert errors["phone"] == ["电话号码格式不正确:手机号为 11 位,固话需带区号"]
    assert Person.objects.count() == 1


def test_empty_id_number_is_named_not_generic(tree, login, township_cadre):
    response = login(township_cadre).post(
        reverse("people:create"), person_post(tree.xinfa, id_number="", phone="0734")
    )
    errors = response.context["form"].errors
    assert errors["id_number"] == ["请填写身份证号码"]
    assert errors["phone"] == ["电话号码格式不正确:手机号为 11 位,固话需带区号"]
    assert not Person.objects.exists()


def test_edit_form_reports_the_empty_name_with_the_bad_phone(tree, login, township_cadre, mine):
    response = login(township_cadre).post(
        reverse("people:update", args=[mine.pk]),
        person_post(tree.xinfa, name="", id_number="", phone="abc"),
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写姓名"]
    assert errors["phone"] == ["电话号码格式不正确:手机号为 11 位,固话需带区号"]
    assert "id_number" not in errors  # left empty: the stored number is kept
    assert Person.objects.get(pk=mine.pk).name == "刘德华"


def test_household_form_reports_the_empty_name_with_the_bad_id_number(
    tree, login, township_cadre, mine
):
    response = login(township_cadre).post(
        reverse("people:household_create", args=[mine.pk]),
        {
            "relation": "child",
            "name": "",
            "id_number": MINE_ID[:17],
            "birth_date": "",
            "monthly_income": "abc",
            "health": "healthy",
            "disability_grade": "",
            "school": "",
        },
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写姓名"]
    assert errors["id_number"] == ["身份证号码应为 18 位,当前为 17 位"]
    assert errors["monthly_income"] == ["请填写数字"]
    assert not HouseholdMember.objects.exists()


# -- the API ----------------------------------------------------------------------------------


def test_api_reports_every_field_with_its_code(api_client, tree, township_cadre, theirs):
    response = api_client(township_cadre).post(
        "/api/v1/people/persons",
        {
            "organization_id": tree.xinfa.pk,
            "id_number": wrong_check_digit(NEW_ID),
            "phone": "12345",
            "employer_name": "某某物流公司",
            "employer_credit_code": "9111000060003734",
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    found = {(e["field"], e["type"], e["message"]) for e in body["errors"]}
    assert found == {
        ("name", "required", "请填写姓名"),
        ("id_number", "id_checksum", "身份证号码校验位不正确,请核对"),
        ("phone", "phone_format", "电话号码格式不正确:手机号为 11 位,固话需带区号"),
        ("employer_credit_code", "credit_code_length", "统一社会信用代码应为 18 位"),
    }
    assert Person.objects.count() == 1


def test_api_reports_a_duplicate_with_the_missing_name(api_client, tree, township_cadre, theirs):
    response = api_client(township_cadre).post(
        "/api/v1/people/persons",
        {"organization_id": tree.xinfa.pk, "name": " ", "id_number": THEIRS_ID},
    )
    assert response.status_code == 400
    found = {(e["field"], e["type"]) for e in response.json()["errors"]}
    assert found == {("name", "required"), ("id_number", "duplicate")}
