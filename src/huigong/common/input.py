"""The one place where submitted text is normalised, whatever door it comes in by.

- Forms and query strings: :class:`InputNormalizationMiddleware` replaces ``request.GET``
  and ``request.POST`` with normalised copies (and normalises the names of uploaded
  files) before any view, form or the API reads them.
- JSON bodies of the API: :class:`NormalizingParser`, the django-ninja parser of
  ``huigong.api.api``.
- Imports: ``huigong.common.excel.read_table`` normalises every cell.

Passwords are left exactly as typed: normalising them could lock out a user whose
password was set before.
"""

from __future__ import annotations

from django.http import QueryDict
from ninja.parser import Parser

from .text import normalize_data, normalize_input


def _is_secret(key: str) -> bool:
    return "password" in key


def normalized_querydict(data: QueryDict) -> QueryDict:
    """A copy of ``data`` with every value (and key) normalised, immutable like the
    original."""
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        if _is_secret(key):
            copy.setlist(key, values)
        else:
            copy.setlist(normalize_input(key), [normalize_input(v) for v in values])
    copy._mutable = False
    return copy


class InputNormalizationMiddleware:
    """Normalises the text of every request before the views see it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET:
            request.GET = normalized_querydict(request.GET)
        if request.method in {"POST", "PUT", "PATCH"} and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            request.POST = normalized_querydict(request.POST)
            for upload in request.FILES.values():
                upload.name = normalize_input(upload.name)
        return self.get_response(request)


class NormalizingParser(Parser):
    """django-ninja's JSON parser, then ``normalize_input`` on every string."""

    def parse_body(self, request):
        return normalize_data(super().parse_body(request), keep=_is_secret)
