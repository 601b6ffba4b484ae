"""Input normalisation shared by forms, API and imports.

Staff paste from Excel, WeChat and scanned forms: full-width digits and letters, stray
spaces (including ideographic and non-breaking ones) and Traditional characters all
arrive. Everything that is stored or searched passes through these functions first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_half_width(value: str) -> str:
    """Full-width ASCII (Ａ１，) → half-width; NFKC also folds ideographic spaces."""
    return unicodedata.normalize("NFKC", value)


def to_simplified(value: str) -> str:
    return _t2s().convert(value)


def clean_text(value: str | None) -> str:
    """Half-width, Simplified, single-spaced, trimmed text for names and addresses."""
    if value is None:
        return ""
    value = to_simplified(to_half_width(normalize_input(str(value))))
    return _SPACES.sub(" ", value).strip()


def clean_code(value: str | None) -> str:
    """Identifiers (ID numbers, credit codes, phones): no spaces or dashes, upper case."""
    if value is None:
        return ""
    value = to_half_width(normalize_input(str(value)))
    return re.sub(r"[\s\-]", "", value).upper()


def clean_phone(value: str | None) -> str:
    value = clean_code(value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


# Control characters other than tab and newline (C0, DEL, C1), lone UTF-16 surrogates
# (what `"\ud800"` in JSON decodes to) and the Unicode non-characters U+FFFE/U+FFFF: none
# of them is text a person typed, and all show as garbage on a worker's phone.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def normalize_input(value: str) -> str:
    """Text as every door into the system must hand it on: Unicode NFC, carriage returns
    folded into newlines, and no control characters other than newline and tab.

    This is the lowest level, applied to all submitted text by
    :class:`huigong.common.input.InputNormalizationMiddleware` (forms), the API's parser
    (JSON bodies) and :func:`huigong.common.excel.read_table` (imports). Field-specific
    cleaning (``clean_text``, ``clean_code``) comes on top of it in the services."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _NOT_TEXT.sub("", value))


def normalize_data(value, keep=lambda key: False):
    """``normalize_input`` applied to every string inside parsed JSON (keys too), except
    the values of keys for which ``keep(key)`` is true (passwords)."""
    if isinstance(value, str):
        return normalize_input(value)
    if isinstance(value, list):
        return [normalize_data(item, keep) for item in value]
    if isinstance(value, dict):
        return {
            normalize_input(key) if isinstance(key, str) else key: (
                item if isinstance(key, str) and keep(key) else normalize_data(item, keep)
            )
            for key, item in value.items()
        }
    return value
