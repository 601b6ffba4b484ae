"""Validation of resident ID numbers (居民身份证号码) with ``stdnum.cn.ric``.

``ric.validate`` also rejects numbers whose area code did not exist in the birth year.
That check is wrong for real people: a county code is given to everyone registered there
when the code is created (祁东县 430426 dates from 1983, yet workers born in the 1960s
carry it). So length, digits, checksum and birth date are errors; an unknown or
anachronistic area code is only a warning.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from huigong.common import messages as catalogue
from huigong.common.text import clean_code


@dataclass(frozen=True)
class IdNumberCheck:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"
    warning: str = ""


def check_id_number(raw: str) -> IdNumberCheck:
    """Normalise and validate an 18-digit ID number; raise ``ValidationError`` in Chinese."""
    number = clean_code(raw)
    if not number:
        raise ValidationError(_("请填写身份证号码"), code="required")
    if len(number) != 18:
        raise ValidationError(
            _("身份证号码应为 18 位,当前为 %(n)d 位") % {"n": len(number)}, code="id_length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码只能是数字,最后一位可以是 X"), code="id_format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号码校验位不正确,请核对"), code="id_checksum")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise ValidationError(_("身份证号码中的出生日期无效"), code="id_birth_date")
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期无效"), code="id_birth_date")
    warning = ""
    if not _area_known(number[:6], birth.year):
        warning = _("行政区划代码 %(code)s 未在区划库中找到(或设立晚于出生年份),请核对") % {
            "code": number[:6]
        }
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumberCheck(number=number, birth_date=birth, sex=sex, warning=warning)


@lru_cache(maxsize=65536)
def _area_known(area: str, year: int) -> bool:
    """Whether stdnum's area table knows ``area`` in ``year``. The look-up is a scan of
    that table (about 0.5 ms), and a roster repeats few (area, year) pairs: imports ask
    once per pair, not once per row."""
    try:
        ric.get_birth_place(f"{area}{year}0101000" + "0")
    except stdnum_errors.ValidationError:
        return False
    return True


def validate_id_number(raw: str) -> None:
    """Form/model validator wrapper."""
    check_id_number(raw)


def check_phone(raw: str) -> str:
    """Mainland mobile (11 digits starting with 1) or landline with area code."""
    from huigong.common.text import clean_phone

    phone = clean_phone(raw)
    if not phone.isdigit() or not (
        (len(phone) == 11 and phone.startswith("1"))
        or (phone.startswith("0") and 10 <= len(phone) <= 12)
    ):
        raise ValidationError(catalogue.text(catalogue.PHONE_FORMAT), code=catalogue.PHONE_FORMAT)
    return phone
