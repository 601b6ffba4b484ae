"""The cases API: the permission matrix (anonymous, worker, out-of-scope, in scope without
and with permission), workers' own cases only, staff actions through the services,
stable error codes, and query counts of the list."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huigong.cases import services
from huigong.cases.models import Case, CaseStatus, Channel
from huigong.testing.factories import PersonFactory, make_id_number

BASE = "/api/v1/cases"


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def own(make_worker_case):
    return make_worker_case(description="拖欠两个月工资", channel=Channel.API)


def state(case):
    case.refresh_from_db()
    return case.status, case.organization_id, case.events.count()


def test_anonymous_is_401(client, case):
    for response in (client.get(f"{BASE}/cases"), client.get(f"{BASE}/cases/{case.pk}")):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    before = state(case)
    response = client.post(f"{BASE}/cases/{case.pk}/accept", "{}", content_type="application/json")
    assert response.status_code in (401, 403)
    assert state(case) == before


def test_in_scope_without_permission_is_403(api, hr, case):
    response = api(hr).get("/cases")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert api(hr).get(f"/cases/{case.pk}").status_code == 403
    before = state(case)
    assert api(hr).post(f"/cases/{case.pk}/accept").status_code == 403
    assert state(case) == before


def test_out_of_scope_is_404_and_invisible(api, sibling_cadre, case):
    client = api(sibling_cadre)
    assert client.get("/cases").json()["items"] == []
    response = client.get(f"/cases/{case.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    before = state(case)
    for path, data in (
        ("accept", {}),
        ("notes", {"note": "x"}),
        ("escalate", {"reason": "x"}),
        ("resolve", {"outcome": "resolved_in_favour", "result_text": "x"}),
        ("close", {}),
    ):
        assert client.post(f"/cases/{case.pk}/{path}", data).status_code == 404
    assert state(case) == before


def test_staff_list_filters_and_queues(api, township_cadre, make_case, categories):
    first = make_case()
    second = make_case(
        category=categories["labour_contract"],
        applicants=[{"name": "赵敏", "id_number": make_id_number()}],
    )
    services.accept_case(actor=township_cadre, case=second)
    client = api(township_cadre)
    numbers = lambda r: [c["number"] for c in r.json()["items"]]  # noqa: E731
    assert sorted(numbers(client.get("/cases"))) == sorted([first.number, second.number])
    assert numbers(client.get("/cases", status="accepted")) == [second.number]
    assert numbers(client.get("/cases", category=categories["labour_contract"].pk)) == [
        second.number
    ]
    assert numbers(client.get("/cases", queue="awaiting")) == [first.number]
    assert numbers(client.get("/cases", queue="mine")) == [second.number]
    item = client.get("/cases", queue="awaiting").json()["items"][0]
    assert item["status_label"] == "待受理"
    assert item["deadline"]
    for bad in ({"status": "bogus"}, {"queue": "bogus"}, {"page": 0}, {"category": "x"}):
        response = client.get("/cases", **bad)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid_input"


def test_list_query_count_does_not_grow(
    api, township_cadre, make_case, django_assert_max_num_queries
):
    client = api(township_cadre)
    make_case()
    client.get("/cases")
    with django_assert_max_num_queries(12) as few:
        client.get("/cases")
    for i in range(10):
        make_case(applicants=[{"name": f"职工{i}", "id_number": make_id_number()}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/cases")
    assert response.json()["count"] == 11


def test_worker_sees_only_own_cases_and_public_timeline(
    api, worker, tree, township_cadre, own, case
):
    services.accept_case(actor=township_cadre, case=own)
    services.add_note(actor=township_cadre, case=own, note="内部备注")
    client = api(worker)
    items = client.get("/cases").json()["items"]
    assert [c["number"] for c in items] == [own.number]
    assert client.get(f"/cases/{case.pk}").status_code == 404
    data = client.get(f"/cases/{own.pk}").json()
    kinds = [e["kind"] for e in data["timeline"]]
    assert "accepted" in kinds and "note" not in kinds
    assert "内部备注" not in json.dumps(data, ensure_ascii=False)
    assert data["referrals"] == [] and data["supervisions"] == []
    assert set(data["actions"]) == {"add_note", "add_attachment", "withdraw"}


def test_worker_submits_adds_information_and_rates(
    api, worker, township_cadre, categories, tree, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = api(worker)
    response = client.post(
        "/cases",
        {"category_id": categories["wage_arrears"].pk, "description": "老板拖欠工资 5000 元"},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.channel == Channel.API
    assert case.organization == tree.huangtupu
    assert case.parties.get().person == worker.person
    assert data["title"] == "老板拖欠工资 5000 元"

    assert client.post(f"/cases/{case.pk}/notes", {"note": "补充:还有加班费"}).status_code == 201
    photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50, content_type="image/png")
    response = client.upload(f"/cases/{case.pk}/attachments", photo)
    assert response.status_code == 201
    assert [a["name"] for a in response.json()["attachments"]] == ["a.png"]
    bad = SimpleUploadedFile("a.png", b"not a png", content_type="image/png")
    response = client.upload(f"/cases/{case.pk}/attachments", bad)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"

    # Staff actions are not for workers.
    before = state(case)
    response = client.post(f"/cases/{case.pk}/accept")
    assert response.status_code == 403
    assert state(case) == before

    # Rating before resolution: invalid_state.
    response = client.post(f"/cases/{case.pk}/rate", {"satisfaction": "satisfied"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    services.accept_case(actor=township_cadre, case=case)
    services.resolve_case(
        actor=township_cadre, case=case, outcome="resolved_in_favour", result_text="已追回"
    )
    assert "rate" in client.get(f"/cases/{case.pk}").json()["actions"]
    response = client.post(f"/cases/{case.pk}/rate", {"satisfaction": "satisfied"})
    assert response.status_code == 200
    assert response.json()["satisfaction"] == "satisfied"


def test_staff_handles_a_case_end_to_end(
    api, township_cadre, county_cadre, case, labour_inspection
):
    client = api(township_cadre)
    assert client.post(f"/cases/{case.pk}/accept").json()["status"] == "accepted"
    departments = client.get(f"/cases/{case.pk}/departments").json()
    assert [d["name"] for d in departments] == [labour_inspection.name]
    response = client.post(f"/cases/{case.pk}/contacts", {"note": "已联系单位"})
    assert response.status_code == 200
    data = client.post(
        f"/cases/{case.pk}/refer", {"department_id": labour_inspection.pk, "note": "请监察"}
    ).json()
    assert data["status"] == "referred"
    referral_id = data["referrals"][0]["id"]
    assert (
        client.post(f"/cases/{case.pk}/referrals/999999/reply", {"reply_text": "x"}).status_code
        == 404
    )
    data = client.post(
        f"/cases/{case.pk}/referrals/{referral_id}/reply", {"reply_text": "已责令支付"}
    ).json()
    assert data["status"] == "accepted"
    data = api(county_cadre).post(f"/cases/{case.pk}/supervise", {"comment": "请加快"}).json()
    supervision_id = data["supervisions"][0]["id"]
    response = client.post(
        f"/cases/{case.pk}/supervisions/{supervision_id}/answer", {"response": "本周办结"}
    )
    assert response.status_code == 200
    response = client.post(
        f"/cases/{case.pk}/resolve",
        {
            "outcome": "resolved_in_favour",
            "result_text": "追回工资",
            "amount_recovered": "11500.00",
            "workers_benefited": 1,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["amount_recovered"] == "11500.00"
    assert client.post(f"/cases/{case.pk}/rate", {"satisfaction": "basically"}).status_code == 200
    assert client.post(f"/cases/{case.pk}/close", {"note": "归档"}).json()["status"] == "closed"

    # A closed case acted on: invalid_state with a Chinese message, nothing changed.
    before = state(case)
    response = client.post(f"/cases/{case.pk}/notes", {"note": "再记一笔"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert "已归档" in response.json()["message"]
    assert state(case) == before


def test_staff_intake_through_the_api(api, station_staff, categories, tree):
    known = PersonFactory(organization=tree.xinfa, name="刘德华")
    client = api(station_staff)
    response = client.post(
        "/cases",
        {
            "organization_id": tree.huangtupu.pk,
            "channel": "hotline_12351",
            "kind": "rights",
            "category_id": categories["wage_arrears"].pk,
            "description": "集体欠薪",
            "applicants": [
                {"person_id": known.pk},
                {"name": "张小龙", "id_number": make_id_number()},
            ],
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.channel == "hotline_12351"
    assert case.parties.count() == 2
    # Out-of-scope organization or person: field errors.
    response = client.post(
        "/cases",
        {
            "organization_id": tree.baidishi.pk,
            "category_id": categories["wage_arrears"].pk,
            "description": "x",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organization_id"
    stranger = PersonFactory(organization=tree.liuquan)
    response = client.post(
        "/cases",
        {
            "organization_id": tree.huangtupu.pk,
            "category_id": categories["wage_arrears"].pk,
            "description": "x",
            "applicants": [{"person_id": stranger.pk}],
        },
    )
    assert response.status_code == 400
    assert Case.objects.count() == 1


def test_bad_input_never_500(api, station_staff, worker, categories, tree, own):
    staff = api(station_staff)
    response = staff.post("/cases", {"description": "缺类别"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    response = staff.post(
        "/cases",
        {
            "organization_id": tree.huangtupu.pk,
            "category_id": categories["other"].pk,
            "description": "",
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    response = api(worker).post(
        "/cases",
        {"category_id": categories["other"].pk, "description": "字" * (5 * 1024 * 1024 // 3)},
    )
    assert response.status_code in (400, 413)
    assert response.json()["code"] in ("validation_error", "invalid_input")
    assert staff.post("/cases", raw="{not json").status_code in (400, 422)
    assert staff.get("/cases/abc").status_code == 404
    assert staff.get(f"/cases/{2**70}").status_code in (404, 422)
    response = api(worker).post(f"/cases/{own.pk}/rate", {"satisfaction": "很好"})
    assert response.status_code == 422
    response = staff.post(
        "/cases",
        {
            "organization_id": tree.huangtupu.pk,
            "category_id": categories["other"].pk,
            "description": "x",
            "amount_claimed": "-5",
            "applicants": [{"name": "某人", "id_number": make_id_number()}],
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "amount_claimed"
    assert Case.objects.count() == 1


def test_categories(api, worker, categories):
    names = [c["name"] for c in api(worker).get("/categories").json()]
    assert "欠薪" in names and len(names) == len(categories)


def test_openapi_document_lists_case_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert f"{BASE}/cases" in spec["paths"]
    assert f"{BASE}/cases/{{case_id}}/resolve" in spec["paths"]


def test_escalate_and_withdraw(api, township_cadre, tree, case, make_case):
    client = api(township_cadre)
    data = client.post(f"/cases/{case.pk}/escalate", {"reason": "人数多"}).json()
    assert data["organization"]["name"] == tree.county.name
    # Escalated out of the township's scope? The county is above it: 404 from now on.
    assert client.get(f"/cases/{case.pk}").status_code == 404
    other = make_case()
    data = client.post(f"/cases/{other.pk}/withdraw", {"reason": "已和解"}).json()
    assert data["status"] == CaseStatus.WITHDRAWN
