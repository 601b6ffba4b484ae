"""Finding persons from one search box.

Staff type whatever they have at hand: a name (possibly in Traditional characters or
full-width), pinyin initials (``xhq``) or full pinyin (``xiaohuaqing``), a full ID
number, the last four characters of an ID number or phone, or a full phone number. The
kind is detected from the query; protected values are matched through their keyed hashes
(of the full value, or of its last four characters), never by decrypting. Results are always
limited to the persons the user may see.

A search by a full number is also an oracle: staff who see ``**************3516`` and a
birth year can try each of the few dozen numbers that fit and watch which one finds the
person. Clerks must still search by the number a worker hands them, so such searches by
a user who may not reveal what they find are logged (``AccessLog``, the number masked)
and limited to ``settings.FULL_NUMBER_SEARCH_LIMIT`` per user per hour, far fewer than
the candidates a masked number leaves (docs/security.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.audit.services import record_search
from huigong.common.crypto import (
    id_last4_hash,
    lookup_hash,
    mask_id_number,
    mask_phone,
    phone_last4_hash,
)
from huigong.common.text import clean_code, clean_phone, clean_text
from huigong.kernel.scope import scope_paths, user_can_at

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


VIEW_PERM = "people.view_person"
REVEAL_PERM = "people.reveal_person"
#: What a refused full-number search says, on the page and in the API's 429 answer.
THROTTLED_MESSAGE = _("全号码检索次数已达上限,请一小时后再试,或联系有查看权限的干部")
#: The note of the access-log row a full-number search writes.
SEARCH_NOTE = _("全号码检索")
REFUSED_NOTE = _("全号码检索(超出次数上限,未返回结果)")
#: Seconds a user's count of full-number searches lives, from the first one.
THROTTLE_WINDOW = 3600

#: Full-number kinds: the hash field matched and the protected field it reveals.
_FULL_NUMBER = {
    QueryKind.ID_NUMBER: ("id_number_hash", "id_number", mask_id_number),
    QueryKind.PHONE: ("phone_hash", "phone", mask_phone),
}


class FullNumberSearchThrottled(Exception):
    """A full-number search refused: the user reached the hourly limit."""

    def __init__(self):
        super().__init__(str(THROTTLED_MESSAGE))
        self.message = str(THROTTLED_MESSAGE)


def search_persons(user, raw: str | None, queryset=None, *, channel: str = "web"):
    """Persons matching ``raw`` among those ``user`` may see (``queryset`` narrows it).

    Raises ``FullNumberSearchThrottled`` when ``raw`` is a full ID number or phone and
    the user, who may not reveal what it finds, has used up the hourly limit."""
    base = queryset if queryset is not None else Person.objects.all()
    qs = base.visible_to(user, VIEW_PERM)
    query = parse_query(raw)
    if query.kind in _FULL_NUMBER:
        hash_field, _field, _mask = _FULL_NUMBER[query.kind]
        matches = qs.filter(**{hash_field: lookup_hash(query.value)})
        guard_full_number_search(user, query, matches, channel=channel)
        return matches
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


def guard_full_number_search(user, query: PersonQuery, matches, *, channel: str = "web") -> None:
    """Count and log a full-number search unless ``user`` may reveal whatever it could
    find; raise ``FullNumberSearchThrottled`` beyond the hourly limit."""
    found = list(matches.select_related("organization").order_by("pk")[:20])
    if _may_reveal(user, found):
        return
    refused = count_full_number_search(user) > settings.FULL_NUMBER_SEARCH_LIMIT
    _hash_field, field, mask = _FULL_NUMBER[query.kind]
    note = REFUSED_NOTE if refused else SEARCH_NOTE
    # A refused search shows nothing, so it names no person either.
    logged = [] if refused else found
    with transaction.atomic():
        for person in logged:
            record_search(
                actor=user,
                object_type="people.person",
                fields=[field],
                note=f"{note} {mask(query.value)}",
                obj=person,
                channel=channel,
            )
        if not logged:
            paths = scope_paths(user, VIEW_PERM) or [""]
            record_search(
                actor=user,
                object_type="people.person",
                fields=[field],
                note=str(note),
                searched=mask(query.value),
                org_path=paths[0],
                channel=channel,
            )
    if refused:
        raise FullNumberSearchThrottled


def _may_reveal(user, found: list[Person]) -> bool:
    """True when the search tells ``user`` nothing they could not reveal anyway: they
    hold the reveal permission over every person found, or, when nothing was found, over
    every organization whose persons they see."""
    if found:
        return all(user_can_at(user, REVEAL_PERM, p.organization.path) for p in found)
    reveal = scope_paths(user, REVEAL_PERM)
    if reveal is None:
        return True
    view = scope_paths(user, VIEW_PERM)
    if view is None:
        return False
    return all(any(path.startswith(r) for r in reveal) for path in view)


def count_full_number_search(user) -> int:
    """This search's number within the user's current hour, counted atomically in the
    cache (locmem or Redis) so parallel requests cannot slip past the limit."""
    key = f"people:full-number-search:{user.pk}"
    for _attempt in range(3):
        cache.add(key, 0, timeout=THROTTLE_WINDOW)
        try:
            return cache.incr(key)
        except ValueError:
            # The window expired between add and incr: start a new one.
            continue
    return 1
