"""Shared test fixtures: a small federation tree and one named user per role.

Loaded as a pytest plugin from the root ``conftest.py``. Like healthchecks' alice/bob,
the users have fixed names so a test reads as a story:

- ``county_cadre`` (祁东县总工会, federation cadre) sees both townships;
- ``township_cadre`` (黄土铺镇) and ``sibling_cadre`` (白地市镇) are sibling townships;
- ``station_staff`` (黄土铺镇) may register people but not reveal ID numbers;
- ``hr`` (新发食品公司工会, enterprise HR) is in scope but holds no case or person permission;
- ``worker`` has a portal account linked to a person in 黄土铺镇, ``other_worker`` is a
  neighbour of theirs in the same union.

``login(user)`` gives Django's test client logged in as ``user``; ``api_client(user,
base=...)`` calls the API with a bearer token of ``user``; ``run_import(kind, file)``
uploads a file on an import page with that client and returns the checked job.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .api import ApiClient
from .factories import OrganizationFactory, PersonFactory, UserFactory, give_role

PASSWORD = "Huigong-test-2026"


@dataclass
class Tree:
    province: object
    city: object
    county: object
    huangtupu: object  # 黄土铺镇 township union federation
    baidishi: object  # 白地市镇 township union federation
    xinfa: object  # a grassroots union in 黄土铺镇 (新发食品公司工会)
    liuquan: object  # a grassroots union in 白地市镇 (流泉村工会)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a request with an English cookie
    would otherwise leave English active for the rest of the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: counters kept there (the full-number search
    limit, keyed by user id) would otherwise carry over to a later test's user."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path_factory):
    """Uploads of each test go to a fresh private storage, never into the developer's
    ``var/private``."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")


@pytest.fixture
def roles(db):
    from huigong.accounts.services import seed_roles

    seed_roles()


@pytest.fixture
def tree(db) -> Tree:
    province = OrganizationFactory.root(
        name="湖南省总工会", kind="province", division_code="430000"
    )
    city = OrganizationFactory.child(
        province, name="衡阳市总工会", kind="city", division_code="430400"
    )
    county = OrganizationFactory.child(
        city, name="祁东县总工会", kind="county", division_code="430426"
    )
    huangtupu = OrganizationFactory.child(
        county, name="黄土铺镇工会联合会", kind="township", division_code="430426112"
    )
    baidishi = OrganizationFactory.child(
        county, name="白地市镇工会联合会", kind="township", division_code="430426111"
    )
    xinfa = OrganizationFactory.child(
        huangtupu, name="新发食品有限公司工会", kind="grassroots", category="enterprise"
    )
    liuquan = OrganizationFactory.child(
        baidishi, name="流泉村工会", kind="grassroots", category="rural_community"
    )
    return Tree(province, city, county, huangtupu, baidishi, xinfa, liuquan)


@pytest.fixture
def county_cadre(tree, roles):
    return give_role(
        UserFactory(username="county", name="县总工会干部"), "federation_cadre", tree.county
    )


@pytest.fixture
def township_cadre(tree, roles):
    return give_role(
        UserFactory(username="huangtupu", name="罗芳"), "township_cadre", tree.huangtupu
    )


@pytest.fixture
def sibling_cadre(tree, roles):
    return give_role(
        UserFactory(username="baidishi", name="白地市干部"), "township_cadre", tree.baidishi
    )


@pytest.fixture
def station_staff(tree, roles):
    return give_role(
        UserFactory(username="station", name="站点工作人员"), "station_staff", tree.huangtupu
    )


@pytest.fixture
def auditor(tree, roles):
    return give_role(UserFactory(username="auditor", name="审计员"), "auditor", tree.county)


@pytest.fixture
def hr(tree, roles):
    """In scope (新发食品), but without any case or person permission."""
    return give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", name="系统管理员", is_superuser=True, is_staff=True)


@pytest.fixture
def worker(tree):
    person = PersonFactory(organization=tree.xinfa, name="肖华清", phone="13800000001")
    return UserFactory(
        username="w13800000001", name=person.name, kind="worker", phone="13800000001", person=person
    )


@pytest.fixture
def other_worker(tree):
    """A neighbour of ``worker`` in the same union, with a portal account of their own."""
    person = PersonFactory(organization=tree.xinfa, name="邻居")
    return UserFactory(
        username="w13800000002", name="邻居", kind="worker", phone="13800000002", person=person
    )


@pytest.fixture
def login(client):
    """``login(user)``: the test client, logged in as ``user``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client(client):
    """``api_client(user, base="/api/v1/cases")``: calls the API with a bearer token of
    ``user``, paths relative to ``base``."""

    def _api_client(user, base: str = "") -> ApiClient:
        return ApiClient(client, user, base)

    return _api_client


@pytest.fixture
def run_import(client, django_capture_on_commit_callbacks):
    """``run_import(kind, file)``: uploads ``file`` on the import page of ``kind`` with the
    test client (log in first), runs the worker's check and returns the job with its page
    (``testing.imports.ImportRun``, which can ``confirm()`` and ``cancel()``)."""
    from .imports import ImportRunner

    return ImportRunner(client, django_capture_on_commit_callbacks)
