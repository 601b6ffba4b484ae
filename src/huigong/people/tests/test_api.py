import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huigong.audit.models import AccessLog, ChangeLog
from huigong.common.crypto import mask_id_number, mask_phone
from huigong.people import services
from huigong.people.models import HouseholdMember, Person
from huigong.testing.factories import PersonFactory, make_id_number

from .conftest import MINE_ID, MINE_PHONE, OLD_ID, THEIRS_ID, THEIRS_PHONE

BASE = "/api/v1/people"


def person_url(person_or_pk, suffix=""):
    pk = getattr(person_or_pk, "pk", person_or_pk)
    return f"{BASE}/persons/{pk}{suffix}"


def new_person(org, **fields):
    data = {
        "organization_id": org.pk,
        "name": "张小龙",
        "id_number": make_id_number(birth=datetime.date(1991, 1, 1)),
    }
    data.update(fields)
    return data


def assert_masked(response, *values):
    text = response.content.decode()
    for value in values:
        assert value not in text


# -- authentication and the permission matrix ---------------------------------------------


def test_anonymous_gets_401_with_code(client, tree, mine):
    response = client.get(f"{BASE}/persons")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_bad_token_is_401(client, tree, mine):
    response = client.get(f"{BASE}/persons", headers={"Authorization": "Bearer hg_nope"})
    assert response.status_code == 401


@pytest.mark.parametrize("who", ["hr", "worker"])
def test_users_without_view_permission_get_403(request, api_client, tree, mine, who):
    api = api_client(request.getfixturevalue(who))
    for response in (api.get(f"{BASE}/persons"), api.get(person_url(mine))):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_session_auth_works_for_reads(client, tree, township_cadre, mine):
    client.force_login(township_cadre)
    assert client.get(person_url(mine)).status_code == 200


# -- list and detail ------------------------------------------------------------------------


def test_list_is_scoped_paginated_and_masked(api_client, tree, township_cadre, mine, theirs):
    PersonFactory.create_batch(3, organization=tree.xinfa)
    response = api_client(township_cadre).get(f"{BASE}/persons", page_size=2)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4
    assert len(data["items"]) == 2
    response = api_client(township_cadre).get(f"{BASE}/persons", page_size=200)
    items = response.json()["items"]
    assert {i["organization"]["id"] for i in items} == {tree.xinfa.pk}
    assert theirs.pk not in {i["id"] for i in items}
    item = next(i for i in items if i["name"] == "刘德华")
    assert item["id_number_masked"] == mask_id_number(MINE_ID)
    assert item["phone_masked"] == mask_phone(MINE_PHONE)
    assert item["organization"] == {"id": tree.xinfa.pk, "name": "新发食品有限公司工会"}
    assert "id_number" not in item and "phone" not in item
    assert_masked(response, MINE_ID, MINE_PHONE, THEIRS_ID, THEIRS_PHONE)


