"""What a worker sees of the mediation of their own case, on the portal and in the API's
case detail: that it was opened, when and where the sessions were held, the agreement
with its amount and due date (and its PDF), or the referral to arbitration, the
follow-up and the filing — never the minutes, the attendees or the staff notes."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from huigong.accounts.models import ApiToken
from huigong.cases import services as case_services
from huigong.cases.models import CASE_EVENT_VISIBILITY
from huigong.cases.services import mediation as services

MINUTES = "笔录:单位法人称资金紧张,内部评估可能需要仲裁。"
ATTENDEES = "王建国、张经理、调解员老李"
SORT_NOTE = "分流说明:律师志愿者值班"
FOLLOW_NOTE = "回访记录:职工情绪激动"
FILE_NOTE = "归档说明:卷宗第 12 号"
FAIL_NOTE = "内部说明:单位态度恶劣"


@pytest.fixture
def own_case(make_worker_case, township_cadre):
    case = make_worker_case(
        kind="rights",
        description="新发食品拖欠我两个月工资 6000 元。",
        employer_name="祁东县新发食品有限公司",
    )
    return case_services.accept_case(actor=township_cadre, case=case)


def _in_session(case, mediator):
    mediation = services.open_mediation(actor=mediator, case=case, claims="追讨工资 6000 元")
    services.sort_mediation(
        actor=mediator,
        mediation=mediation,
        team="lawyer_volunteers",
        mediators=[mediator],
        note=SORT_NOTE,
    )
    services.record_session(
        actor=mediator,
        mediation=mediation,
        held_at=timezone.now() - datetime.timedelta(hours=3),
        place="黄土铺镇劳动关系服务站",
        attendees=ATTENDEES,
        minutes=MINUTES,
    )
    return mediation


def _agreed_and_filed(case, mediator):
    mediation = _in_session(case, mediator)
    due = timezone.localdate() + datetime.timedelta(days=15)
    services.record_agreement(
        actor=mediator,
        mediation=mediation,
        terms="被申请人于 15 日内支付申请人工资 6000 元。",
        amount=Decimal("6000"),
        performance_due=due,
    )
    services.record_follow_up(
        actor=mediator,
        mediation=mediation,
        performed="yes",
        performed_at=timezone.localdate(),
        note=FOLLOW_NOTE,
    )
    services.file_mediation(actor=mediator, mediation=mediation, note=FILE_NOTE)
    mediation.refresh_from_db()
    return mediation, due


def _page(client, worker, case) -> str:
    client.force_login(worker)
    response = client.get(reverse("portal:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _no_internal_text(text: str) -> None:
    for secret in (MINUTES, ATTENDEES, SORT_NOTE, FOLLOW_NOTE, FILE_NOTE, FAIL_NOTE):
        assert secret not in text, secret


def test_public_marking_covers_the_mediation_course_not_its_internals():
    assert {
        "mediation_opened",
        "mediation_session",
        "mediation_agreement",
        "mediation_failed",
        "mediation_withdrawn",
        "mediation_followed_up",
        "mediation_filed",
    } <= CASE_EVENT_VISIBILITY.worker
    assert "mediation_sorted" not in CASE_EVENT_VISIBILITY.worker
    assert "mediation_session" not in CASE_EVENT_VISIBILITY.worker_note
    assert "mediation_failed" not in CASE_EVENT_VISIBILITY.worker_note
    assert "mediation_agreement" in CASE_EVENT_VISIBILITY.worker_note


def test_worker_sees_agreement_sessions_and_filing_but_no_internal_notes(
    client, worker, mediator, own_case
):
    mediation, due = _agreed_and_filed(own_case, mediator)
    html = _page(client, worker, own_case)
    assert 'data-testid="case-mediation"' in html
    assert 'data-testid="mediation-filed"' in html
    assert mediation.number in html
    assert "黄土铺镇劳动关系服务站" in html
    assert 'data-testid="mediation-session"' in html
    assert "被申请人于 15 日内支付申请人工资 6000 元。" in html
    assert "6000.00" in html and due.strftime("%Y-%m-%d") in html
    assert "已履行" in html
    assert reverse("portal:case_mediation_pdf", args=[mediation.pk]) in html
    for kind in (
        "mediation_opened",
        "mediation_session",
        "mediation_agreement",
        "mediation_followed_up",
        "mediation_filed",
    ):
        assert f'data-testid="timeline-{kind}"' in html, kind
    assert 'data-testid="timeline-mediation_sorted"' not in html
    _no_internal_text(html)


def test_failed_mediation_shows_the_referral_not_the_staff_note(client, worker, mediator, own_case):
    mediation = _in_session(own_case, mediator)
    services.record_no_agreement(
        actor=mediator, mediation=mediation, referred_to="arbitration", note=FAIL_NOTE
    )
    html = _page(client, worker, own_case)
    assert 'data-testid="mediation-referred"' in html
    assert "劳动人事争议仲裁" in html
    assert 'data-testid="timeline-mediation_failed"' in html
    assert 'data-testid="mediation-pdf"' not in html
    _no_internal_text(html)


def test_just_opened_mediation_is_shown_as_accepted(client, worker, mediator, own_case):
    mediation = services.open_mediation(actor=mediator, case=own_case, claims="追讨工资 6000 元")
    html = _page(client, worker, own_case)
    assert 'data-testid="mediation-intake"' in html and mediation.number in html
    assert "追讨工资 6000 元" in html  # the matters put to mediation are the worker's own


def test_worker_downloads_own_agreement(client, worker, mediator, own_case):
    mediation, _due = _agreed_and_filed(own_case, mediator)
    client.force_login(worker)
    response = client.get(reverse("portal:case_mediation_pdf", args=[mediation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_agreement_download_permission_matrix(
    client, worker, other_worker, station_staff, mediator, own_case, make_case, township_cadre
):
    pending = _in_session(own_case, mediator)
    url = reverse("portal:case_mediation_pdf", args=[pending.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    client.force_login(station_staff)
    assert client.get(url).status_code == 403
    client.force_login(worker)
    assert client.get(url).status_code == 404  # no agreement yet
    services.record_agreement(actor=mediator, mediation=pending, terms="支付 6000 元")
    assert client.get(url).status_code == 200
    client.force_login(other_worker)
    assert client.get(url).status_code == 404
    stranger = case_services.accept_case(actor=township_cadre, case=make_case())
    theirs = _in_session(stranger, mediator)
    services.record_agreement(actor=mediator, mediation=theirs, terms="支付")
    client.force_login(worker)
    assert client.get(reverse("portal:case_mediation_pdf", args=[theirs.pk])).status_code == 404
    assert client.get("/m/cases/mediation/999999/agreement.pdf").status_code == 404


def _api_case(client, user, case) -> dict:
    _token, key = ApiToken.issue(user, "tests", scope="write")
    response = client.get(
        f"/api/v1/cases/cases/{case.pk}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_worker_case_detail_in_the_api_carries_the_public_mediation(
    client, worker, mediator, own_case
):
    mediation, due = _agreed_and_filed(own_case, mediator)
    data = _api_case(client, worker, own_case)
    (item,) = data["mediations"]
    assert item["number"] == mediation.number and item["status"] == "filed"
    assert item["agreement_amount"] == "6000.00" and item["performance_due"] == due.isoformat()
    assert item["sessions"] == [
        {"held_at": item["sessions"][0]["held_at"], "place": "黄土铺镇劳动关系服务站"}
    ]
    assert item["performed_label"] == "已履行" and item["agreed"] is True
    kinds = [e["kind"] for e in data["timeline"]]
    assert "mediation_session" in kinds and "mediation_sorted" not in kinds
    session = next(e for e in data["timeline"] if e["kind"] == "mediation_session")
    assert session["note"] == ""
    assert any("黄土铺镇劳动关系服务站" in d for d in session["details"])
    agreement = next(e for e in data["timeline"] if e["kind"] == "mediation_agreement")
    assert "6000" in agreement["note"]
    assert any("6000.00" in d for d in agreement["details"])
    _no_internal_text(json.dumps(data, ensure_ascii=False))


def test_staff_case_detail_still_shows_the_minutes(client, township_cadre, mediator, own_case):
    _in_session(own_case, mediator)
    data = _api_case(client, township_cadre, own_case)
    session = next(e for e in data["timeline"] if e["kind"] == "mediation_session")
    assert session["note"] == MINUTES
    assert "mediation_sorted" in [e["kind"] for e in data["timeline"]]
