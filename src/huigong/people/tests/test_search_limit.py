"""Full-number searches as an oracle: logged (masked) and limited per user and hour for
staff who may not reveal what they find (people.search, docs/security.md)."""

from __future__ import annotations

import datetime
import html
import io
import time
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from python_calamine import CalamineWorkbook

from huigong.accounts.models import Role, RoleAssignment
from huigong.audit.models import AccessLog
from huigong.common.crypto import mask_id_number, mask_phone
from huigong.people.search import (
    REFUSED_NOTE,
    SEARCH_NOTE,
    THROTTLE_WINDOW,
    THROTTLED_MESSAGE,
    FullNumberSearchThrottled,
    count_full_number_search,
    search_persons,
)
from huigong.testing.factories import UserFactory, give_role, make_id_number

from .conftest import MINE_ID, MINE_PHONE, THEIRS_ID, THEIRS_PHONE

pytestmark = pytest.mark.django_db

LIMIT = 3
API = "/api/v1/people/persons"
#: Valid numbers nobody in the fixtures has: the misses of an attacker's candidates.
OTHER_IDS = [make_id_number(birth=datetime.date(1990, 5, 12), seq=s) for s in range(300, 310)]


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.FULL_NUMBER_SEARCH_LIMIT = LIMIT


def _logged_text() -> str:
    return " ".join(
        " ".join(str(v) for v in row)
        for row in AccessLog.objects.values_list(
            "object_type", "object_id", "object_repr", "org_path", "fields", "reason", "channel"
        )
    )


def _list_names(client, q: str) -> tuple[list[str], str]:
    response = client.get(reverse("people:list"), {"q": q})
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    return [p.name for p in response.context["table"].data], body


def _search_names(client, q: str) -> tuple[list[str], str]:
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return [p.name for p in response.context["persons"]], response.content.decode()


def test_full_number_search_is_logged_masked(login, tree, station_staff, mine, theirs):
    client = login(station_staff)
    assert _list_names(client, MINE_ID)[0] == ["刘德华"]
    assert _search_names(client, MINE_PHONE)[0] == ["刘德华"]
    assert _list_names(client, OTHER_IDS[0])[0] == []

    hit_id, hit_phone, miss = AccessLog.objects.order_by("id")
    assert (hit_id.object_id, hit_id.fields) == (str(mine.pk), "id_number")
    assert hit_id.reason == f"{SEARCH_NOTE} {mask_id_number(MINE_ID)}"
    assert hit_id.org_path == mine.organization.path
    assert (hit_phone.object_id, hit_phone.fields) == (str(mine.pk), "phone")
    assert hit_phone.reason == f"{SEARCH_NOTE} {mask_phone(MINE_PHONE)}"
    # A miss names nobody; the township's auditors see it under the searcher's scope.
    assert (miss.object_id, miss.object_repr) == ("", mask_id_number(OTHER_IDS[0]))
    assert miss.org_path == tree.huangtupu.path
    assert {r.actor_id for r in (hit_id, hit_phone, miss)} == {station_staff.pk}
    assert {r.reason_code for r in (hit_id, hit_phone, miss)} == {""}
    text = _logged_text()
    for number in (MINE_ID, MINE_PHONE, OTHER_IDS[0], MINE_ID[:14]):
        assert number not in text


def test_last4_name_and_pinyin_searches_are_neither_limited_nor_logged(login, station_staff, mine):
    client = login(station_staff)
    for q in [MINE_ID[-4:], MINE_PHONE[-4:], "刘德华", "ldh"] * 3:
        assert _list_names(client, q)[0] == ["刘德华"], q
    assert not AccessLog.objects.exists()
    assert _list_names(client, MINE_ID)[0] == ["刘德华"]  # the count has not moved


def test_web_list_refuses_beyond_the_limit(login, station_staff, mine):
    client = login(station_staff)
    for q in [MINE_ID, OTHER_IDS[0], MINE_PHONE]:
        _names, body = _list_names(client, q)
        assert str(THROTTLED_MESSAGE) not in body
    names, body = _list_names(client, MINE_ID)
    assert names == []
    assert str(THROTTLED_MESSAGE) in body
    assert mask_id_number(MINE_ID) not in body
    # Phone and ID number share one count; other searches still work.
    assert _list_names(client, MINE_PHONE)[0] == []
    assert _list_names(client, "刘德华")[0] == ["刘德华"]
    refused = AccessLog.objects.filter(reason=str(REFUSED_NOTE))
    assert refused.count() == 2
    assert set(refused.values_list("object_id", flat=True)) == {""}
    assert AccessLog.objects.count() == LIMIT + 2
    assert MINE_ID not in _logged_text() and MINE_PHONE not in _logged_text()


def test_export_beyond_the_limit_is_empty(login, tree, mine):
    role = Role.objects.create(code="export_only", name="导出无查看权限")
    role.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="people", codename__in=["view_person", "export_person"]
        )
    )
    user = UserFactory(username="exporter")
    RoleAssignment.objects.create(user=user, role=role, organization=tree.huangtupu)
    client = login(user)
    for _ in range(LIMIT):
        response = client.get(reverse("people:list"), {"q": MINE_ID, "export": "xlsx"})
        assert len(_sheet_rows(response)) == 2  # header and 刘德华
    response = client.get(reverse("people:list"), {"q": MINE_ID, "export": "xlsx"})
    assert len(_sheet_rows(response)) == 1  # the header only
    assert AccessLog.objects.filter(reason=str(REFUSED_NOTE)).count() == 1


