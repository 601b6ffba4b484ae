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
    value = to_simplified(to_half_width(str(value)))
    return _SPACES.sub(" ", value).strip()


def clean_code(value: str | None) -> str:
    """Identifiers (ID numbers, credit codes, phones): no spaces or dashes, upper case."""
    if value is None:
        return ""
    value = to_half_width(str(value))
    return re.sub(r"[\s\-]", "", value).upper()


def clean_phone(value: str | None) -> str:
    value = clean_code(value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value
