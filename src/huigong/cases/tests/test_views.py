"""Workbench pages of cases: the permission matrix of every page and action, queues and
their query counts, the one-form intake, the detail page and its action forms, and bad
input answered with Chinese messages (never a 500, nothing changed)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from huigong.cases import services
from huigong.cases.models import Case, CaseEvent, CaseStatus
from huigong.common.crypto import mask_id_number
from huigong.testing.factories import PersonFactory, UserFactory, give_role, make_id_number

LIST = reverse("cases:list")
INTAKE = reverse("cases:intake")


def detail(case):
    return reverse("cases:detail", args=[case.pk])


def action(case, name):
    return reverse("cases:action", args=[case.pk, name])


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def theirs(make_case, tree, sibling_cadre):
    """A case of the sibling township 白地市镇."""
    return make_case(actor=sibling_cadre, organization=tree.baidishi, title="白地市的诉求")


def snapshot(case):
    case.refresh_from_db()
    return (case.status, case.assignee_id, case.organization_id, case.events.count())


# -- permission matrix ------------------------------------------------------------------------


def test_pages_need_sign_in(client, case):
    for url in (LIST, reverse("cases:queue", args=["awaiting"]), INTAKE, detail(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    before = snapshot(case)
    response = client.post(action(case, "accept"))
    assert response.status_code == 302
    assert snapshot(case) == before


def test_workers_are_sent_to_the_portal(login, worker, case):
    client = login(worker)
    for url in (LIST, INTAKE, detail(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:home")


def test_in_scope_user_without_permission_gets_403(login, hr, case):
    client = login(hr)
    assert client.get(LIST).status_code == 403
    assert client.get(INTAKE).status_code == 403
    assert client.get(detail(case)).status_code == 403
    before = snapshot(case)
    assert client.post(action(case, "accept")).status_code == 403
    assert snapshot(case) == before


def test_out_of_scope_case_is_404_everywhere(login, sibling_cadre, case):
    client = login(sibling_cadre)
    assert client.get(detail(case)).status_code == 404
    before = snapshot(case)
    for name in ("accept", "note", "resolve", "withdraw"):
        assert client.post(action(case, name), {f"{name}-note": "x"}).status_code == 404
    assert snapshot(case) == before
    body = client.get(LIST).content.decode()
    assert case.number not in body
    for attachment_url in (reverse("cases:attachment", args=[999999]),):
        assert client.get(attachment_url).status_code == 404


def test_viewer_without_handle_permission_sees_no_actions_and_is_refused(login, auditor, case):
    client = login(auditor)
    response = client.get(detail(case))
    assert response.status_code == 200
    assert 'data-testid="action-accept"' not in response.content.decode()
    before = snapshot(case)
    assert client.post(action(case, "accept")).status_code == 403
    assert client.post(action(case, "note"), {"note-note": "试试"}).status_code == 403
    assert snapshot(case) == before


def test_with_permission(login, station_staff, township_cadre, case):
    assert login(station_staff).get(LIST).status_code == 200
    assert login(station_staff).get(INTAKE).status_code == 200
    response = login(township_cadre).get(detail(case))
    assert response.status_code == 200
    assert case.number in response.content.decode()


def test_unknown_queue_and_action_are_404(login, station_staff, case):
    client = login(station_staff)
    assert client.get(reverse("cases:queue", args=["nope"])).status_code == 404
    assert client.post(action(case, "explode")).status_code == 404
    assert client.get(reverse("cases:detail", args=[10**12])).status_code == 404


def test_action_urls_answer_post_only(login, station_staff, case):
    assert login(station_staff).get(action(case, "accept")).status_code == 405


# -- queues -----------------------------------------------------------------------------------


def test_awaiting_acceptance_and_mine(login, station_staff, township_cadre, case, theirs):
    client = login(township_cadre)
    body = client.get(reverse("cases:queue", args=["awaiting"])).content.decode()
    assert case.number in body
    assert theirs.number not in body
    services.accept_case(actor=township_cadre, case=case)
    body = client.get(reverse("cases:queue", args=["awaiting"])).content.decode()
    assert case.number not in body
    body = client.get(reverse("cases:queue", args=["mine"])).content.decode()
    assert case.number in body
    body = client.get(reverse("cases:queue", args=["organization"])).content.decode()
    assert case.number in body


def test_referred_supervised_overdue_and_due_soon(
    login, township_cadre, county_cadre, case, labour_inspection
):
    services.accept_case(actor=township_cadre, case=case)
    client = login(township_cadre)
    assert case.number not in client.get(reverse("cases:queue", args=["referred"])).content.decode()
    services.refer_case(
        actor=township_cadre, case=case, department=labour_inspection, note="请劳动监察介入"
    )
    assert case.number in client.get(reverse("cases:queue", args=["referred"])).content.decode()
    services.supervise_case(actor=county_cadre, case=case, comment="请加快办理")
    assert case.number in client.get(reverse("cases:queue", args=["supervised"])).content.decode()

    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(
        due_date=today - datetime.timedelta(days=3), accept_due=today - datetime.timedelta(days=4)
    )
    body = client.get(reverse("cases:queue", args=["overdue"])).content.decode()
    assert case.number in body
    assert "已逾期 3 天" in body
    Case.objects.filter(pk=case.pk).update(due_date=today, accept_due=today)
    body = client.get(reverse("cases:queue", args=["due_soon"])).content.decode()
    assert case.number in body
    assert "今天到期" in body


def test_filters_and_search(login, township_cadre, make_case, categories):
    first = make_case(title="工资拖欠三个月")
    second = make_case(
        title="没有签劳动合同",
        category=categories["labour_contract"],
        applicants=[{"name": "赵敏", "id_number": make_id_number()}],
        employer_name="另一家公司",
    )
    client = login(township_cadre)
    body = client.get(LIST, {"category": categories["labour_contract"].pk}).content.decode()
    assert second.number in body and first.number not in body
    body = client.get(LIST, {"q": first.number}).content.decode()
    assert first.number in body and second.number not in body
    body = client.get(LIST, {"status": "new", "received_from": "1900-01-01"}).content.decode()
    assert first.number in body and second.number in body
    # Malformed filters: an empty list with the field's message, not an error page.
    response = client.get(LIST, {"status": "bogus", "received_to": "not a date"})
    assert response.status_code == 200


def test_queue_query_count_does_not_grow(
    login, township_cadre, make_case, django_assert_max_num_queries
):
    client = login(township_cadre)
    make_case()
    client.get(LIST)  # warm the holiday-table cache
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("cases:queue", args=["awaiting"]))
    for i in range(8):
        make_case(applicants=[{"name": f"职工{i}", "id_number": make_id_number()}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:queue", args=["awaiting"]))
    assert response.content.decode().count('data-testid="case-number"') == 9


def test_export_is_what_the_queue_shows(login, township_cadre, auditor, make_case):
    first = make_case()
    second = make_case(applicants=[{"name": "赵敏", "id_number": make_id_number()}])
    services.accept_case(actor=township_cadre, case=second)
    response = login(township_cadre).get(
        reverse("cases:queue", args=["awaiting"]), {"export": "xlsx"}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "编号"
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [first.number]
    assert rows[1][3] == "待受理"
    # The auditor reads the cases but may not export them.
    response = login(auditor).get(LIST, {"export": "xlsx"})
    assert response.status_code == 403


# -- intake -----------------------------------------------------------------------------------


def intake_data(categories, tree, **extra):
    data = {
        "organization": tree.huangtupu.pk,
        "channel": "walk_in",
        "kind": "rights",
        "category": categories["wage_arrears"].pk,
        "description": "在新发食品做了三个月,老板拖欠工资 8000 元。",
        "complexity": "ordinary",
        "urgency": "normal",
        "new_name": "张小龙",
        "new_id_number": make_id_number(),
        "new_phone": "13912340000",
    }
    data.update(extra)
    return data


def test_intake_defaults_to_walk_in_at_the_users_station(login, station_staff, categories, tree):
    response = login(station_staff).get(INTAKE)
    body = response.content.decode()
    assert f'<option value="{tree.huangtupu.pk}" selected>' in body
    assert '<option value="walk_in" selected>' in body


def test_intake_registers_person_and_case(login, station_staff, categories, tree):
    data = intake_data(categories, tree)
    response = login(station_staff).post(INTAKE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert response["Location"] == detail(case)
    assert case.organization == tree.huangtupu
    assert case.owner == station_staff
    assert case.channel == "walk_in"
    assert case.title.startswith("在新发食品")
    assert [p.person.name for p in case.parties.select_related("person")] == ["张小龙"]
    body = login(station_staff).get(detail(case)).content.decode()
    assert mask_id_number(data["new_id_number"]) in body
    assert data["new_id_number"] not in body
    assert "剩余" in body or "今天到期" in body


def test_intake_group_case_with_chosen_and_pasted_workers(login, station_staff, categories, tree):
    known = PersonFactory(organization=tree.xinfa, name="刘德华")
    lines = "\n".join(f"工人{i} {make_id_number()} 1390000000{i}" for i in range(3))
    data = intake_data(categories, tree, persons=[known.pk], more_applicants=lines)
    response = login(station_staff).post(INTAKE, data)
    assert response.status_code == 302
    case = Case.objects.get()
    names = sorted(p.person.name for p in case.parties.select_related("person"))
    assert names == sorted(["刘德华", "张小龙", "工人0", "工人1", "工人2"])


def test_intake_shows_duplicates_before_saving(login, station_staff, categories, tree, make_case):
    person = PersonFactory(organization=tree.xinfa, name="刘德华")
    existing = make_case(applicants=[person])
    data = intake_data(categories, tree, persons=[person.pk], new_name="", new_id_number="")
    data["new_phone"] = ""
    client = login(station_staff)
    response = client.post(INTAKE, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="duplicates"' in body
    assert existing.number in body
    assert Case.objects.count() == 1
    response = client.post(INTAKE, {**data, "confirm_duplicates": "1"})
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_intake_bad_input_has_chinese_messages_and_saves_nothing(
    login, station_staff, categories, tree
):
    client = login(station_staff)
    response = client.post(INTAKE, {"organization": tree.huangtupu.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写诉求内容" in body and "请选择类别" in body
    assert "这个字段是必填项" not in body
    # 5 MB of text in the description.
    data = intake_data(categories, tree, description="欠" * (5 * 1024 * 1024 // 3))
    response = client.post(INTAKE, data)
    assert response.status_code == 400
    assert "5000" in response.content.decode()
    # No applicant at all for a rights case.
    data = intake_data(categories, tree, new_name="", new_id_number="", new_phone="")
    response = client.post(INTAKE, data)
    assert response.status_code == 400
    assert "请至少登记一名申请人" in response.content.decode()
    # A bad ID number for the new worker.
    response = client.post(
        INTAKE, intake_data(categories, tree, new_id_number="430426199901011234")
    )
    assert response.status_code == 400
    # On the field itself now: the form checks the number as the service would.
    assert response.context["form"].errors["new_id_number"] == ["身份证号码校验位不正确,请核对"]
    # An organization outside the scope.
    response = client.post(INTAKE, intake_data(categories, tree, organization=tree.baidishi.pk))
    assert response.status_code == 400
    # A pasted line without an ID number.
    response = client.post(INTAKE, intake_data(categories, tree, more_applicants="只有名字"))
    assert response.status_code == 400
    assert "第 1 行" in response.content.decode()
    assert Case.objects.count() == 0


def test_intake_rejects_a_bad_attachment_and_keeps_nothing(login, station_staff, categories, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = intake_data(categories, tree)
    data["attachments"] = [
        SimpleUploadedFile("x.exe", b"MZ...", content_type="application/x-msdownload")
    ]
    response = login(station_staff).post(INTAKE, data)
    assert response.status_code == 400
    assert "只能上传" in response.content.decode()
    assert Case.objects.count() == 0


def test_intake_with_a_photo(login, station_staff, categories, tree, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    data = intake_data(categories, tree)
    data["attachments"] = [
        SimpleUploadedFile(
            "工资条.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png"
        )
    ]
    client = login(station_staff)
    response = client.post(INTAKE, data)
    assert response.status_code == 302
    attachment = Case.objects.get().attachments.get()
    response = client.get(reverse("cases:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_person_lookup_is_masked_and_scoped(login, station_staff, tree, categories):
    number = make_id_number()
    mine = PersonFactory(organization=tree.xinfa, name="刘德华", id_number=number)
    PersonFactory(organization=tree.liuquan, name="刘德华")  # sibling township
    response = login(station_staff).get(reverse("cases:person_lookup"), {"lookup": number})
    body = response.content.decode()
    assert response.status_code == 200
    assert mask_id_number(number) in body
    assert number not in body
    assert body.count('data-testid="person-match"') == 1
    assert f'value="{mine.pk}"' in body
    body = login(station_staff).get(reverse("cases:person_lookup"), {"lookup": "刘德华"}).content
    assert body.decode().count('data-testid="person-match"') == 1
    body = login(station_staff).get(reverse("cases:person_lookup"), {"lookup": "无此人"}).content
    assert "未找到" in body.decode()


def test_category_suggestion(login, station_staff, categories):
    url = reverse("cases:suggest_category")
    body = login(station_staff).post(url, {"description": "老板拖欠工资三个月"}).content.decode()
    assert "欠薪" in body
    assert 'hx-swap-oob="true"' in body
    body = (
        login(station_staff)
        .post(url, {"description": "工地上摔伤了", "category": categories["other"].pk})
        .content.decode()
    )
    assert "工伤" in body
    assert "hx-swap-oob" not in body  # a category already chosen is left alone
    body = login(station_staff).post(url, {"description": "你好"}).content.decode()
    assert "建议" not in body


# -- detail and actions ------------------------------------------------------------------------


def test_detail_shows_timeline_parties_and_allowed_actions(login, station_staff, case):
    body = login(station_staff).get(detail(case)).content.decode()
    assert 'data-testid="timeline-received"' in body
    assert 'data-testid="action-accept"' in body
    assert 'data-testid="action-resolve"' not in body  # not accepted yet
    assert 'data-testid="action-supervise"' not in body  # station staff cannot supervise


def test_full_handling_through_the_action_forms(
    login, township_cadre, county_cadre, case, labour_inspection
):
    client = login(township_cadre)

    def post(name, **fields):
        data = {f"{name}-{k}": v for k, v in fields.items()}
        response = client.post(action(case, name), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        case.refresh_from_db()

    post("accept")
    assert case.status == CaseStatus.ACCEPTED and case.assignee == township_cadre
    post("note", note="已电话联系职工")
    post("contact", method="phone", contact="用人单位", note="单位承诺月底前支付")
    post("refer", department=labour_inspection.pk, note="请劳动监察介入")
    assert case.status == CaseStatus.REFERRED
    referral = case.referrals.get()
    post("reply", referral=referral.pk, reply_text="已责令支付", replied_by="李监察")
    assert case.status == CaseStatus.ACCEPTED

    county = login(county_cadre)
    response = county.post(
        action(case, "supervise"), {"supervise-comment": "请尽快", "supervise-days": 2}
    )
    assert response.status_code == 302
    client = login(township_cadre)
    supervision = case.supervisions.get()
    post("answer", supervision=supervision.pk, response="本周办结")
    post(
        "resolve",
        outcome="resolved_in_favour",
        result_text="追回工资",
        amount_recovered="8000.00",
        workers_benefited=1,
    )
    assert case.status == CaseStatus.RESOLVED and case.amount_recovered == Decimal("8000.00")
    post("rate", satisfaction="satisfied", note="回访:满意")
    post("close", note="归档")
    assert case.status == CaseStatus.CLOSED
    body = client.get(detail(case)).content.decode()
    for kind in (
        "accepted",
        "note",
        "contact",
        "referred",
        "department_replied",
        "resolved",
        "rated",
        "closed",
    ):
        assert f'data-testid="timeline-{kind}"' in body

    # A closed case acted on: a clear message, nothing changed.
    before = snapshot(case)
    response = client.post(action(case, "note"), {"note-note": "再记一笔"})
    assert response.status_code == 400
    assert "已归档" in response.content.decode()
    assert snapshot(case) == before


def test_action_validation_errors_show_on_the_detail_page(login, township_cadre, case):
    client = login(township_cadre)
    services.accept_case(actor=township_cadre, case=case)
    before = snapshot(case)
    response = client.post(action(case, "resolve"), {"resolve-outcome": "resolved_in_favour"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "这个字段是必填项" in body
    response = client.post(
        action(case, "resolve"),
        {
            "resolve-outcome": "resolved_in_favour",
            "resolve-result_text": "追回",
            "resolve-amount_recovered": "99999999",
        },
    )
    assert response.status_code == 400
    assert "不能超过涉及金额" in response.content.decode()
    response = client.post(action(case, "note"), {"note-note": "长" * 3_000_000})
    assert response.status_code == 400
    assert snapshot(case) == before


def test_escalate_reassign_merge_withdraw(login, township_cadre, tree, roles, make_case):
    colleague = give_role(
        UserFactory(username="colleague", name="同事"), "township_cadre", tree.huangtupu
    )
    first = make_case()
    second = make_case()
    third = make_case()
    client = login(township_cadre)
    client.post(action(first, "accept"))
    response = client.post(action(first, "reassign"), {"reassign-assignee": colleague.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.assignee == colleague
    response = client.post(action(second, "merge"), {"merge-into": first.number})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == CaseStatus.MERGED and second.merged_into == first
    response = client.post(action(third, "merge"), {"merge-into": "QD-1999-000001"})
    assert response.status_code == 400
    assert "未找到该编号" in response.content.decode()
    response = client.post(action(third, "withdraw"), {"withdraw-reason": "职工已与单位和解"})
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.status == CaseStatus.WITHDRAWN
    response = client.post(action(first, "escalate"), {"escalate-reason": "涉及人数多"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.organization == tree.county and first.status == CaseStatus.NEW


def test_supervise_is_refused_at_the_same_level(login, township_cadre, case):
    before = snapshot(case)
    response = login(township_cadre).post(
        action(case, "supervise"), {"supervise-comment": "快", "supervise-days": 2}
    )
    assert response.status_code == 403
    assert snapshot(case) == before
    assert not CaseEvent.objects.filter(case=case, kind="supervised").exists()
