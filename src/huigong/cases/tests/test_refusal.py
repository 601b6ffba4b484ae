"""Refusal at intake (不予受理): a configured reason and a written explanation, told to
the worker, who may submit again; every problem reported at once; only a case awaiting
acceptance, only by its handlers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from huigong.accounts import sms
from huigong.cases.models import CaseStatus, EventKind, RefusalReason
from huigong.cases.services import accept_case, refuse_case
from huigong.kernel.models import NotificationPreference
from huigong.kernel.notices import inbox, messages

NOTE = "欠薪发生在外省工地,请向工地所在地工会反映,我们可以帮您联系。"


@pytest.fixture
def reason(categories):
    return RefusalReason.objects.get(code="not_union_matter")


@pytest.fixture
def told(worker):
    NotificationPreference.objects.create(user=worker, channels=["sms"])
    sms.outbox.clear()
    return worker


def test_a_refused_case_ends_and_the_worker_is_told_why(
    make_worker_case, told, station_staff, reason
):
    case = make_worker_case()
    refuse_case(actor=station_staff, case=case, reason=reason.pk, note=NOTE)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED
    assert (case.refusal_reason, case.result_text) == (reason, NOTE)
    assert case.closed_at is not None
    event = case.events.get(kind=EventKind.REFUSED)
    assert event.note == NOTE and event.data["reason"] == "not_union_matter"

    latest = messages(inbox(told))[0]
    assert latest.title == "诉求未予受理"
    assert "不属于工会受理范围" in latest.text and "外省工地" in latest.text
    assert "可以重新提交" in latest.text


def test_every_problem_is_reported_at_once_and_nothing_changes(
    make_worker_case, station_staff, reason
):
    case = make_worker_case()
    with pytest.raises(ValidationError) as raised:
        refuse_case(actor=station_staff, case=case, reason="", note="  ")
    assert set(raised.value.message_dict) == {"reason", "note"}
    reason.is_active = False
    reason.save()
    with pytest.raises(ValidationError) as raised:
        refuse_case(actor=station_staff, case=case, reason=reason.pk, note=NOTE)
    assert raised.value.message_dict["reason"] == ["该理由已停用,请选择其他理由"]
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert not case.events.filter(kind=EventKind.REFUSED).exists()


def test_only_a_case_awaiting_acceptance_by_its_handlers(
    make_worker_case, station_staff, sibling_cadre, reason
):
    case = make_worker_case()
    with pytest.raises(PermissionDenied):
        refuse_case(actor=sibling_cadre, case=case, reason=reason.pk, note=NOTE)
    accept_case(actor=station_staff, case=case)
    with pytest.raises(ValidationError):
        refuse_case(actor=station_staff, case=case, reason=reason.pk, note=NOTE)


def test_the_workbench_offers_refusal_with_the_configured_reasons(
    login, make_worker_case, station_staff, reason
):
    case = make_worker_case()
    client = login(station_staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="submit-refuse"' in page and "不属于工会受理范围" in page
    bad = client.post(reverse("cases:action", args=[case.pk, "refuse"]), {"refuse-note": ""})
    assert bad.status_code == 400
    response = client.post(
        reverse("cases:action", args=[case.pk, "refuse"]),
        {"refuse-reason": reason.pk, "refuse-note": NOTE},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert (
        'data-testid="submit-refuse"' not in detail and 'data-testid="submit-accept"' not in detail
    )


def test_the_api_refuses_with_stable_codes(api, make_worker_case, station_staff, worker, reason):
    case = make_worker_case()
    detail = api(station_staff).get(f"/cases/{case.pk}")
    assert "refuse" in detail.json()["actions"]
    bad = api(station_staff).post(f"/cases/{case.pk}/refuse", {"reason_id": 99999, "note": ""})
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "validation_error"
    assert {"reason", "note"} <= {e["field"] for e in body["errors"]}
    assert api(worker).post(
        f"/cases/{case.pk}/refuse", {"reason_id": reason.pk, "note": NOTE}
    ).status_code in (403, 404)
    ok = api(station_staff).post(f"/cases/{case.pk}/refuse", {"reason_id": reason.pk, "note": NOTE})
    assert ok.status_code == 200
    assert ok.json()["status"] == "refused"
