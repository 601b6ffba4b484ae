"""Worker portal pages of cases: submit, my cases, public timeline, add information,
rating and withdrawal; only one's own cases, staff notes never shown."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huigong.cases import services
from huigong.cases.models import Case, CaseStatus, Channel
from huigong.testing.factories import UserFactory

SUBMIT = reverse("portal:case_submit")
MINE = reverse("portal:cases")


def detail(case):
    return reverse("portal:case_detail", args=[case.pk])


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client


@pytest.fixture
def submitted(make_worker_case):
    return make_worker_case()


def test_pages_need_a_worker(client, station_staff, submitted):
    for url in (MINE, SUBMIT, detail(submitted)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("portal:login") in response["Location"]
    client.force_login(station_staff)
    for url in (MINE, SUBMIT, detail(submitted)):
        assert client.get(url).status_code == 403


def test_tiles_on_the_portal_home(worker_client):
    body = worker_client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="tile-case_submit"' in body
    assert 'data-testid="tile-cases"' in body


def test_worker_submits_a_demand_with_a_photo(
    worker_client, worker, categories, tree, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile(
        "欠条.jpg", b"\xff\xd8\xff\xe0" + b"0" * 200, content_type="image/jpeg"
    )
    response = worker_client.post(
        SUBMIT,
        {
            "kind": "demand",
            "category": categories["wage_arrears"].pk,
            "description": "新发食品拖欠我两个月工资,共 6000 元。",
            "amount_claimed": "6000",
            "address": "黄土铺镇职工服务站",
            "photos": [photo],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(case)
    assert case.channel == Channel.PORTAL
    assert case.organization == tree.huangtupu
    assert case.amount_claimed == Decimal("6000.00")
    assert case.parties.get().person == worker.person
    body = worker_client.get(detail(case)).content.decode()
    assert "欠条.jpg" in body
    attachment = case.attachments.get()
    response = worker_client.get(reverse("portal:case_attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert worker_client.get(MINE).content.decode().count('data-testid="my-case"') == 1


def test_submit_bad_input(worker_client, categories):
    response = worker_client.post(SUBMIT, {"kind": "demand"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "请选择类别" in body and "请填写具体情况" in body
    assert "这个字段是必填项" not in body
    response = worker_client.post(
        SUBMIT,
        {
            "kind": "demand",
            "category": categories["other"].pk,
            "description": "字" * (5 * 1024 * 1024 // 3),
        },
    )
    assert "5000" in response.content.decode()
    response = worker_client.post(
        SUBMIT, {"kind": "rights", "category": 999999, "description": "x"}
    )
    assert "请从列表中选择类别" in response.content.decode()
    assert Case.objects.count() == 0


def test_worker_without_person_record_is_told(client, tree, categories):
    lonely = UserFactory(username="w139", kind="worker", phone="13900000009")
    client.force_login(lonely)
    response = client.post(
        SUBMIT, {"kind": "demand", "category": categories["other"].pk, "description": "求助"}
    )
    assert "尚未关联" in response.content.decode()
    assert Case.objects.count() == 0


def test_other_workers_cases_are_404(client, other_worker, submitted):
    client.force_login(other_worker)
    assert client.get(detail(submitted)).status_code == 404
    for name in ("case_add_info", "case_rate", "case_withdraw"):
        url = reverse(f"portal:{name}", args=[submitted.pk])
        assert (
            client.post(url, {"note": "x", "satisfaction": "satisfied", "reason": "x"}).status_code
            == 404
        )
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.NEW
    assert submitted.events.count() == 1
    assert 'data-testid="my-case"' not in client.get(MINE).content.decode()


def test_staff_notes_are_hidden_public_events_shown(
    worker_client, township_cadre, submitted, labour_inspection
):
    services.accept_case(actor=township_cadre, case=submitted)
    services.add_note(actor=township_cadre, case=submitted, note="内部:老板难缠")
    services.log_contact(actor=township_cadre, case=submitted, note="内部电话记录", method="phone")
    services.refer_case(
        actor=township_cadre, case=submitted, department=labour_inspection, note="内部转办说明"
    )
    body = worker_client.get(detail(submitted)).content.decode()
    assert 'data-testid="timeline-accepted"' in body
    assert 'data-testid="timeline-referred"' in body
    for secret in ("老板难缠", "内部电话记录", "内部转办说明"):
        assert secret not in body


def test_add_information_and_rate(worker_client, worker, township_cadre, submitted):
    response = worker_client.post(
        reverse("portal:case_add_info", args=[submitted.pk]), {"note": "补充:还有加班费没给"}
    )
    assert response.status_code == 302
    body = worker_client.get(detail(submitted)).content.decode()
    assert "还有加班费没给" in body  # the worker's own note is shown to them
    response = worker_client.post(reverse("portal:case_add_info", args=[submitted.pk]), {})
    assert response.status_code == 400
    assert "请填写补充说明或上传材料" in response.content.decode()

    # Rating is offered only once the case is resolved.
    assert 'data-testid="rate-form"' not in body
    services.accept_case(actor=township_cadre, case=submitted)
    services.resolve_case(
        actor=township_cadre,
        case=submitted,
        outcome="resolved_in_favour",
        result_text="已追回工资",
        amount_recovered="6000",
    )
    body = worker_client.get(detail(submitted)).content.decode()
    assert 'data-testid="rate-form"' in body
    assert "已追回工资" in body
    assert 'data-testid="needs-rating"' in worker_client.get(MINE).content.decode()
    rate = reverse("portal:case_rate", args=[submitted.pk])
    assert worker_client.post(rate, {"satisfaction": "bogus"}).status_code == 400
    response = worker_client.post(rate, {"satisfaction": "satisfied", "note": "谢谢工会"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.satisfaction == "satisfied"
    # Rating twice: a clear message, nothing changed.
    response = worker_client.post(rate, {"satisfaction": "unsatisfied"})
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.satisfaction == "satisfied"
    assert submitted.status == CaseStatus.RESOLVED


def test_withdraw(worker_client, submitted):
    url = reverse("portal:case_withdraw", args=[submitted.pk])
    assert worker_client.post(url, {"reason": ""}).status_code == 400
    response = worker_client.post(url, {"reason": "已和老板谈妥"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.WITHDRAWN
    # Acting on a withdrawn case: a message, nothing changed.
    response = worker_client.post(
        reverse("portal:case_add_info", args=[submitted.pk]), {"note": "再补充"}
    )
    assert response.status_code == 400
    assert "已撤回" in response.content.decode()


def test_list_query_count(worker_client, worker, wage, django_assert_max_num_queries):
    for i in range(5):
        services.submit_case(
            actor=worker, kind="demand", category=wage, title=f"诉求{i}", description="内容"
        )
    with django_assert_max_num_queries(10):
        response = worker_client.get(MINE)
    assert response.content.decode().count('data-testid="my-case"') == 5
