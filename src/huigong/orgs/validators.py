"""Normalising and checking the values of an organization's fields.

Forms, the API, the Excel import and the services all pass values through these
functions, so a credit code typed with full-width letters in a form and one pasted into
Excel are stored the same way and get the same Chinese message when they are wrong.
Each function returns the clean value or raises ``ValidationError`` with a message.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from huigong.common.text import clean_code, clean_phone, clean_text, to_half_width

from .models import GrassrootsCategory, Grid, OrgKind

DIVISION_CODE_LENGTHS = (6, 9, 12)
_DIGITS = re.compile(r"^\d+$")
_PHONE = re.compile(r"^\d{7,12}$")


def clean_name(value: Any, *, max_length: int = 200, label: str = "") -> str:
    """A required name: Simplified, half-width, single-spaced."""
    text = clean_text(value) if value is not None else ""
    if not text:
        raise ValidationError(_("请填写%(label)s") % {"label": label or _("名称")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            _("%(label)s不能超过 %(n)d 个字") % {"label": label or _("名称"), "n": max_length},
            code="max_length",
        )
    return text


def clean_optional_text(value: Any, *, max_length: int, label: str) -> str:
    text = clean_text(value) if value is not None else ""
    if len(text) > max_length:
        raise ValidationError(
            _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length},
            code="max_length",
        )
    return text


def clean_kind(value: Any) -> str:
    if value not in OrgKind.values:
        raise ValidationError(_("请选择正确的组织类型"), code="invalid_choice")
    return str(value)


def clean_category(value: Any) -> str:
    if value in (None, ""):
        return ""
    if value not in GrassrootsCategory.values:
        raise ValidationError(_("请选择正确的基层工会类别"), code="invalid_choice")
    return str(value)


def clean_division_code(value: Any) -> str:
    """GB/T 2260 administrative division code: 6 digits (county and above), 9 (township)
    or 12 (village)."""
    code = clean_code(value) if value is not None else ""
    if not code:
        return ""
    if not _DIGITS.match(code):
        raise ValidationError(_("行政区划代码只能包含数字"), code="invalid")
    if len(code) not in DIVISION_CODE_LENGTHS:
        raise ValidationError(
            _("行政区划代码应为 6 位(县级及以上)、9 位(乡镇街道)或 12 位(村、社区),当前为 %(n)d 位")
            % {"n": len(code)},
            code="invalid_length",
        )
    return code


def clean_credit_code(value: Any) -> str:
    """Unified social credit code (统一社会信用代码), checked with ``stdnum.cn.uscc``."""
    code = clean_code(value) if value is not None else ""
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("统一社会信用代码应为 18 位,当前为 %(n)d 位") % {"n": len(code)},
            code="invalid_length",
        )
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码的校验位不正确,请核对是否抄错"), code="invalid_checksum"
        )
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _(
                "统一社会信用代码格式不正确:前 8 位应为数字,其余为数字或大写字母(不含 I、O、S、V、Z)"
            ),
            code="invalid_format",
        )


def clean_count(value: Any, *, label: str) -> int | None:
    """A head count: empty, or a whole number not below zero."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(_("%(label)s应为整数") % {"label": label}, code="invalid")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        # Not clean_code: it drops dashes, and "-3" must stay negative.
        text = re.sub(r"[\s,]", "", to_half_width(value))
        if not re.match(r"^-?\d+$", text):
            raise ValidationError(_("%(label)s应为整数") % {"label": label}, code="invalid")
        value = int(text)
    if not isinstance(value, int):
        raise ValidationError(_("%(label)s应为整数") % {"label": label}, code="invalid")
    if value < 0:
        raise ValidationError(_("%(label)s不能为负数") % {"label": label}, code="min_value")
    if value > 10_000_000:
        raise ValidationError(_("%(label)s数值过大,请核对") % {"label": label}, code="max_value")
    return value


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> datetime.date | None:
    """A date from a form, the API or an Excel cell (2020-05-01, 2020/5/1, 2020年5月1日)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(str(value)).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise ValidationError(_("日期格式不正确,请写成 2020-05-01"), code="invalid_date")


def clean_founded_on(value: Any) -> datetime.date | None:
    date = parse_date(value)
    if date is not None and date > timezone.localdate():
        raise ValidationError(_("成立日期不能晚于今天"), code="future_date")
    if date is not None and date.year < 1900:
        raise ValidationError(_("成立日期不能早于 1900 年"), code="too_early")
    return date


def clean_contact_phone(value: Any) -> str:
    phone = clean_phone(value) if value is not None else ""
    if not phone:
        return ""
    if not _PHONE.match(phone):
        raise ValidationError(
            _("联系电话应为 11 位手机号或带区号的固定电话,例如 0734-6123456"), code="invalid"
        )
    return phone


def clean_grid_level(value: Any) -> str:
    if value not in Grid.Level.values:
        raise ValidationError(_("请选择正确的网格层级"), code="invalid_choice")
    return str(value)


#: field → cleaner, for the fields a user may set on an organization.
ORG_FIELD_CLEANERS = {
    "name": lambda v: clean_name(v, max_length=200, label=_("名称")),
    "short_name": lambda v: clean_optional_text(v, max_length=60, label=_("简称")),
    "kind": clean_kind,
    "category": clean_category,
    "division_code": clean_division_code,
    "credit_code": clean_credit_code,
    "employee_count": lambda v: clean_count(v, label=_("职工人数")),
    "member_count": lambda v: clean_count(v, label=_("会员人数")),
    "founded_on": clean_founded_on,
    "contact_name": lambda v: clean_optional_text(v, max_length=50, label=_("联系人")),
    "contact_phone": clean_contact_phone,
    "address": lambda v: clean_optional_text(v, max_length=200, label=_("地址")),
}

ORG_FIELDS = tuple(ORG_FIELD_CLEANERS)


def clean_org_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Clean every given field; raise one ``ValidationError`` keyed by field with all the
    problems found (so a form shows them all at once)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in values.items():
        try:
            cleaned[name] = ORG_FIELD_CLEANERS[name](value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned
