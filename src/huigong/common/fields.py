"""The field-error toolkit every service uses: collect messages keyed by field and raise
them together (one round of errors, never the first only), and clean single values —
one line of text, several lines, an identifier, a choice — recording what is wrong.

Values pass through ``common.text`` (half-width, Simplified, single spaces), so a value
is stored the same way whichever form, API call or import it came in by.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from .text import clean_code, clean_text


class FieldErrors:
    """Collects field-keyed messages and raises them together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, *messages: str) -> None:
        self.by_field.setdefault(name, []).extend(str(m) for m in messages)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def too_long_message(max_length: int) -> str:
    return _("不能超过 %(n)d 个字") % {"n": max_length}


def clean_line(
    value: Any, name: str, max_length: int, errors: FieldErrors, *, required: bool = False
) -> str:
    """Normalise one line of text (name, address, unit name); record problems in ``errors``."""
    raw = "" if value is None else str(value)
    # Refuse absurd input before normalising it: converting megabytes of text is wasted work.
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length))
        return ""
    text = clean_text(raw)
    if required and not text:
        errors.add(name, _("必填"))
    elif len(text) > max_length:
        errors.add(name, too_long_message(max_length))
    return text


def clean_multiline(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    """Like ``clean_line`` but keeps line breaks (notes)."""
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length))
        return ""
    text = "\n".join(clean_text(line) for line in raw.splitlines()).strip()
    if len(text) > max_length:
        errors.add(name, too_long_message(max_length))
    return text


def clean_required_text(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    """Like ``clean_multiline``, and the field must not be empty."""
    text = clean_multiline(value, name, max_length, errors)
    if name not in errors and not text:
        errors.add(name, _("必填"))
    return text


def clean_amount(value: Any, name: str, errors: FieldErrors, *, maximum: Decimal) -> Decimal | None:
    """An amount of money in yuan with at most two decimals, not negative and not above
    ``maximum`` (``None`` when empty). Thousands separators are dropped."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add(name, _("请填写有效的金额"))
        return None
    if not amount.is_finite():
        errors.add(name, _("请填写有效的金额"))
        return None
    if amount < 0:
        errors.add(name, _("金额不能为负数"))
        return None
    if amount > maximum:
        errors.add(name, _("金额过大,请核对"))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.add(name, _("金额最多保留两位小数"))
        return None
    return amount.quantize(Decimal("0.01"))


def clean_identifier(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length))
        return ""
    return clean_code(raw)


def clean_credit_code(value: Any, name: str, errors: FieldErrors) -> str:
    """A unified social credit code (统一社会信用代码), normalised and checked with
    ``stdnum.cn.uscc``; empty stays empty."""
    code = clean_code(str(value or ""))[:72]
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidLength:
        errors.add(name, _("统一社会信用代码应为 18 位"))
    except stdnum_errors.ValidationError:
        errors.add(name, _("统一社会信用代码校验不通过,请核对"))
    return code


def clean_choice(value: Any, choices, name: str, errors: FieldErrors, message: str) -> str:
    value = "" if value is None else str(value).strip()
    if value not in choices.values:
        errors.add(name, message)
    return value