def test_list_search_and_filters(api_client, tree, county_cadre, mine, theirs):
    api = api_client(county_cadre)

    def names(**params):
        response = api.get(f"{BASE}/persons", **params)
        assert response.status_code == 200, response.content
        return {i["name"] for i in response.json()["items"]}

    assert names(q="劉德華") == {"刘德华"}
    assert names(q="wjg") == {"王建国"}
    assert names(q=MINE_ID.lower()) == {"刘德华"}
    assert names(q=THEIRS_PHONE[-4:]) == {"王建国"}
    assert names(organization=tree.baidishi.pk) == {"王建国"}
    assert names(birth_year_from=1989) == {"刘德华"}
    assert names(is_member="false") == {"刘德华", "王建国"}


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": 10**12},
        {"page_size": 0},
        {"birth_year_from": 99999},
        {"employment_form": "astronaut"},
        {"organization": "abc"},
    ],
)
def test_bad_list_parameters_are_422(api_client, tree, county_cadre, mine, params):
    response = api_client(county_cadre).get(f"{BASE}/persons", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_filter_by_out_of_scope_organization_is_rejected(api_client, tree, township_cadre, theirs):
    response = api_client(township_cadre).get(f"{BASE}/persons", organization=tree.liuquan.pk)
    assert response.status_code == 422
    assert "王建国" not in response.content.decode()


def test_list_query_count_does_not_grow(api_client, tree, county_cadre):
    api = api_client(county_cadre)
    PersonFactory.create_batch(2, organization=tree.xinfa, employer=tree.xinfa)
    api.get(f"{BASE}/persons")
    with CaptureQueriesContext(connection) as few:
        api.get(f"{BASE}/persons")
    PersonFactory.create_batch(20, organization=tree.liuquan, employer=tree.liuquan)
    with CaptureQueriesContext(connection) as many:
        response = api.get(f"{BASE}/persons")
    assert response.json()["count"] == 22
    assert len(many) == len(few)
    assert len(few) <= 8


def test_detail_masked_and_scoped(api_client, tree, township_cadre, sibling_cadre, mine):
    response = api_client(township_cadre).get(person_url(mine))
    assert response.status_code == 200
    assert response.json()["id_number_masked"] == mask_id_number(MINE_ID)
    assert_masked(response, MINE_ID, MINE_PHONE)
    response = api_client(sibling_cadre).get(person_url(mine))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("pk", ["999999", str(2**63), str(10**30), "abc", "-1"])
def test_guessed_ids_are_404(api_client, tree, county_cadre, pk):
    api = api_client(county_cadre)
    assert api.get(f"{BASE}/persons/{pk}").status_code == 404
    assert api.post(f"{BASE}/persons/{pk}/reveal", {"reason": "case"}).status_code == 404
    assert api.get(f"{BASE}/persons/{pk}/household").status_code == 404


def test_sibling_guessing_ids_changes_nothing(
    api_client, tree, township_cadre, sibling_cadre, mine
):
    member = services.add_household_member(
        actor=township_cadre, person=mine, relation="child", name="刘小明"
    ).member
    api = api_client(sibling_cadre)
    calls = [
        api.patch(person_url(mine), {"name": "改名"}),
        api.post(person_url(mine, "/reveal"), {"reason": "case"}),
        api.post(person_url(mine, "/household"), {"relation": "child", "name": "乙"}),
        api.patch(person_url(mine, f"/household/{member.pk}"), {"name": "改名"}),
        api.delete(person_url(mine, f"/household/{member.pk}")),
    ]
    assert [r.status_code for r in calls] == [404] * 5
    assert Person.objects.get(pk=mine.pk).name == "刘德华"
    assert list(HouseholdMember.objects.values_list("name", flat=True)) == ["刘小明"]
    assert not AccessLog.objects.exists()


# -- create and update ----------------------------------------------------------------------


def test_create_normalises_and_returns_masked(api_client, tree, township_cadre):
    response = api_client(township_cadre).post(
        f"{BASE}/persons",
        new_person(
            tree.xinfa,
            name=" 陳 靜 ",
            id_number=OLD_ID.lower(),
            phone="１３９ ００００ ５５５５",
            employment_form="new_form",
            new_form_type="courier",
            employer_id=tree.xinfa.pk,
        ),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "陈 静"
    assert data["employer"] == {"id": tree.xinfa.pk, "name": "新发食品有限公司工会"}
    assert data["id_number_masked"] == mask_id_number(OLD_ID)
    assert len(data["warnings"]) == 1 and "430426" in data["warnings"][0]
    assert_masked(response, OLD_ID, "13900005555")
    person = Person.objects.get(pk=data["id"])
    assert (person.id_number, person.phone) == (OLD_ID, "13900005555")
    assert ChangeLog.objects.filter(object_id=str(person.pk), action="create").exists()


def test_create_validation_errors_are_field_keyed(api_client, tree, township_cadre, theirs):
    response = api_client(township_cadre).post(
        f"{BASE}/persons",
        new_person(tree.xinfa, id_number=THEIRS_ID, phone="12", new_form_type="rider"),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["id_number"] == "该身份证号码已在其他单位登记,请联系上级工会"
    assert "phone" in fields and "new_form_type" in fields
    assert "王建国" not in response.content.decode()
    assert Person.objects.count() == 1


def test_create_in_out_of_scope_organization(api_client, tree, township_cadre):
    response = api_client(township_cadre).post(f"{BASE}/persons", new_person(tree.liuquan))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organization_id"
    response = api_client(township_cadre).post(
        f"{BASE}/persons", new_person(tree.xinfa, employer_id=tree.liuquan.pk)
    )
    assert response.json()["errors"][0]["field"] == "employer_id"
    assert not Person.objects.exists()


def test_create_permission_matrix(api_client, tree, auditor, station_staff, hr):
    assert api_client(auditor).post(f"{BASE}/persons", new_person(tree.xinfa)).status_code == 403
    assert api_client(hr).post(f"{BASE}/persons", new_person(tree.xinfa)).status_code == 403
    assert not Person.objects.exists()
    response = api_client(station_staff).post(f"{BASE}/persons", new_person(tree.xinfa))
    assert response.status_code == 201


def test_malformed_json_is_a_400_with_code(api_client, tree, township_cadre):
    response = api_client(township_cadre).post(f"{BASE}/persons", raw='{"name": "张三",')
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": 123},
        {"organization_id": "abc"},
        {"organization_id": 2**64},
        {"is_member": "maybe"},
        {"employment_form": "astronaut"},
    ],
)
def test_wrong_types_are_422(api_client, tree, township_cadre, body):
    response = api_client(township_cadre).post(f"{BASE}/persons", new_person(tree.xinfa, **body))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not Person.objects.exists()


def test_five_megabyte_fields_get_a_4xx_with_code(api_client, tree, township_cadre, mine):
    api = api_client(township_cadre)
    huge = "张" * (5 * 1024 * 1024 // 3)
    for field in ("name", "address", "employer_name", "notes", "id_number", "phone"):
        response = api.post(f"{BASE}/persons", new_person(tree.xinfa, **{field: huge}))
        assert response.status_code == 400, field
        assert response.json()["code"] == "validation_error"
        assert response.json()["errors"][0]["field"] == field
    response = api.patch(person_url(mine), {"name": huge})
    assert response.status_code == 400
    response = api.post(person_url(mine, "/reveal"), {"reason": "other", "note": huge})
    assert response.status_code == 422
    assert Person.objects.count() == 1
    assert not AccessLog.objects.exists()


def test_body_over_the_upload_limit_is_413(api_client, tree, township_cadre, settings):
    body = json.dumps(
        new_person(tree.xinfa, notes="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    )
    response = api_client(township_cadre).post(f"{BASE}/persons", raw=body)
    assert response.status_code == 413
    assert response.json()["code"] == "invalid_input"
    assert not Person.objects.exists()


def test_update_only_changes_sent_fields(api_client, tree, township_cadre, mine):
    response = api_client(township_cadre).patch(
        person_url(mine), {"address": "黃土鋪鎮", "is_member": True}
    )
    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == []
    person = Person.objects.get(pk=mine.pk)
    assert (person.address, person.is_member, person.name) == ("黄土铺镇", True, "刘德华")
    assert (person.id_number, person.phone) == (MINE_ID, MINE_PHONE)
    log = ChangeLog.objects.get(action="update")
    assert set(log.changes) == {"address", "is_member"}


def test_update_refuses_nulls_for_required_fields(api_client, tree, township_cadre, mine):
    response = api_client(township_cadre).patch(person_url(mine), {"name": None})
    assert response.status_code == 400
    assert Person.objects.get(pk=mine.pk).name == "刘德华"


def test_update_permission_matrix(api_client, tree, auditor, station_staff, mine):
    assert api_client(auditor).patch(person_url(mine), {"name": "改"}).status_code == 403
    assert Person.objects.get(pk=mine.pk).name == "刘德华"
    assert api_client(station_staff).patch(person_url(mine), {"name": "改"}).status_code == 200


# -- reveal ----------------------------------------------------------------------------------


def test_reveal_returns_full_values_and_logs_api_channel(api_client, tree, township_cadre, mine):
    response = api_client(township_cadre).post(
        person_url(mine, "/reveal"), {"reason": "verify_identity", "note": "来电核实"}
    )
    assert response.status_code == 200
    assert response.json() == {"id_number": MINE_ID, "phone": MINE_PHONE}
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.actor, log.channel, log.reason_code, log.reason, log.object_id) == (
        township_cadre,
        "api",
        "verify_identity",
        "来电核实",
        str(mine.pk),
    )


def test_reveal_requires_reason_and_permission(
    api_client, tree, township_cadre, station_staff, mine
):
    response = api_client(township_cadre).post(person_url(mine, "/reveal"), {"reason": "核对"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("reason")
    response = api_client(township_cadre).post(person_url(mine, "/reveal"), {})
    assert response.status_code == 422
    response = api_client(township_cadre).post(person_url(mine, "/reveal"), {"reason": "other"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "note", "message": "选择“其他”时请写明查看原因", "type": "invalid"}
    ]
    response = api_client(station_staff).post(person_url(mine, "/reveal"), {"reason": "case"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert MINE_ID not in response.content.decode()
    assert not AccessLog.objects.exists()


# -- household -------------------------------------------------------------------------------


def test_household_crud(api_client, tree, township_cadre, mine):
    api = api_client(township_cadre)
    number = make_id_number(birth=datetime.date(2012, 9, 1))
    response = api.post(
        person_url(mine, "/household"),
        {"relation": "child", "name": "劉小明", "id_number": number, "monthly_income": "0"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["name"] == "刘小明"
    assert created["birth_year"] == 2012 and "birth_date" not in created
    assert created["id_number_masked"] == mask_id_number(number)
    assert_masked(response, number)

    url = person_url(mine, f"/household/{created['id']}")
    response = api.patch(url, {"health": "disabled", "disability_grade": 2})
    assert response.status_code == 200, response.content
    assert response.json()["disability_grade"] == 2

    listed = api.get(person_url(mine, "/household"))
    assert [m["name"] for m in listed.json()] == ["刘小明"]
    assert_masked(listed, number)

    assert api.delete(url).status_code == 204
    assert not HouseholdMember.objects.exists()
    assert api.delete(url).status_code == 404
    actions = list(
        ChangeLog.objects.filter(object_type="people.householdmember")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_household_errors_and_permissions(api_client, tree, township_cadre, station_staff, mine):
    api = api_client(township_cadre)
    response = api.post(
        person_url(mine, "/household"),
        {"relation": "child", "name": "乙", "monthly_income": "-1"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "monthly_income"
    response = api.post(person_url(mine, "/household"), {"relation": "cousin", "name": "乙"})
    assert response.status_code == 422
    response = api_client(station_staff).post(
        person_url(mine, "/household"), {"relation": "child", "name": "乙"}
    )
    assert response.status_code == 403
    assert not HouseholdMember.objects.exists()


def test_member_of_another_person_is_404(api_client, tree, township_cadre, mine):
    other = PersonFactory(organization=tree.xinfa)
    member = services.add_household_member(
        actor=township_cadre, person=other, relation="child", name="别人的孩子"
    ).member
    api = api_client(township_cadre)
    assert api.patch(person_url(mine, f"/household/{member.pk}"), {"name": "x"}).status_code == 404
    assert api.delete(person_url(mine, f"/household/{member.pk}")).status_code == 404
    assert HouseholdMember.objects.get().name == "别人的孩子"


def test_openapi_documents_the_people_endpoints(client, tree):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert f"{BASE}/persons" in schema["paths"]
    assert f"{BASE}/persons/{{person_id}}/reveal" in schema["paths"]
