"""Masking resident ID numbers and mobile numbers in text bound for logs.

A search for a full ID number or phone puts it in the query string (``/search/?q=…``),
and query strings end up in the request log of the development server, in gunicorn's
access log and in any free text a user types into a logged field (a reveal reason, a
note). ``redact`` masks such numbers the way pages show them; ``RedactProtectedData`` is
the logging filter every Django log handler uses (``settings.LOGGING``) and
``huigong.common.gunicorn_logging`` applies it to gunicorn's access log.
"""

from __future__ import annotations

import logging
import re

from stdnum.cn import ric

from .crypto import mask_id_number, mask_phone

# Digit boundaries only: inside a URL-encoded query (``q%3D4304…``) a letter precedes.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    """``text`` with every 18-character ID number and 11-digit mobile number masked."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = _ID_NUMBER.sub(_mask_if_id_number, text)
    return _MOBILE.sub(lambda m: mask_phone(m[0]), text)


def _mask_if_id_number(match: re.Match) -> str:
    # Only numbers with a valid check digit: other 18-digit runs (tree paths, codes) are
    # left alone, and a mistyped ID number identifies nobody.
    number = match[0].upper()
    return mask_id_number(number) if ric.calc_check_digit(number) == number[17] else match[0]


class RedactProtectedData(logging.Filter):
    """Log-handler filter: formats the message and masks protected numbers in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
