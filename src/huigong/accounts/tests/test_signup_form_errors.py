"""The portal's sign-up reports every problem of a submit at once, in specific Chinese:
the empty name and township together with a malformed phone, ID number and a weak
password, not the format errors in a second round after the required fields are filled."""

from __future__ import annotations

import re

from huigong.accounts.models import User
from huigong.people.models import Person
from huigong.testing.factories import make_id_number

SIGNUP = "/m/signup/"


def field_errors(html: str) -> dict[str, str]:
    found = re.findall(r'data-testid="error-([a-z_]+)">([^<]*)</div>', html)
    return {name: text.strip() for name, text in found}


def test_one_submit_shows_every_error_with_specific_wording(client, tree, outbox):
    number = make_id_number()
    response = client.post(
        SIGNUP,
        {
            "phone": "1390000",
            "code": "",
            "name": "",
            "township": "",
            "id_number": number[:-1] + ("0" if number[-1] != "0" else "1"),
            "password": "12345678",
            "password_confirm": "12345678",
            "action": "signup",
        },
    )
    assert response.status_code == 200
    errors = field_errors(response.content.decode())
    assert errors == {
        "phone": "请输入 11 位手机号码",
        "code": "请填写短信验证码",
        "name": "请填写姓名",
        "township": "请选择所在乡镇(街道)工会",
        "id_number": "身份证号码校验位不正确,请核对",
        "password": errors["password"],
    }
    assert "密码" in errors["password"]
    assert "这个字段是必填项" not in response.content.decode()
    assert not User.objects.filter(kind="worker").exists()
    assert not Person.objects.exists()
    assert not outbox


def test_short_id_number_is_reported_with_the_missing_name(client, tree):
    html = client.post(
        SIGNUP,
        {"phone": "13900001111", "code": "123456", "id_number": "4304261990", "action": "signup"},
    ).content.decode()
    errors = field_errors(html)
    assert errors["name"] == "请填写姓名"
    assert errors["id_number"] == "身份证号码应为 18 位,当前为 10 位"
    assert errors["township"] == "请选择所在乡镇(街道)工会"
    assert errors["password"] == "请填写密码"
    assert "phone" not in errors


def test_registered_phone_shows_with_the_missing_fields(client, tree, worker):
    """The service's own rule (one account per phone) comes in the same round."""
    html = client.post(
        SIGNUP,
        {"phone": worker.phone, "code": "", "name": "", "township": "", "action": "signup"},
    ).content.decode()
    errors = field_errors(html)
    assert errors["phone"] == "该手机号已注册,请直接登录;忘记密码可通过短信找回。"
    assert errors["name"] == "请填写姓名"
    assert errors["code"] == "请填写短信验证码"
    assert User.objects.filter(kind="worker").count() == 1


def test_id_number_of_a_linked_person_shows_with_the_missing_township(client, tree, worker, outbox):
    number = make_id_number()
    worker.person.id_number = number
    worker.person.save()
    html = client.post(
        SIGNUP,
        {
            "phone": "13900002222",
            "code": "123456",
            "name": worker.person.name,
            "township": "",
            "id_number": number,
            "password": "Strong-Pass-2026",
            "password_confirm": "Strong-Pass-2026",
            "action": "signup",
        },
    ).content.decode()
    errors = field_errors(html)
    assert errors == {
        "township": "请选择所在乡镇(街道)工会",
        "id_number": "该身份证号已绑定其他账号。如有疑问,请联系所在工会。",
    }
