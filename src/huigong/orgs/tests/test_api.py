"""The organizations API: token auth, scope, validation, stable error codes."""

from __future__ import annotations

import json

import pytest

from huigong.accounts.models import ApiToken
from huigong.orgs.models import Organization
from huigong.testing.factories import OrganizationFactory, PersonFactory

from .conftest import db_state

BASE = "/api/v1/orgs/"


class Api:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, client, user=None):
        self.client = client
        self.headers = {}
        if user is not None:
            _, key = ApiToken.issue(user, "测试", scope="write")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self.headers)

    def send(self, method, path, body):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return getattr(self.client, method)(
            path, data, content_type="application/json", **self.headers
        )

    def post(self, path, body):
        return self.send("post", path, body)

    def patch(self, path, body):
        return self.send("patch", path, body)


@pytest.fixture
def api_as(client):
    return lambda user=None: Api(client, user)


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


# -- authentication --------------------------------------------------------------------------


def test_anonymous_and_bad_tokens_get_401(client, tree):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer hg_not-a-real-key"}):
        response = client.get(BASE, **headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    assert client.post(BASE, "{}", content_type="application/json").status_code == 401


def test_session_login_works_for_reading(client, tree, township_cadre):
    client.force_login(township_cadre)
    response = client.get(BASE)
    assert response.status_code == 200
    assert names(response) == ["黄土铺镇工会联合会", "新发食品有限公司工会"]


# -- list, detail, children ------------------------------------------------------------------


def test_list_is_limited_to_the_scope_and_paginated(api_as, tree, county_cadre):
    api = api_as(county_cadre)
    response = api.get(BASE, {"page_size": 2})
    body = response.json()
    assert body["count"] == 5
    assert [i["name"] for i in body["items"]] == ["祁东县总工会", "黄土铺镇工会联合会"]
    assert body["items"][1]["parent_id"] == tree.county.pk
    assert body["items"][1]["kind_display"] == "乡镇(街道)工会"
    assert names(api.get(BASE, {"page": 3, "page_size": 2})) == ["流泉村工会"]


def test_list_filters(api_as, tree, county_cadre):
    api = api_as(county_cadre)
    assert names(api.get(BASE, {"q": "流泉"})) == ["流泉村工会"]
    assert names(api.get(BASE, {"kind": "township"})) == [
        "黄土铺镇工会联合会",
        "白地市镇工会联合会",
    ]
    assert names(api.get(BASE, {"category": "enterprise"})) == ["新发食品有限公司工会"]
    assert names(api.get(BASE, {"division_code": "430426111"})) == ["白地市镇工会联合会"]
    assert names(api.get(BASE, {"under": tree.baidishi.pk})) == ["白地市镇工会联合会", "流泉村工会"]
    assert names(api.get(BASE, {"status": "merged"})) == []


def test_list_rejects_bad_filters_with_stable_codes(api_as, tree, township_cadre):
    api = api_as(township_cadre)
    response = api.get(BASE, {"kind": "village"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["field"].endswith("kind")
    assert api.get(BASE, {"page": 0}).status_code == 422
    assert api.get(BASE, {"under": "abc"}).status_code == 422
    response = api.get(BASE, {"under": tree.baidishi.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_queries_do_not_grow_with_rows(
    api_as, tree, county_cadre, django_assert_max_num_queries
):
    for i in range(30):
        OrganizationFactory.child(tree.huangtupu, name=f"企业{i}工会", kind="grassroots")
    api = api_as(county_cadre)
    with django_assert_max_num_queries(6):
        response = api.get(BASE, {"page_size": 100})
    assert response.json()["count"] == 35
    assert len(response.json()["items"]) == 35


def test_detail_has_counts(api_as, tree, township_cadre):
    PersonFactory(organization=tree.xinfa)
    response = api_as(township_cadre).get(f"{BASE}{tree.huangtupu.pk}")
    body = response.json()
    assert response.status_code == 200
    assert body["name"] == "黄土铺镇工会联合会"
    assert body["division_code"] == "430426112"
    assert (body["children_count"], body["grassroots_count"], body["person_count"]) == (1, 1, 1)


@pytest.mark.parametrize(
    "path", ["{liuquan}", "{baidishi}/children", "987654", "99999999999999999999"]
)
def test_guessed_or_out_of_scope_ids_are_404(api_as, tree, township_cadre, path):
    url = BASE + path.format(liuquan=tree.liuquan.pk, baidishi=tree.baidishi.pk)
    response = api_as(township_cadre).get(url)
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "未找到该对象,或不在您的管辖范围内",
        "errors": [],
    }


def test_malformed_id_is_422(api_as, tree, township_cadre):
    response = api_as(township_cadre).get(f"{BASE}abc")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_children_lists_direct_children(api_as, tree, county_cadre):
    response = api_as(county_cadre).get(f"{BASE}{tree.county.pk}/children")
    assert names(response) == ["黄土铺镇工会联合会", "白地市镇工会联合会"]
    assert response.json()["count"] == 2


# -- create ----------------------------------------------------------------------------------


def test_create(api_as, tree, township_cadre):
    response = api_as(township_cadre).post(
        BASE,
        {
            "parent_id": tree.huangtupu.pk,
            "name": "宏達建材廠工會",
            "kind": "grassroots",
            "category": "enterprise",
            "credit_code": "91110000600037341l",
            "employee_count": 58,
            "founded_on": "2019-05-01",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "宏达建材厂工会"
    assert body["parent_id"] == tree.huangtupu.pk
    assert body["credit_code"] == "91110000600037341L"
    assert Organization.objects.get(pk=body["id"]).employee_count == 58


def test_create_validation_errors_are_400_with_fields(api_as, tree, township_cadre):
    before = db_state()
    response = api_as(township_cadre).post(
        BASE,
        {
            "parent_id": tree.xinfa.pk,
            "name": "某镇工会联合会",
            "kind": "township",
            "credit_code": "91110000600037341X",
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["kind"] == "“乡镇(街道)工会”不能设在“基层工会”之下"
    assert fields["credit_code"] == "统一社会信用代码的校验位不正确,请核对是否抄错"
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        b"\xff\xfe",
        "[]",
        {"parent_id": "abc", "name": "某工会", "kind": "grassroots"},
        {"parent_id": 1, "name": 123, "kind": "grassroots"},
        {"parent_id": 1, "name": "某工会", "kind": "village"},
        {"parent_id": 1, "name": "某工会", "kind": "grassroots", "employee_count": "many"},
        {"parent_id": 1, "name": "某工会", "kind": "grassroots", "founded_on": "去年"},
        {"parent_id": 1, "name": "某工会", "kind": "grassroots", "unknown": 1},
        {"name": "某工会", "kind": "grassroots"},
    ],
)
def test_malformed_create_requests_are_refused_cleanly(api_as, tree, township_cadre, body):
    api = api_as(township_cadre)
    before = db_state()
    response = api.post(BASE, body)
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid_input", "validation_error")
    assert response.json()["message"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("who", "status"), [("sibling_cadre", 404), ("auditor", 403), ("worker", 404)]
)
def test_create_is_refused_outside_scope_or_without_permission(api_as, tree, request, who, status):
    api = api_as(request.getfixturevalue(who))
    before = db_state()
    response = api.post(
        BASE, {"parent_id": tree.huangtupu.pk, "name": "某工会", "kind": "grassroots"}
    )
    assert response.status_code == status
    assert response.json()["code"] == {404: "not_found", 403: "permission_denied"}[status]
    assert db_state() == before


# -- update ----------------------------------------------------------------------------------


def test_update_changes_only_the_given_fields(api_as, tree, township_cadre):
    response = api_as(township_cadre).patch(
        f"{BASE}{tree.xinfa.pk}", {"contact_name": "肖华", "member_count": None}
    )
    assert response.status_code == 200
    assert response.json()["contact_name"] == "肖华"
    tree.xinfa.refresh_from_db()
    assert (tree.xinfa.name, tree.xinfa.category) == ("新发食品有限公司工会", "enterprise")


def test_update_validation_errors(api_as, tree, township_cadre):
    before = db_state()
    api = api_as(township_cadre)
    response = api.patch(f"{BASE}{tree.xinfa.pk}", {"employee_count": -1})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "employee_count",
        "message": "职工人数不能为负数",
        "type": "min_value",
    }
    assert api.patch(f"{BASE}{tree.xinfa.pk}", {"name": None}).status_code == 422
    assert api.patch(f"{BASE}{tree.xinfa.pk}", "{").status_code == 400
    assert db_state() == before


@pytest.mark.parametrize(
    ("who", "status"), [("sibling_cadre", 404), ("station_staff", 403), ("auditor", 403)]
)
def test_update_is_refused_outside_scope_or_without_permission(api_as, tree, request, who, status):
    api = api_as(request.getfixturevalue(who))
    before = db_state()
    response = api.patch(f"{BASE}{tree.xinfa.pk}", {"name": "改名"})
    assert response.status_code == status
    assert db_state() == before


# -- move ------------------------------------------------------------------------------------


def test_move(api_as, tree, county_cadre):
    response = api_as(county_cadre).post(
        f"{BASE}{tree.xinfa.pk}/move", {"parent_id": tree.baidishi.pk}
    )
    assert response.status_code == 200
    assert response.json()["parent_id"] == tree.baidishi.pk
    assert (
        Organization.objects.get_parent(Organization.objects.get(pk=tree.xinfa.pk)) == tree.baidishi
    )


def test_move_into_own_subtree_is_400(api_as, tree, county_cadre):
    before = db_state()
    response = api_as(county_cadre).post(
        f"{BASE}{tree.huangtupu.pk}/move", {"parent_id": tree.xinfa.pk}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "parent", "message": "不能移到它自己或它的下级组织之下", "type": "invalid"}
    ]
    assert db_state() == before


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("township_cadre", "huangtupu", 403),  # no move permission
        ("township_cadre", "baidishi", 404),  # target outside scope
        ("sibling_cadre", "baidishi", 404),  # source outside scope
        ("station_staff", "huangtupu", 403),
    ],
)
def test_move_is_refused_outside_scope_or_without_permission(
    api_as, tree, request, who, target, status
):
    api = api_as(request.getfixturevalue(who))
    before = db_state()
    response = api.post(f"{BASE}{tree.xinfa.pk}/move", {"parent_id": getattr(tree, target).pk})
    assert response.status_code == status
    assert db_state() == before


def test_move_body_must_be_valid(api_as, tree, county_cadre):
    api = api_as(county_cadre)
    assert api.post(f"{BASE}{tree.xinfa.pk}/move", {}).status_code == 422
    assert api.post(f"{BASE}{tree.xinfa.pk}/move", {"parent_id": [1]}).status_code == 422
    assert api.post(f"{BASE}{tree.xinfa.pk}/move", "nope").status_code == 400
