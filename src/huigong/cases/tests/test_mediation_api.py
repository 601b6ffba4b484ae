"""The mediation API: the permission matrix (anonymous, out-of-scope staff, in scope
without and with the permission, workers on their own cases), every step through the
services, the agreement PDF, stable error codes for bad input with nothing changed, and
the query count of the list."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from huigong.cases import services as case_services
from huigong.cases.models import CaseEvent, Channel, Mediation, MediationSession, MediationStatus
from huigong.cases.services import mediation as services
from huigong.testing.factories import make_id_number

BASE = "/api/v1/cases"


@pytest.fixture
def case(make_case, township_cadre):
    return case_services.accept_case(actor=township_cadre, case=make_case())


@pytest.fixture
def opened(case, mediator):
    return services.open_mediation(actor=mediator, case=case, claims="追讨欠薪 11500 元")


@pytest.fixture
def own_case(make_worker_case, township_cadre):
    """A case the worker submitted through the API, taken in hand."""
    case = make_worker_case(
        kind="rights",
        description="拖欠两个月工资 6000 元",
        employer_name="祁东县某物流公司",
        channel=Channel.API,
    )
    return case_services.accept_case(actor=township_cadre, case=case)


def _held(hours=2) -> str:
    return (timezone.localtime() - datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S")


SESSION = {
    "place": "黄土铺镇劳动关系服务站",
    "attendees": "王建国、张经理、调解员老李",
    "minutes": "内部笔录:单位承认拖欠,愿分期支付。",
}


def _in_session(mediation, mediator):
    services.sort_mediation(
        actor=mediator, mediation=mediation, team="mediation_team", mediators=[mediator]
    )
    services.record_session(
        actor=mediator,
        mediation=mediation,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        **SESSION,
    )
    mediation.refresh_from_db()
    return mediation


def state(mediation):
    mediation.refresh_from_db()
    return (
        mediation.status,
        mediation.team,
        mediation.agreement_terms,
        mediation.referred_to,
        mediation.sessions.count(),
        CaseEvent.objects.filter(case=mediation.case).count(),
    )


# -- permission matrix ----------------------------------------------------------------------------


def test_anonymous_is_401_and_changes_nothing(client, case, opened):
    before = state(opened)
    for path in ("/mediations", f"/mediations/{opened.pk}", f"/mediations/{opened.pk}/mediators"):
        response = client.get(BASE + path)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    response = client.post(
        f"{BASE}/mediations/{opened.pk}/withdraw",
        json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    response = client.post(
        f"{BASE}/cases/{case.pk}/mediations", "{}", content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert state(opened) == before


def test_in_scope_without_view_permission_is_403(api, hr, case, opened):
    client = api(hr)
    for path in (
        "/mediations",
        f"/mediations/{opened.pk}",
        f"/mediations/{opened.pk}/agreement.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    before = state(opened)
    assert client.post(f"/mediations/{opened.pk}/withdraw", {"reason": "x"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/mediations").status_code == 403
    assert state(opened) == before
    assert Mediation.objects.count() == 1


def test_in_scope_without_mediate_permission_reads_but_cannot_act(
    api, station_staff, case, opened, mediator
):
    client = api(station_staff)
    assert [m["number"] for m in client.get("/mediations").json()["items"]] == [opened.number]
    data = client.get(f"/mediations/{opened.pk}").json()
    assert data["number"] == opened.number and data["actions"] == []
    before = state(opened)
    response = client.post(
        f"/mediations/{opened.pk}/sort", {"team": "station", "mediator_ids": [mediator.pk]}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.post(f"/mediations/{opened.pk}/withdraw", {"reason": "x"}).status_code == 403
    assert state(opened) == before
    services.withdraw_mediation(actor=mediator, mediation=opened, reason="撤回")
    assert client.post(f"/cases/{case.pk}/mediations").status_code == 403
    assert Mediation.objects.count() == 1


def test_out_of_scope_staff_get_404_and_change_nothing(api, sibling_cadre, case, opened):
    client = api(sibling_cadre)
    assert client.get("/mediations").json() == {"items": [], "count": 0}
    for path in (
        f"/mediations/{opened.pk}",
        f"/mediations/{opened.pk}/agreement.pdf",
        f"/mediations/{opened.pk}/mediators",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    before = state(opened)
    for path, data in (
        ("sort", {"team": "station", "mediator_ids": [sibling_cadre.pk]}),
        ("sessions", {"held_at": _held(), **SESSION}),
        ("agreement", {"terms": "x"}),
        ("no-agreement", {"referred_to": "court", "note": "x"}),
        ("withdraw", {"reason": "x"}),
        ("follow-up", {"performed": "no"}),
        ("file", {}),
    ):
        assert client.post(f"/mediations/{opened.pk}/{path}", data).status_code == 404, path
    assert state(opened) == before
    services.withdraw_mediation(actor=None, mediation=opened, reason="撤回")
    assert client.post(f"/cases/{case.pk}/mediations").status_code == 404
    assert Mediation.objects.count() == 1


# -- staff: the whole flow ------------------------------------------------------------------------


def test_mediator_runs_a_mediation_to_filing_through_the_api(api, mediator, case):
    client = api(mediator)
    response = client.post(
        f"/cases/{case.pk}/mediations",
        {"respondent_representative": "张经理", "claims": "追讨欠薪 11500 元"},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    mediation = Mediation.objects.get(pk=data["id"])
    assert data["status"] == "intake" and data["respondent_name"] == "祁东县某建筑劳务公司"
    assert data["case"]["number"] == case.number
    assert set(data["actions"]) == {"sort", "withdraw"}
    assert [p["name"] for p in data["parties"]] == ["王建国"]

    eligible = client.get(f"/mediations/{mediation.pk}/mediators").json()
    assert {m["name"] for m in eligible} == {"调解员老李", "罗芳"}  # mediator, township cadre
    data = client.post(
        f"/mediations/{mediation.pk}/sort",
        {"team": "lawyer_volunteers", "mediator_ids": [mediator.pk], "note": "律师志愿者"},
    ).json()
    assert data["status"] == "sorting" and data["mediators"] == ["调解员老李"]
    for hours in (20, 2):
        response = client.post(
            f"/mediations/{mediation.pk}/sessions", {"held_at": _held(hours), **SESSION}
        )
        assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "in_session"
    assert [s["minutes"] for s in data["sessions"]] == [SESSION["minutes"]] * 2
    assert data["sessions"][0]["recorded_by"] == "调解员老李"
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    data = client.post(
        f"/mediations/{mediation.pk}/agreement",
        {"terms": "被申请人一次性支付工资 11500 元", "amount": "11500", "performance_due": due},
    ).json()
    assert data["status"] == "agreement"
    assert data["agreement_amount"] == "11500.00" and data["performance_due"] == due
    assert data["agreement_pdf"] is True

    pdf = client.get(f"/mediations/{mediation.pk}/agreement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    today = timezone.localdate().isoformat()
    data = client.post(
        f"/mediations/{mediation.pk}/follow-up",
        {"performed": "yes", "performed_at": today, "note": "已到账"},
    ).json()
    assert data["status"] == "followed_up" and data["performed_label"] == "已履行"
    assert data["follow_up_note"] == "已到账"
    data = client.post(f"/mediations/{mediation.pk}/file", {"note": "归档"}).json()
    assert data["status"] == "filed" and data["actions"] == []

    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.FILED
    assert mediation.agreement_amount == Decimal("11500.00")
    assert mediation.sessions.count() == 2
    kinds = [e["kind"] for e in data["timeline"]]
    assert kinds == [
        "mediation_opened",
        "mediation_sorted",
        "mediation_session",
        "mediation_session",
        "mediation_agreement",
        "mediation_followed_up",
        "mediation_filed",
    ]
    session_event = data["timeline"][2]
    assert session_event["note"] == SESSION["minutes"]
    assert any("黄土铺镇劳动关系服务站" in d for d in session_event["details"])
    assert data["timeline"][0]["actor"] == "调解员老李"


def test_no_agreement_referred_to_arbitration_then_filed(api, mediator, opened):
    _in_session(opened, mediator)
    client = api(mediator)
    data = client.post(
        f"/mediations/{opened.pk}/no-agreement", {"referred_to": "arbitration", "note": "单位拒付"}
    ).json()
    assert data["status"] == "no_agreement"
    assert data["referred_to_label"] == "劳动人事争议仲裁"
    assert data["result_note"] == "单位拒付"
    assert data["agreement_pdf"] is False
    response = client.get(f"/mediations/{opened.pk}/agreement.pdf")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.post(f"/mediations/{opened.pk}/file").json()["status"] == "filed"


def test_withdraw(api, mediator, opened):
    data = api(mediator).post(f"/mediations/{opened.pk}/withdraw", {"reason": "已私下和解"}).json()
    assert data["status"] == "withdrawn" and data["result_note"] == "已私下和解"
    opened.refresh_from_db()
    assert opened.status == MediationStatus.WITHDRAWN


def test_list_filters_by_status_organization_and_year(
    api, county_cadre, mediator, make_case, township_cadre, sibling_cadre, tree, opened
):
    other = case_services.accept_case(
        actor=sibling_cadre,
        case=make_case(
            organization=tree.baidishi,
            actor=sibling_cadre,
            applicants=[{"name": "赵敏", "id_number": make_id_number()}],
        ),
    )
    second = services.open_mediation(actor=sibling_cadre, case=other)
    services.withdraw_mediation(actor=sibling_cadre, mediation=second, reason="撤回")
    client = api(county_cadre)
    numbers = lambda r: sorted(m["number"] for m in r.json()["items"])  # noqa: E731
    assert numbers(client.get("/mediations")) == sorted([opened.number, second.number])
    assert numbers(client.get("/mediations", status="withdrawn")) == [second.number]
    assert numbers(client.get("/mediations", organization=tree.huangtupu.pk)) == [opened.number]
    assert numbers(client.get("/mediations", organization=tree.county.pk)) == sorted(
        [opened.number, second.number]
    )
    year = timezone.localdate().year
    assert len(client.get("/mediations", year=year).json()["items"]) == 2
    assert client.get("/mediations", year=year - 1).json()["items"] == []
    item = client.get("/mediations", status="intake").json()["items"][0]
    assert item["status_label"] == "受理" and item["organization"]["name"] == tree.huangtupu.name
    page = client.get("/mediations", page_size=1).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    # The township cadre sees its own township only; a sibling organization is refused.
    township = api(township_cadre)
    assert numbers(township.get("/mediations")) == [opened.number]
    response = township.get("/mediations", organization=tree.baidishi.pk)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["field"] == "organization"
    for bad in ({"status": "bogus"}, {"year": "x"}, {"year": 1900}, {"page": 0}):
        response = client.get("/mediations", **bad)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid_input"


def test_list_query_count_does_not_grow(
    api, county_cadre, mediator, make_case, township_cadre, opened, django_assert_max_num_queries
):
    client = api(county_cadre)
    client.get("/mediations")
    with django_assert_max_num_queries(12) as few:
        client.get("/mediations")
    for i in range(8):
        case = make_case(applicants=[{"name": f"职工{i}", "id_number": make_id_number()}])
        case_services.accept_case(actor=township_cadre, case=case)
        services.open_mediation(actor=mediator, case=case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/mediations")
    assert response.json()["count"] == 9


# -- workers --------------------------------------------------------------------------------------


def test_worker_reads_own_mediation_without_internal_notes(api, worker, mediator, own_case, opened):
    mine = services.open_mediation(actor=mediator, case=own_case)
    _in_session(mine, mediator)
    services.record_no_agreement(
        actor=mediator, mediation=mine, referred_to="arbitration", note="内部说明:单位态度恶劣"
    )
    client = api(worker)
    assert [m["number"] for m in client.get("/mediations").json()["items"]] == [mine.number]
    response = client.get(f"/mediations/{opened.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    data = client.get(f"/mediations/{mine.pk}").json()
    assert data["status"] == "no_agreement" and data["referred_to"] == "arbitration"
    assert data["sessions"][0]["place"] == SESSION["place"]
    assert data["sessions"][0]["minutes"] == "" and data["sessions"][0]["attendees"] == ""
    assert data["result_note"] == "" and data["actions"] == []
    kinds = [e["kind"] for e in data["timeline"]]
    assert kinds == ["mediation_opened", "mediation_session", "mediation_failed"]
    text = json.dumps(data, ensure_ascii=False)
    assert "内部笔录" not in text and "内部说明" not in text and "调解员老李" in text
    assert all(e["actor"] == "" for e in data["timeline"])
    # Workers act on nothing here.
    before = state(mine)
    assert client.post(f"/mediations/{mine.pk}/file").status_code == 403
    assert client.post(f"/cases/{own_case.pk}/mediations").status_code == 403
    assert state(mine) == before


def test_worker_downloads_own_agreement_only(api, worker, mediator, own_case, opened):
    mine = services.open_mediation(actor=mediator, case=own_case)
    client = api(worker)
    assert client.get(f"/mediations/{mine.pk}/agreement.pdf").status_code == 404
    _in_session(mine, mediator)
    services.record_agreement(actor=mediator, mediation=mine, terms="支付 6000 元", amount="6000")
    response = client.get(f"/mediations/{mine.pk}/agreement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    _in_session(opened, mediator)
    services.record_agreement(actor=mediator, mediation=opened, terms="支付", amount="1")
    assert client.get(f"/mediations/{opened.pk}/agreement.pdf").status_code == 404


# -- bad input ------------------------------------------------------------------------------------


def test_bad_input_gets_clear_codes_and_changes_nothing(api, mediator, sibling_cadre, opened):
    client = api(mediator)
    before = state(opened)
    # Missing or wrong fields: 422 invalid_input.
    for path, data in (
        ("sort", {"team": "mediation_team"}),
        ("sort", {"team": "nonsense", "mediator_ids": [mediator.pk]}),
        ("sort", {"team": "station", "mediator_ids": [2**70]}),
        ("sort", {"team": "station", "mediator_ids": [0]}),
        ("sessions", {"place": "x"}),
        ("no-agreement", {"note": "x"}),
        ("follow-up", {"performed": "很好"}),
    ):
        response = client.post(f"/mediations/{opened.pk}/{path}", data)
        assert response.status_code == 422, (path, data, response.content)
        assert response.json()["code"] == "invalid_input"
    # Ids of users who may not mediate here: a field message.
    response = client.post(
        f"/mediations/{opened.pk}/sort", {"team": "station", "mediator_ids": [sibling_cadre.pk]}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == "mediators"
    assert client.post(f"/mediations/{opened.pk}/sort", raw="{not json").status_code in (400, 422)
    # Wrong state: 409 with the state in Chinese.
    response = client.post(f"/mediations/{opened.pk}/file")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state" and "受理" in response.json()["message"]
    response = client.post(f"/mediations/{opened.pk}/agreement", {"terms": "x"})
    assert response.status_code == 409
    # Wrong ids.
    assert client.get("/mediations/999999").status_code == 404
    assert client.get(f"/mediations/{2**70}").status_code in (404, 422)
    assert client.get("/mediations/abc").status_code == 404
    assert client.post("/cases/999999/mediations").status_code == 404
    assert state(opened) == before

    _in_session(opened, mediator)
    before = state(opened)
    # 5 MB of minutes: refused, nothing recorded.
    response = client.post(
        f"/mediations/{opened.pk}/sessions",
        {"held_at": _held(), **SESSION, "minutes": "字" * (5 * 1024 * 1024 // 3)},
    )
    assert response.status_code in (400, 413)
    assert response.json()["code"] in ("validation_error", "invalid_input")
    response = client.post(
        f"/mediations/{opened.pk}/sessions",
        {"held_at": _held(), **SESSION, "minutes": "字" * 20000},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "minutes"
    future = (timezone.localtime() + datetime.timedelta(days=2)).isoformat()
    response = client.post(f"/mediations/{opened.pk}/sessions", {"held_at": future, **SESSION})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "held_at"
    response = client.post(f"/mediations/{opened.pk}/agreement", {"terms": "", "amount": "-5"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"terms", "amount"}
    response = client.post(f"/mediations/{opened.pk}/agreement", {"terms": "x", "amount": "abc"})
    assert response.status_code == 422
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    response = client.post(
        f"/mediations/{opened.pk}/agreement", {"terms": "x", "performance_due": past}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "performance_due"
    assert state(opened) == before
    assert MediationSession.objects.filter(mediation=opened).count() == 1


def test_naive_session_time_is_taken_as_china_time(api, mediator, opened):
    services.sort_mediation(actor=mediator, mediation=opened, team="station", mediators=[mediator])
    naive = (timezone.localtime() - datetime.timedelta(hours=3)).replace(tzinfo=None, microsecond=0)
    response = api(mediator).post(
        f"/mediations/{opened.pk}/sessions", {"held_at": naive.isoformat(), **SESSION}
    )
    assert response.status_code == 200, response.content
    session = opened.sessions.get()
    assert timezone.localtime(session.held_at).replace(tzinfo=None) == naive


def test_case_already_in_mediation_is_409(api, mediator, case, opened):
    response = api(mediator).post(f"/cases/{case.pk}/mediations")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert Mediation.objects.filter(case=case).count() == 1


def test_openapi_lists_the_mediation_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert f"{BASE}/mediations" in paths
    assert f"{BASE}/mediations/{{mediation_id}}/no-agreement" in paths
    assert f"{BASE}/cases/{{case_id}}/mediations" in paths


def test_admin_shows_mediations_read_only(client, superuser, mediator, opened):
    _in_session(opened, mediator)
    client.force_login(superuser)
    listing = client.get("/admin/cases/mediation/")
    assert listing.status_code == 200 and opened.number in listing.text
    page = client.get(f"/admin/cases/mediation/{opened.pk}/change/")
    assert page.status_code == 200
    assert SESSION["place"] in page.text and 'name="_save"' not in page.text
    assert client.get("/admin/cases/mediation/add/").status_code == 403
    before = state(opened)
    client.post(f"/admin/cases/mediation/{opened.pk}/change/", {"status": "filed"})
    client.post(f"/admin/cases/mediation/{opened.pk}/delete/", {"post": "yes"})
    assert state(opened) == before
