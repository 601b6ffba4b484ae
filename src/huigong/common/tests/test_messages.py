"""The message catalogue: specific Chinese wording on form fields (a form's own message
kept), stable codes on the field-error toolkit's messages, and a service's check merged
into an invalid form without repeating what the form already says."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from huigong.common import messages
from huigong.common.fields import FieldErrors, check_credit_code, clean_amount, clean_line
from huigong.common.forms import add_check_errors, amount_field, date_field, specific_messages


class _Form(forms.Form):
    name = forms.CharField(label="姓名", max_length=5)
    union = forms.ChoiceField(label="所属工会", choices=[("1", "一")])
    amount = amount_field("涉及金额(元)")
    day = date_field("发生日期")
    phone = forms.CharField(label="手机号", error_messages={"required": "请填写手机号码"})
    count = forms.IntegerField(label="人数", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specific_messages(self)


def test_required_fields_are_named_and_own_messages_kept():
    form = _Form({})
    assert form.errors == {
        "name": ["请填写姓名"],
        "union": ["请选择所属工会"],
        "day": ["请填写发生日期"],
        "phone": ["请填写手机号码"],
    }


def test_format_messages_are_specific():
    form = _Form(
        {
            "name": "一二三四五六",
            "union": "9",
            "amount": "-1",
            "day": "2026-02-30",
            "phone": "1",
            "count": "x",
        }
    )
    assert form.errors == {
        "name": ["不能超过 5 个字"],
        "union": ["请从列表中选择所属工会"],
        "amount": ["金额不能为负数"],
        "day": ["请填写有效的日期,例如 2026-01-31"],
        "count": ["请填写数字"],
    }
    assert _Form({"amount": "1.234"}).errors["amount"] == ["金额最多保留两位小数"]


def test_label_notes_are_left_out_of_messages():
    assert messages.required("身份证号码(选填)") == "请填写身份证号码"
    assert messages.required("所在乡镇(街道)工会", choose=True) == "请选择所在乡镇(街道)工会"


def test_toolkit_messages_carry_stable_codes():
    errors = FieldErrors()
    clean_line("", "name", 50, errors, required=True, label="姓名")
    clean_amount("-3", "amount", errors, maximum=100)
    errors.add("note", "自由文字")
    with pytest.raises(ValidationError) as raised:
        errors.raise_if_any()
    found = {
        name: [(e.message, e.code) for e in errs] for name, errs in raised.value.error_dict.items()
    }
    assert found == {
        "name": [("请填写姓名", "required")],
        "amount": [("金额不能为负数", "amount_negative")],
        "note": [("自由文字", None)],
    }


def test_credit_code_check_for_one_value():
    assert check_credit_code("91110000600037341l") == "91110000600037341L"
    with pytest.raises(ValidationError) as raised:
        check_credit_code("9111")
    assert (raised.value.messages, raised.value.error_list[0].code) == (
        ["统一社会信用代码应为 18 位"],
        "credit_code_length",
    )


def test_check_errors_go_only_on_fields_the_form_has_not_flagged():
    form = _Form({"name": "", "union": "1", "day": "2026-01-01", "phone": "1"})

    def check():
        raise ValidationError({"name": ["必填"], "phone": ["电话号码格式不正确"], "x": ["其他"]})

    add_check_errors(form, check)
    assert form.errors["name"] == ["请填写姓名"]
    assert form.errors["phone"] == ["电话号码格式不正确"]
    assert form.non_field_errors() == ["其他"]
