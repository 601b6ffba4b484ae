"""The one catalogue of field messages: what a form, a service and the API say when a
value is missing or malformed, in specific Chinese ("请填写姓名", not Django's
"这个字段是必填项"), and the stable code each message carries to the API.

Services add these through ``common.fields.FieldErrors`` (``add_code``); forms get them
with ``common.forms.specific_messages``. The resident ID number's messages stay with its
check (``people.validators.check_id_number``: one per way a number can be wrong), which
gives each its code as well.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Stable codes of field errors (the API's ``errors[].type``).
REQUIRED = "required"
TOO_LONG = "max_length"
INVALID = "invalid"
INVALID_CHOICE = "invalid_choice"
PHONE_FORMAT = "phone_format"
MOBILE_FORMAT = "mobile_format"
NUMBER_INVALID = "number_invalid"
CREDIT_CODE_LENGTH = "credit_code_length"
CREDIT_CODE_CHECKSUM = "credit_code_checksum"
AMOUNT_INVALID = "amount_invalid"
AMOUNT_NEGATIVE = "amount_negative"
AMOUNT_TOO_LARGE = "amount_too_large"
AMOUNT_DECIMALS = "amount_decimals"
DATE_INVALID = "date_invalid"
DATE_IN_FUTURE = "date_in_future"
DUPLICATE = "duplicate"

#: A trailing note in a label — "(选填)", "(元)", "(已建会)" — is not part of what the
#: message names.
_LABEL_NOTE = re.compile(r"\s*[((][^()()]*[))]\s*$")


def label_text(label) -> str:
    """A field's label as a message names it: "涉及金额(元)" → "涉及金额"."""
    return _LABEL_NOTE.sub("", str(label or "")).strip()


def required(label, *, choose: bool = False) -> str:
    """The missing-value message of a field: "请填写姓名", or "请选择所属工会" for a value
    picked from a list."""
    name = label_text(label) or _("此项")
    if choose:
        return _("请选择%(label)s") % {"label": name}
    return _("请填写%(label)s") % {"label": name}


def too_long(max_length: int) -> str:
    return _("不能超过 %(n)d 个字") % {"n": max_length}


def invalid_choice(label) -> str:
    return _("请从列表中选择%(label)s") % {"label": label_text(label) or _("有效的选项")}


#: The fixed message of each code that has one ("请填写有效的金额" …).
TEXT = {
    PHONE_FORMAT: gettext_lazy("电话号码格式不正确:手机号为 11 位,固话需带区号"),
    MOBILE_FORMAT: gettext_lazy("请输入 11 位手机号码"),
    CREDIT_CODE_LENGTH: gettext_lazy("统一社会信用代码应为 18 位"),
    CREDIT_CODE_CHECKSUM: gettext_lazy("统一社会信用代码校验不通过,请核对"),
    AMOUNT_INVALID: gettext_lazy("请填写有效的金额"),
    AMOUNT_NEGATIVE: gettext_lazy("金额不能为负数"),
    AMOUNT_TOO_LARGE: gettext_lazy("金额过大,请核对"),
    AMOUNT_DECIMALS: gettext_lazy("金额最多保留两位小数"),
    NUMBER_INVALID: gettext_lazy("请填写数字"),
    DATE_INVALID: gettext_lazy("请填写有效的日期,例如 2026-01-31"),
    DATE_IN_FUTURE: gettext_lazy("日期不能晚于今天"),
}


def text(code: str) -> str:
    """The message of ``code`` in the current language."""
    return str(TEXT[code])


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        field.widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple
    )


def _is_amount(field: forms.Field) -> bool:
    return isinstance(field, forms.DecimalField) and field.decimal_places == 2


def field_messages(field: forms.Field) -> dict[str, str]:
    """The catalogue's messages for one form field, by Django's error code."""
    label = field.label
    if isinstance(field, forms.FileField):
        messages = {"required": _("请上传%(label)s") % {"label": label_text(label)}}
    else:
        messages = {"required": required(label, choose=_is_choice(field))}
    if _is_choice(field):
        messages["invalid_choice"] = invalid_choice(label)
        messages["invalid_pk_value"] = invalid_choice(label)
    max_length = getattr(field, "max_length", None)
    if max_length:
        messages["max_length"] = too_long(max_length)
    if isinstance(field, forms.DateField | forms.DateTimeField):
        messages["invalid"] = text(DATE_INVALID)
    elif _is_amount(field):
        too_large = text(AMOUNT_TOO_LARGE)
        messages.update(
            invalid=text(AMOUNT_INVALID),
            max_digits=too_large,
            max_whole_digits=too_large,
            max_decimal_places=text(AMOUNT_DECIMALS),
            max_value=too_large,
        )
        if field.min_value is not None and field.min_value == 0:
            messages["min_value"] = text(AMOUNT_NEGATIVE)
    elif isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        messages["invalid"] = text(NUMBER_INVALID)
    return messages
