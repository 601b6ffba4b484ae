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

from . import messages as catalogue
from .text import clean_code, clean_text


class FieldErrors:
    """Collects field-keyed messages and raises them together, each with its stable code
    (``common.messages``: the API's ``errors[].type``)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}
        self._codes: dict[str, list[str | None]] = {}

    def add(self, name: str, *messages: str, code: str | None = None) -> None:
        self.by_field.setdefault(name, []).extend(str(m) for m in messages)
        self._codes.setdefault(name, []).extend(code for _m in messages)

    def add_code(self, name: str, code: str) -> None:
        """The catalogue's message of ``code`` on ``name`` ("金额不能为负数")."""
        self.add(name, catalogue.text(code), code=code)

    def add_error(self, name: str, exc: ValidationError) -> None:
        """The messages of a check's ``ValidationError`` on ``name``, codes kept."""
        for error in exc.error_list:
            self.add(name, *error.messages, code=error.code)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(
                {
                    name: [
                        ValidationError(message, code=code)
                        for message, code in zip(texts, self._codes[name], strict=True)
                    ]
                    for name, texts in self.by_field.items()
                }
            )


def too_long_message(max_length: int) -> str:
    return catalogue.too_long(max_length)


def required_message(label=None) -> str:
    """What a service says of an empty required field: "请填写姓名" when it knows the
    field's ``label``, "必填" otherwise."""
    return catalogue.required(label) if label else _("必填")


def clean_line(
    value: Any,
    name: str,
    max_length: int,
    errors: FieldErrors,
    *,
    required: bool = False,
    label=None,
) -> str:
    """Normalise one line of text (name, address, unit name); record problems in
    ``errors`` (an empty required field named by ``label``: "请填写姓名")."""
    raw = "" if value is None else str(value)
    # Refuse absurd input before normalising it: converting megabytes of text is wasted work.
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length), code=catalogue.TOO_LONG)
        return ""
    text = clean_text(raw)
    if required and not text:
        errors.add(name, required_message(label), code=catalogue.REQUIRED)
    elif len(text) > max_length:
        errors.add(name, too_long_message(max_length), code=catalogue.TOO_LONG)
    return text


def clean_multiline(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    """Like ``clean_line`` but keeps line breaks (notes)."""
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length), code=catalogue.TOO_LONG)
        return ""
    text = "\n".join(clean_text(line) for line in raw.splitlines()).strip()
    if len(text) > max_length:
        errors.add(name, too_long_message(max_length), code=catalogue.TOO_LONG)
    return text


def clean_required_text(
    value: Any, name: str, max_length: int, errors: FieldErrors, *, label=None
) -> str:
    """Like ``clean_multiline``, and the field must not be empty."""
    text = clean_multiline(value, name, max_length, errors)
    if name not in errors and not text:
        errors.add(name, required_message(label), code=catalogue.REQUIRED)
    return text


def clean_amount(value: Any, name: str, errors: FieldErrors, *, maximum: Decimal) -> Decimal | None:
    """An amount of money in yuan with at most two decimals, not negative and not above
    ``maximum`` (``None`` when empty). Thousands separators are dropped."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add_code(name, catalogue.AMOUNT_INVALID)
        return None
    if not amount.is_finite():
        errors.add_code(name, catalogue.AMOUNT_INVALID)
        return None
    if amount < 0:
        errors.add_code(name, catalogue.AMOUNT_NEGATIVE)
        return None
    if amount > maximum:
        errors.add_code(name, catalogue.AMOUNT_TOO_LARGE)
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.add_code(name, catalogue.AMOUNT_DECIMALS)
        return None
    return amount.quantize(Decimal("0.01"))


def clean_identifier(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length), code=catalogue.TOO_LONG)
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
        errors.add_code(name, catalogue.CREDIT_CODE_LENGTH)
    except stdnum_errors.ValidationError:
        errors.add_code(name, catalogue.CREDIT_CODE_CHECKSUM)
    return code


def check_credit_code(value: Any) -> str:
    """``clean_credit_code`` for one value outside a service: the normalised code, or a
    ``ValidationError`` with the catalogue's message and code (form fields use it)."""
    errors = FieldErrors()
    code = clean_credit_code(value, "code", errors)
    try:
        errors.raise_if_any()
    except ValidationError as exc:
        raise ValidationError(exc.error_dict["code"]) from None
    return code


def clean_choice(value: Any, choices, name: str, errors: FieldErrors, message: str) -> str:
    value = "" if value is None else str(value).strip()
    if value not in choices.values:
        errors.add(name, message, code=catalogue.INVALID_CHOICE)
    return value