def _sheet_rows(response) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_global_search_refuses_beyond_the_limit(login, station_staff, mine):
    client = login(station_staff)
    for _ in range(LIMIT):
        assert _search_names(client, MINE_ID)[0] == ["刘德华"]
    names, body = _search_names(client, MINE_ID)
    assert names == []
    assert 'data-testid="search-refused"' in body
    assert str(THROTTLED_MESSAGE) in body
    assert "刘德华" not in body


def test_api_answers_429_throttled_beyond_the_limit(api_client, station_staff, mine):
    api = api_client(station_staff)
    for _ in range(LIMIT):
        response = api.get(API, q=MINE_ID)
        assert [p["name"] for p in response.json()["items"]] == ["刘德华"]
    response = api.get(API, q=MINE_ID)
    assert response.status_code == 429
    assert response.json() == {"code": "throttled", "message": str(THROTTLED_MESSAGE), "errors": []}
    assert api.get(API, q=MINE_ID[-4:]).json()["count"] == 1
    assert set(AccessLog.objects.values_list("channel", flat=True)) == {"api"}
    assert AccessLog.objects.count() == LIMIT + 1


def test_case_person_lookup_refuses_beyond_the_limit(login, station_staff, mine):
    client = login(station_staff)
    url = reverse("cases:person_lookup")
    for _ in range(LIMIT):
        body = client.get(url, {"lookup": MINE_ID}).content.decode()
        assert body.count('data-testid="person-match"') == 1
    body = client.get(url, {"lookup": MINE_ID}).content.decode()
    assert 'data-testid="person-match"' not in body
    assert str(THROTTLED_MESSAGE) in body


def test_channels_share_one_count(login, api_client, station_staff, mine):
    client = login(station_staff)
    _list_names(client, MINE_ID)
    _search_names(client, OTHER_IDS[1])
    assert api_client(station_staff).get(API, q=MINE_PHONE).status_code == 200
    assert api_client(station_staff).get(API, q=MINE_ID).status_code == 429
    assert _list_names(client, MINE_ID)[0] == []


def test_count_is_per_user(login, station_staff, mine, tree, roles):
    other = give_role(UserFactory(username="station2"), "station_staff", tree.huangtupu)
    for _ in range(LIMIT + 1):
        _list_names(login(station_staff), MINE_ID)
    assert _list_names(login(other), MINE_ID)[0] == ["刘德华"]


def test_limit_lasts_one_hour_from_the_first_search(login, station_staff, mine):
    client = login(station_staff)
    for _ in range(LIMIT + 1):
        _list_names(client, MINE_ID)
    key = f"people:full-number-search:{station_staff.pk}"
    expires = cache._expire_info[cache.make_and_validate_key(key)]
    assert 0 < expires - time.time() <= THROTTLE_WINDOW
    cache.touch(key, timeout=0)  # the hour is over
    assert _list_names(client, MINE_ID)[0] == ["刘德华"]


def test_reveal_holder_is_neither_limited_nor_logged(login, api_client, township_cadre, mine):
    client = login(township_cadre)
    for q in [MINE_ID, MINE_PHONE, OTHER_IDS[0]] * 3:
        _list_names(client, q)
    assert _list_names(client, MINE_ID)[0] == ["刘德华"]
    assert _search_names(client, MINE_ID)[0] == ["刘德华"]
    assert api_client(township_cadre).get(API, q=MINE_ID).json()["count"] == 1
    assert not AccessLog.objects.exists()


def test_reveal_only_in_part_of_the_scope(tree, roles, mine, theirs):
    # Sees the whole county, may reveal only in 黄土铺镇 (where ``mine`` is registered).
    user = give_role(UserFactory(username="mixed"), "station_staff", tree.county)
    give_role(user, "township_cadre", tree.huangtupu)
    for _ in range(LIMIT + 2):
        assert list(search_persons(user, MINE_ID)) == [mine]
    assert not AccessLog.objects.exists()
    # Persons it may not reveal, and misses (which may be such persons), are counted.
    assert list(search_persons(user, THEIRS_ID)) == [theirs]
    assert list(search_persons(user, THEIRS_PHONE)) == [theirs]
    assert list(search_persons(user, OTHER_IDS[2])) == []
    with pytest.raises(FullNumberSearchThrottled):
        search_persons(user, THEIRS_ID)
    assert list(search_persons(user, MINE_ID)) == [mine]
    assert AccessLog.objects.count() == LIMIT + 1


def test_superuser_is_not_limited(superuser, mine):
    for _ in range(LIMIT + 2):
        assert list(search_persons(superuser, OTHER_IDS[3])) == []
    assert list(search_persons(superuser, MINE_ID)) == [mine]
    assert not AccessLog.objects.exists()


def test_counter_on_redis(settings, station_staff):
    """The count is atomic and expires on Redis too (production's cache)."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    key = f"people:full-number-search:{station_staff.pk}"
    try:
        assert [count_full_number_search(station_staff) for _ in range(4)] == [1, 2, 3, 4]
        client = redis.Redis.from_url(url)
        ttl = client.ttl(cache.make_and_validate_key(key))
        assert 0 < ttl <= THROTTLE_WINDOW
    finally:
        cache.delete(key)
