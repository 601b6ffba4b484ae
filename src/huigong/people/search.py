"""Finding persons from one search box.

Staff type whatever they have at hand: a name (possibly in Traditional characters or
full-width), pinyin initials (``xhq``) or full pinyin (``xiaohuaqing``), a full ID
number, the last four characters of an ID number or phone, or a full phone number. The
kind is detected from the query; protected values are matched through their keyed hashes
(of the full value, or of its last four characters), never by decrypting. Results are always
limited to the persons the user may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.common.crypto import id_last4_hash, lookup_hash, phone_last4_hash
from huigong.common.text import clean_code, clean_phone, clean_text

from .models import Person

_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_LAST4 = re.compile(r"^\d{3}[\dX]$")
_PINYIN = re.compile(r"^[a-z]+$")
_MAX_QUERY = 50


class QueryKind(models.TextChoices):
    NAME = "name", _("姓名")
    PINYIN = "pinyin", _("拼音")
    ID_NUMBER = "id_number", _("身份证号码")
    PHONE = "phone", _("手机号")
    LAST4 = "last4", _("身份证或手机号后四位")
    NONE = "none", _("无法识别")


@dataclass(frozen=True)
class PersonQuery:
    kind: str
    value: str

    @property
    def label(self) -> str:
        return str(QueryKind(self.kind).label)


def parse_query(raw: str | None) -> PersonQuery:
    """Detect what the user typed and normalise it for matching."""
    text = clean_text(raw)[: _MAX_QUERY * 2]
    if not text:
        return PersonQuery(QueryKind.NONE, "")
    code = clean_code(text)
    if _ID_NUMBER.match(code):
        return PersonQuery(QueryKind.ID_NUMBER, code)
    phone = clean_phone(text)
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return PersonQuery(QueryKind.PHONE, phone)
    if _LAST4.match(code):
        return PersonQuery(QueryKind.LAST4, code)
    letters = re.sub(r"[\s']", "", text).lower()
    if _PINYIN.match(letters):
        return PersonQuery(QueryKind.PINYIN, letters[:_MAX_QUERY])
    if code.isdigit():
        # Digits of no known length (a partial number): matching them would mean
        # scanning protected data, so say so instead of guessing.
        return PersonQuery(QueryKind.NONE, code)
    return PersonQuery(QueryKind.NAME, text[:_MAX_QUERY])


def search_persons(user, raw: str | None, queryset=None):
    """Persons matching ``raw`` among those ``user`` may see (``queryset`` narrows it)."""
    base = queryset if queryset is not None else Person.objects.all()
    qs = base.visible_to(user, "people.view_person")
    query = parse_query(raw)
    if query.kind == QueryKind.ID_NUMBER:
        return qs.filter(id_number_hash=lookup_hash(query.value))
    if query.kind == QueryKind.PHONE:
        return qs.filter(phone_hash=lookup_hash(query.value))
    if query.kind == QueryKind.LAST4:
        return qs.filter(
            Q(id_last4_hash=id_last4_hash(query.value))
            | Q(phone_last4_hash=phone_last4_hash(query.value))
        )
    if query.kind == QueryKind.PINYIN:
        return qs.filter(name_pinyin__contains=query.value)
    if query.kind == QueryKind.NAME:
        return qs.filter(name__contains=query.value)
    return qs.none()
