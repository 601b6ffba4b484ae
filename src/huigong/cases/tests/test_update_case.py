"""Correcting a case's information (更正信息): the service, the detail-page action form and
the API endpoint, with the due date recomputed on the working-day calendar."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from huigong.accounts.models import ApiToken
from huigong.audit.models import ChangeLog
from huigong.cases import services
from huigong.cases.models import Case, CaseEvent, CaseStatus, EventKind
from huigong.testing.factories import UserFactory, give_role

from .conftest import at

D = datetime.date
VALID_USCC = "91430426MA4L1234XR"


@pytest.fixture
def case(make_case):
    # Received Monday 22 September 2025: 5 working days → Sunday 28 Sep (adjusted day).
    return make_case(now=at(2025, 9, 22))


def counts(case):
    return (
        CaseEvent.objects.filter(case=case).count(),
        ChangeLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).count(),
    )


def test_changing_complexity_recomputes_the_due_date_across_national_day(case, township_cadre):
    assert case.due_date == D(2025, 9, 28)
    updated = services.update_case(
        actor=township_cadre, case=case, complexity="difficult", now=at(2025, 9, 23)
    )
    # 10 working days from 22 Sep, skipping 1–8 October, ending on the adjusted Saturday.
    assert updated.due_date == D(2025, 10, 11)
    event = updated.events.get(kind=EventKind.UPDATED)
    assert "复杂程度:一般 → 疑难" in event.note
    assert "办结期限:2025-09-28 → 2025-10-11" in event.note
    assert event.data["changes"]["complexity"] == ["ordinary", "difficult"]
    assert event.actor == township_cadre and event.time == at(2025, 9, 23)
    log = ChangeLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).latest("id")
    assert log.changes["complexity"] == ["ordinary", "difficult"]
    assert log.changes["due_date"] == ["2025-09-28", "2025-10-11"]


def test_changing_category_recomputes_from_the_receipt(case, township_cadre, categories):
    services.update_case(actor=township_cadre, case=case, category=categories["legal_advice"])
    case.refresh_from_db()
    assert case.category == categories["legal_advice"]
    assert case.due_date == D(2025, 9, 24)  # 2 working days after 22 Sep
    assert "类别:欠薪 → 法律咨询" in case.events.get(kind=EventKind.UPDATED).note


def test_overdue_flag_is_cleared_when_the_deadline_moves(case, township_cadre):
    Case.objects.filter(pk=case.pk).update(is_overdue=True, due_soon=False)
    services.update_case(actor=township_cadre, case=case, complexity="complex")
    case.refresh_from_db()
    assert case.is_overdue is False and case.due_date > D(2025, 10, 11)


def test_facts_are_corrected_and_listed(case, township_cadre):
    services.update_case(
        actor=township_cadre,
        case=case,
        title="建筑工地集体欠薪",
        amount_claimed="115000",
        workers_concerned=13,
        urgency="urgent",
        employer_name="祁东县宏达建筑劳务有限公司",
        employer_credit_code=VALID_USCC.lower(),
        description="13 名村民在工地做工,包工头失联。",
    )
    case.refresh_from_db()
    assert case.title == "建筑工地集体欠薪"
    assert case.amount_claimed == Decimal("115000.00")
    assert case.workers_concerned == 13
    assert case.urgency == "urgent"
    assert case.employer_credit_code == VALID_USCC
    assert case.due_date == D(2025, 9, 28)  # no new deadline without category/complexity
    note = case.events.get(kind=EventKind.UPDATED).note
    assert "涉及金额(元):11500.00 → 115000.00" in note
    assert "涉及职工人数:— → 13" in note
    assert "诉求内容已更正" in note and "包工头" not in note


def test_a_no_op_edit_writes_nothing(case, township_cadre):
    before = counts(case)
    services.update_case(
        actor=township_cadre,
        case=case,
        title=case.title,
        amount_claimed="11500",
        complexity="ordinary",
        category=case.category_id,
    )
    assert counts(case) == before


def test_bad_input_is_refused_field_by_field_and_changes_nothing(case, township_cadre):
    before = counts(case)
    with pytest.raises(ValidationError) as exc:
        services.update_case(
            actor=township_cadre,
            case=case,
            title="  ",
            amount_claimed="-1",
            workers_concerned="many",
            complexity="huge",
            employer_credit_code="123",
            category=999999,
        )
    errors = exc.value.message_dict
    assert set(errors) == {
        "title",
        "amount_claimed",
        "workers_concerned",
        "complexity",
        "employer_credit_code",
        "category",
    }
    assert "统一社会信用代码应为 18 位" in errors["employer_credit_code"]
    assert counts(case) == before
    case.refresh_from_db()
    assert case.title == "工地欠薪"


def test_finished_cases_are_refused_with_invalid_state(make_case, township_cadre):
    case = make_case()
    services.withdraw_case(actor=township_cadre, case=case, reason="职工撤回")
    with pytest.raises(ValidationError) as exc:
        services.update_case(actor=township_cadre, case=case, title="新标题")
    assert exc.value.error_list[0].code == "invalid_state"
    assert Case.objects.get(pk=case.pk).title == "工地欠薪"


def test_only_handlers_at_the_case_may_correct(case, sibling_cadre, auditor):
    for user in (sibling_cadre, auditor):
        with pytest.raises(PermissionDenied):
            services.update_case(actor=user, case=case, title="越权修改")
    assert Case.objects.get(pk=case.pk).title == "工地欠薪"


# -- detail page ------------------------------------------------------------------------------


def _form(case, **overrides):
    data = {
        "update-category": case.category_id,
        "update-complexity": case.complexity,
        "update-title": case.title,
        "update-description": case.description,
        "update-urgency": case.urgency,
        "update-amount_claimed": str(case.amount_claimed),
        "update-workers_concerned": "",
        "update-employer_name": case.employer_name,
        "update-employer_credit_code": "",
    }
    data.update({f"update-{k}": v for k, v in overrides.items()})
    return data


def test_update_form_on_the_detail_page(client, case, township_cadre):
    client.force_login(township_cadre)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert 'data-testid="action-update"' in page.content.decode()
    url = reverse("cases:action", args=[case.pk, "update"])
    response = client.post(url, _form(case, complexity="difficult", workers_concerned="3"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.complexity == "difficult" and case.workers_concerned == 3
    assert case.due_date == D(2025, 10, 11)

    bad = client.post(url, _form(case, title="", employer_credit_code="91430426MA4L1234X9"))
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "统一社会信用代码校验不通过" in text or "必填" in text
    assert Case.objects.get(pk=case.pk).title == "工地欠薪"


def test_update_page_permission_matrix(client, case, sibling_cadre, auditor, tree, roles):
    url = reverse("cases:action", args=[case.pk, "update"])
    assert client.post(url, _form(case, title="匿名")).status_code == 302  # to sign-in
    client.force_login(sibling_cadre)
    assert client.post(url, _form(case, title="越权")).status_code == 404
    client.force_login(auditor)
    assert client.post(url, _form(case, title="只读")).status_code == 403
    assert Case.objects.get(pk=case.pk).title == "工地欠薪"


# -- API ----------------------------------------------------------------------------------------


def _post(client, user, case, payload):
    _token, key = ApiToken.issue(user, "tests", scope="write")
    return client.post(
        f"/api/v1/cases/cases/{case.pk}/update",
        json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_api_update_changes_only_the_fields_sent(client, case, township_cadre):
    response = _post(client, township_cadre, case, {"complexity": "difficult"})
    assert response.status_code == 200
    body = response.json()
    assert body["due_date"] == "2025-10-11"
    assert body["title"] == "工地欠薪" and body["amount_claimed"] == "11500.00"
    assert body["timeline"][-1]["kind"] == "updated"


def test_api_update_errors_and_matrix(client, case, township_cadre, sibling_cadre, tree, roles):
    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    before = counts(case)
    bad = _post(client, township_cadre, case, {"title": None, "amount_claimed": "-5"})
    assert bad.status_code in (400, 422) and bad.json()["code"] == "validation_error"
    assert _post(client, sibling_cadre, case, {"title": "x"}).status_code == 404
    assert _post(client, hr, case, {"title": "x"}).status_code == 403
    assert counts(case) == before
    services.withdraw_case(actor=township_cadre, case=case, reason="撤回")
    gone = _post(client, township_cadre, case, {"title": "新标题"})
    assert gone.status_code == 409 and gone.json()["code"] == "invalid_state"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN
