"""Masking resident ID numbers and mobile numbers in text bound for logs.

A search for a full ID number or phone puts it in the query string (``/search/?q=…``),
and query strings end up in the request log of the development server, in gunicorn's
access log, in exception messages and in any free text a user types into a logged field
(a reveal reason, a note). ``redact`` masks such numbers the way pages show them;
``RedactProtectedData`` is the logging filter every Django log handler uses
(``settings.LOGGING``) and ``huigong.common.gunicorn_logging`` applies it to gunicorn's
access log.

A number is found in every form the search box accepts (``people.search.parse_query``):
digits grouped by spaces, dashes or ``+`` (a URL-encoded space), ``%20`` or ``%2B``;
with a ``+86``/``0086`` prefix; in full-width digits, raw or URL-encoded
(``%EF%BC%91``). It runs on every log line, so a line with fewer than eleven digits is
returned after one linear scan, and the patterns are compiled once.
"""

from __future__ import annotations

import logging
import re

from stdnum.cn import ric

from .crypto import mask_id_number, mask_phone

# One digit: ASCII, full-width, or full-width URL-encoded (U+FF10-FF19 = EF BC 90-99).
_DIGIT = r"[0-9\uff10-\uff19]|%EF%BC%9[0-9]"
# The last character of an ID number: X in either width, raw or URL-encoded.
_X = r"[Xx\uff38\uff58]|%EF%BC%B8|%EF%BD%98"
# What may stand between the digits: spaces (also ideographic, also URL-encoded as + or
# %20), dashes (also full-width) and a typed +. Not "." or ":", so addresses and times
# never join into a number.
_SEP = r"[ \t\u3000+\-\uff0d]|%20|%2B|%2D|%E3%80%80|%EF%BC%8D"
_RUN = re.compile(
    rf"(?:{_DIGIT})(?:(?:{_SEP}){{0,3}}(?:{_DIGIT})){{10,}}(?:(?:{_SEP}){{0,3}}(?:{_X}))?", re.I
)
_TOKEN = re.compile(rf"(?P<digit>{_DIGIT})|(?P<x>{_X})|(?P<sep>{_SEP})", re.I)
# Eleven digits anywhere (Python's \d includes full-width digits). Disjoint \D*\d keeps
# a failed match linear in the length of the line.
_ELEVEN_DIGITS = re.compile(r"(?:\D*\d){11}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_COUNTRY_CODES = ("86", "0086")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789" + "X" * 3)


def redact(text: str) -> str:
    """``text`` with every 18-character ID number and 11-digit mobile number masked."""
    if not text or not _ELEVEN_DIGITS.match(text):
        return text
    return _RUN.sub(_mask_run, text)


def _character(token: re.Match) -> str:
    value = token[0]
    if value.startswith("%"):
        # %EF%BC%9n is the full-width digit n; the two encodings of a full-width X.
        return value[-1] if token["digit"] else "X"
    return value.translate(_FULL_WIDTH)


def _mask_run(match: re.Match) -> str:
    """Mask the numbers in one run of digits and separators. A number must fill whole
    groups: it begins at the start of the run or after a separator (or after a country
    code) and ends at the end of the run or before a separator, so a tree path or an
    order number that merely contains eleven digits in a row is left alone."""
    run = match[0]
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    group_start: list[bool] = []
    after_separator = True
    for token in _TOKEN.finditer(run):
        if token["sep"]:
            after_separator = True
            continue
        chars.append(_character(token))
        spans.append(token.span())
        group_start.append(after_separator)
        after_separator = False
    digits = "".join(chars)
    count = len(digits)

    def ends_group(j: int) -> bool:
        return j == count - 1 or group_start[j + 1]

    pieces, done, i = [], 0, 0
    while i < count:
        if not (group_start[i] or digits[:i] in _COUNTRY_CODES):
            i += 1
            continue
        masked = None
        end = i + 17
        if end < count and ends_group(end) and _is_id_number(digits[i : end + 1]):
            masked = mask_id_number(digits[i : end + 1])
        else:
            end = i + 10
            if end < count and ends_group(end) and _MOBILE.fullmatch(digits[i : end + 1]):
                masked = mask_phone(digits[i : end + 1])
        if masked is None:
            i += 1
            continue
        pieces += [run[done : spans[i][0]], masked]
        done, i = spans[end][1], end + 1
    return "".join(pieces) + run[done:] if pieces else run


def _is_id_number(number: str) -> bool:
    # Only numbers with a valid check digit: other 18-digit runs (tree paths, codes) are
    # left alone, and a mistyped ID number identifies nobody.
    return number[:17].isdigit() and ric.calc_check_digit(number) == number[17]


class RedactProtectedData(logging.Filter):
    """Log-handler filter: formats the message, and the exception and stack text, and
    masks protected numbers in them (an exception message may quote the input)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set, so the traceback is formatted here.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
