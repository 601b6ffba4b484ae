"""The case use cases: intake and routing, first-contact ownership, the handling flow and
its timeline, rating, supervision, scope and bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from huigong.audit.models import ChangeLog
from huigong.cases import services
from huigong.cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseStatus,
    EventKind,
    Referral,
)
from huigong.kernel.models import Notification
from huigong.kernel.notifications import notifications_about
from huigong.kernel.scope import get_visible_or_404
from huigong.testing.factories import PersonFactory, UserFactory, give_role, make_id_number

from .conftest import at


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("time", "id").values_list("kind", flat=True))


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# -- intake and routing ---------------------------------------------------------------------


def test_station_intake_registers_person_and_owns_case(make_case, station_staff, tree):
    case = make_case(now=at(2026, 3, 2))  # a Monday

    assert case.number == "QD-2026-000001"
    assert case.status == CaseStatus.NEW
    assert case.organization == tree.huangtupu
    assert case.province == tree.province
    assert case.received_by == station_staff
    assert case.owner == station_staff  # 首问负责: the receiver owns it until acceptance
    assert case.assignee is None
    assert case.accept_due == datetime.date(2026, 3, 3)
    assert case.due_date == datetime.date(2026, 3, 9)  # 5 working days for ordinary wage
    party = CaseParty.objects.get(case=case)
    assert party.person.name == "王建国" and party.person.organization == tree.huangtupu
    assert kinds(case) == [EventKind.RECEIVED]
    assert ChangeLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() == 1


def test_numbers_count_per_prefix_and_year(make_case):
    first = make_case(now=at(2025, 12, 31, 9))
    second = make_case(now=at(2025, 12, 31, 10))
    third = make_case(now=at(2026, 1, 5))
    assert [first.number, second.number, third.number] == [
        "QD-2025-000001",
        "QD-2025-000002",
        "QD-2026-000001",
    ]


def test_acceptance_due_is_one_working_day_after_receipt(make_case):
    # Received on Tuesday 30 Sep 2025, before the National Day holiday (1-8 Oct): the
    # next working day is Thursday 9 Oct.
    case = make_case(now=at(2025, 9, 30))
    assert case.accept_due == datetime.date(2025, 10, 9)
    # Five working days: 9, 10, 11 (adjusted Saturday), 13, 14 October.
    assert case.due_date == datetime.date(2025, 10, 14)


def test_routing_by_grid_goes_to_the_grid_organization(make_case, county_cadre, tree, grid):
    case = make_case(actor=county_cadre, organization=tree.county, grid=grid, now=at(2026, 3, 2))
    assert case.organization == tree.huangtupu
    assert kinds(case) == [EventKind.RECEIVED, EventKind.ROUTED]


def test_routing_by_employer_union_then_up_to_category_level(make_case, county_cadre, tree):
    # A wage case against 新发食品 (grassroots union in 黄土铺镇) is handled by the township.
    case = make_case(
        actor=county_cadre,
        organization=tree.county,
        employer=tree.xinfa,
        employer_name="",
        now=at(2026, 3, 2),
    )
    assert case.organization == tree.huangtupu
    assert case.employer_name == "新发食品有限公司工会"


def test_small_matters_stay_in_the_grassroots_union(make_case, county_cadre, tree, categories):
    case = make_case(
        actor=county_cadre,
        organization=tree.county,
        employer=tree.xinfa,
        category=categories["legal_advice"],
        kind="consultation",
        now=at(2026, 3, 2),
    )
    assert case.organization == tree.xinfa


def test_injury_cases_go_up_to_the_county(make_case, tree, categories):
    case = make_case(category=categories["work_injury"], now=at(2026, 3, 2))
    assert case.organization == tree.county
    assert case.due_date == datetime.date(2026, 3, 16)  # 10 working days


def test_worker_submits_on_portal_to_their_township(worker, tree, wage, township_cadre):
    case = services.submit_case(
        actor=worker,
        kind="demand",
        category=wage.pk,
        title="外卖平台扣款",
        description="平台无故扣除配送费。",
        now=at(2026, 3, 2),
    )
    assert case.channel == "portal"
    assert case.organization == tree.huangtupu
    assert case.owner is None and case.received_by == worker
    assert list(case.parties.values_list("person_id", flat=True)) == [worker.person_id]
    # The township's handlers hear about it in their digest.
    assert notifications_about(case).filter(user=township_cadre).exists()
    assert Case.objects.of_worker(worker).filter(pk=case.pk).exists()


def test_existing_person_is_found_by_id_number_or_phone(make_case, tree):
    person = PersonFactory(organization=tree.huangtupu, name="李秀英", phone="13900000002")
    by_id = make_case(applicants=[{"id_number": person.id_number}], now=at(2026, 3, 2))
    by_phone = make_case(applicants=[{"phone": "139 0000 0002"}], now=at(2026, 3, 2))
    assert by_id.parties.get().person == person
    assert by_phone.parties.get().person == person


def test_duplicates_and_group_case_proposal(make_case, wage, station_staff, tree):
    person = PersonFactory(organization=tree.huangtupu)
    first = make_case(applicants=[person], now=at(2026, 3, 2))
    again = make_case(applicants=[person], now=at(2026, 3, 3))
    received = again.events.get(kind=EventKind.RECEIVED)
    assert received.data["possible_duplicates"] == [first.pk]

    make_case(now=at(2026, 3, 3))
    report = services.find_duplicates(
        actor=station_staff,
        category=wage,
        employer_name="祁东县某建筑劳务公司",
        now=at(2026, 3, 4),
    )
    assert len(report.same_employer) == 3
    assert len(report.group_case) == 3  # three open wage cases → propose a group case


def test_group_case_has_many_workers(make_case):
    applicants = [{"name": f"工人{i}", "id_number": make_id_number()} for i in range(13)]
    case = make_case(applicants=applicants, amount_claimed="115000", now=at(2026, 3, 2))
    assert case.parties.count() == 13
    assert case.parties.filter(role="applicant").count() == 1
    assert case.amount_claimed == Decimal("115000.00")


# -- the full flow --------------------------------------------------------------------------


def test_full_flow_with_timeline_in_order(
    make_case, township_cadre, station_staff, labour_inspection, worker
):
    case = make_case(applicants=[worker.person], now=at(2026, 3, 2, 9))
    assert case.owner == station_staff

    case = services.accept_case(actor=township_cadre, case=case, now=at(2026, 3, 2, 15))
    assert case.status == CaseStatus.ACCEPTED
    assert case.owner == township_cadre and case.assignee == township_cadre
    assert case.accepted_on_time is True

    referral = services.refer_case(
        actor=township_cadre,
        case=case,
        department=labour_inspection,
        note="请劳动监察大队督促用人单位支付工资",
        now=at(2026, 3, 3),
    )
    assert fresh(case).status == CaseStatus.REFERRED
    assert referral.due_date == datetime.date(2026, 3, 10)

    services.record_department_reply(
        actor=township_cadre,
        referral=referral,
        reply_text="已责令用人单位 3 日内支付",
        replied_by="张监察",
        now=at(2026, 3, 4),
    )
    case = fresh(case)
    assert case.status == CaseStatus.ACCEPTED
    assert Referral.objects.get(pk=referral.pk).status == "replied"

    case = services.resolve_case(
        actor=township_cadre,
        case=case,
        outcome="resolved_in_favour",
        result_text="用人单位已支付全部工资",
        amount_recovered="11500",
        now=at(2026, 3, 5),
    )
    assert case.status == CaseStatus.RESOLVED
    assert case.amount_recovered == Decimal("11500.00")
    assert case.workers_benefited == 1
    assert case.resolved_on_time is True
    assert case.working_days_to_resolve == 3

    case = services.rate_case(actor=worker, case=case, satisfaction="satisfied", now=at(2026, 3, 6))
    assert case.status == CaseStatus.RESOLVED and case.satisfaction == "satisfied"

    case = services.close_case(actor=township_cadre, case=case, now=at(2026, 3, 9))
    assert case.status == CaseStatus.CLOSED
    assert kinds(case) == [
        EventKind.RECEIVED,
        EventKind.ACCEPTED,
        EventKind.REFERRED,
        EventKind.DEPARTMENT_REPLIED,
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.CLOSED,
    ]
    statuses = list(
        case.events.exclude(to_status="").order_by("time", "id").values_list("to_status", flat=True)
    )
    assert statuses == ["new", "accepted", "referred", "accepted", "resolved", "closed"]


def test_unsatisfied_reopens_once_then_escalates(make_case, township_cadre, county_cadre, worker):
    case = make_case(applicants=[worker.person], now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case)

    def resolve():
        return services.resolve_case(
            actor=township_cadre, case=case, outcome="partially", result_text="已协调部分"
        )

    resolve()
    case = services.rate_case(actor=worker, case=case, satisfaction="unsatisfied")
    assert case.status == CaseStatus.ACCEPTED
    assert case.reopen_count == 1
    assert case.assignee == township_cadre  # back to the same handler
    with pytest.raises(ValidationError):
        services.rate_case(actor=worker, case=case, satisfaction="satisfied")

    resolve()
    case = services.rate_case(actor=worker, case=case, satisfaction="unsatisfied")
    assert case.status == CaseStatus.NEW
    assert case.organization == county_cadre.assignments.get().organization
    assert case.escalation_count == 1
    assert case.reopen_count == 1
    assert kinds(case)[-3:] == [EventKind.RESOLVED, EventKind.RATED, EventKind.ESCALATED]
    assert case.events.get(kind=EventKind.REOPENED).data["reopen_count"] == 1


def test_staff_records_satisfaction_from_a_follow_up_call(make_case, township_cadre):
    case = make_case(now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case)
    services.resolve_case(
        actor=township_cadre, case=case, outcome="advice_given", result_text="已解答"
    )
    case = services.rate_case(
        actor=township_cadre, case=case, satisfaction="basically", note="电话回访"
    )
    assert case.satisfaction == "basically"


def test_supervision_must_be_answered(make_case, township_cadre, county_cadre):
    case = make_case(now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case, now=at(2026, 3, 2, 15))
    supervision = services.supervise_case(
        actor=county_cadre, case=case, comment="请加快办理", now=at(2026, 3, 3)
    )
    assert supervision.organization.kind == "county"
    assert supervision.due_date == datetime.date(2026, 3, 5)
    assert fresh(case).supervised is True
    assert Notification.objects.filter(user=township_cadre, kind="supervised").exists()

    # The township cannot supervise itself.
    with pytest.raises(PermissionDenied):
        services.supervise_case(actor=township_cadre, case=case, comment="自我督办")

    services.answer_supervision(actor=township_cadre, supervision=supervision, response="已约谈")
    assert fresh(case).supervised is False
    with pytest.raises(ValidationError):
        services.answer_supervision(actor=township_cadre, supervision=supervision, response="再答")
    assert kinds(case)[-2:] == [EventKind.SUPERVISED, EventKind.SUPERVISION_ANSWERED]


def test_manual_escalation_to_parent(make_case, township_cadre, tree):
    case = make_case(now=at(2026, 3, 2))
    case = services.escalate_case(
        actor=township_cadre, case=case, reason="涉及多个乡镇", now=at(2026, 3, 3)
    )
    assert case.organization == tree.county
    assert case.status == CaseStatus.NEW
    assert case.accept_due == datetime.date(2026, 3, 4)
    assert case.due_date == datetime.date(2026, 3, 10)
    event = case.events.get(kind=EventKind.ESCALATED)
    assert event.data["automatic"] is False
    assert event.data["from_organization"] == tree.huangtupu.pk


def test_reassign_merge_withdraw_and_notes(make_case, township_cadre, tree, roles):
    colleague = give_role(UserFactory(name="同事"), "township_cadre", tree.huangtupu)
    case = make_case(now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case)
    case = services.reassign_case(actor=township_cadre, case=case, assignee=colleague)
    assert case.assignee == colleague and case.owner == colleague
    services.add_note(actor=colleague, case=case, note="已电话联系老板")
    services.log_contact(actor=colleague, case=case, note="走访工地", method="visit")

    duplicate = make_case(now=at(2026, 3, 3))
    merged = services.merge_cases(actor=township_cadre, case=duplicate, into=case)
    assert merged.status == CaseStatus.MERGED and merged.merged_into == case
    assert fresh(case).parties.count() == 2

    other = make_case(now=at(2026, 3, 3))
    withdrawn = services.withdraw_case(actor=township_cadre, case=other, reason="职工已自行解决")
    assert withdrawn.status == CaseStatus.WITHDRAWN


def test_attachment_checks_type_and_size(make_case, township_cadre):
    case = make_case(now=at(2026, 3, 2))
    pdf = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = services.add_attachment(actor=township_cadre, case=case, file=pdf)
    assert attachment.original_name == "工资条.pdf"
    assert EventKind.ATTACHMENT_ADDED in kinds(case)

    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(actor=township_cadre, case=case, file=exe)
    assert "jpg" in exc.value.message_dict["file"][0]
    fake = SimpleUploadedFile("photo.jpg", b"not a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.add_attachment(actor=township_cadre, case=case, file=fake)
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(actor=township_cadre, case=case, file=big)
    assert "10 MB" in exc.value.message_dict["file"][0]
    assert case.attachments.count() == 1


# -- scope ----------------------------------------------------------------------------------


def test_sibling_township_cadre_cannot_see_or_act(make_case, sibling_cadre, township_cadre):
    case = make_case(now=at(2026, 3, 2))
    assert not Case.objects.visible_to(sibling_cadre).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(township_cadre).filter(pk=case.pk).exists()
    from django.http import Http404

    with pytest.raises(Http404):
        get_visible_or_404(Case.objects, sibling_cadre, pk=case.pk)
    events_before = CaseEvent.objects.count()
    for call in (
        lambda: services.accept_case(actor=sibling_cadre, case=case),
        lambda: services.escalate_case(actor=sibling_cadre, case=case, reason="x"),
        lambda: services.add_note(actor=sibling_cadre, case=case, note="x"),
        lambda: services.withdraw_case(actor=sibling_cadre, case=case, reason="x"),
        lambda: services.supervise_case(actor=sibling_cadre, case=case, comment="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert fresh(case).status == CaseStatus.NEW
    assert CaseEvent.objects.count() == events_before


def test_auditor_sees_but_cannot_handle(make_case, auditor):
    case = make_case(now=at(2026, 3, 2))
    assert Case.objects.visible_to(auditor).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.accept_case(actor=auditor, case=case)


def test_worker_cannot_act_on_someone_elses_case(make_case, worker):
    case = make_case(now=at(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        services.withdraw_case(actor=worker, case=case, reason="不想办了")
    with pytest.raises(PermissionDenied):
        services.accept_case(actor=worker, case=case)
    assert not Case.objects.of_worker(worker).filter(pk=case.pk).exists()


def test_first_contact_receiver_keeps_sight_of_a_case_routed_away(
    make_case, station_staff, tree, roles
):
    # 白地市镇's grid officer takes in a case about a 黄土铺镇 employer: it is routed to
    # 黄土铺镇, yet the receiver owns it (and sees it) until it is accepted there.
    officer = give_role(UserFactory(name="网格员"), "grid_officer", tree.baidishi)
    case = make_case(
        actor=officer, organization=tree.baidishi, employer=tree.xinfa, now=at(2026, 3, 2)
    )
    assert case.organization == tree.huangtupu and case.owner == officer
    assert Case.objects.visible_to(officer).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.accept_case(actor=officer, case=case)
    services.accept_case(actor=station_staff, case=case)
    assert not Case.objects.visible_to(officer).filter(pk=case.pk).exists()


# -- bad input ------------------------------------------------------------------------------


def test_missing_fields_give_chinese_messages_and_write_nothing(station_staff, tree):
    with pytest.raises(ValidationError) as exc:
        services.submit_case(
            actor=station_staff,
            organization=tree.huangtupu,
            kind="",
            category=None,
            title="",
            description="",
            channel="walk_in",
        )
    errors = exc.value.message_dict
    assert errors["kind"] == ["请选择有效的诉求类型"]
    assert errors["category"] == ["请选择诉求类别"]
    # The empty title would come from the description: one message, naming the field.
    assert "title" not in errors
    assert errors["description"] == ["请填写诉求内容"]
    assert Case.objects.count() == 0


def test_five_megabytes_of_text_is_refused(make_case):
    with pytest.raises(ValidationError) as exc:
        make_case(description="欠" * (5 * 1024 * 1024), now=at(2026, 3, 2))
    assert exc.value.message_dict["description"] == ["不能超过 5000 个字"]
    assert Case.objects.count() == 0


def test_negative_and_malformed_amounts(make_case, township_cadre):
    with pytest.raises(ValidationError) as exc:
        make_case(amount_claimed="-5", now=at(2026, 3, 2))
    assert exc.value.message_dict["amount_claimed"] == ["金额不能为负数"]
    with pytest.raises(ValidationError):
        make_case(amount_claimed="一万", now=at(2026, 3, 2))
    case = make_case(now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case)
    with pytest.raises(ValidationError) as exc:
        services.resolve_case(
            actor=township_cadre,
            case=case,
            outcome="resolved_in_favour",
            result_text="ok",
            amount_recovered="20000",
        )
    assert "不能超过涉及金额" in exc.value.message_dict["amount_recovered"][0]
    with pytest.raises(ValidationError):
        services.resolve_case(
            actor=township_cadre,
            case=case,
            outcome="resolved_in_favour",
            result_text="ok",
            workers_benefited=-1,
        )
    assert fresh(case).status == CaseStatus.ACCEPTED


def test_wrong_ids_are_refused(make_case, township_cadre, station_staff, tree):
    with pytest.raises(ValidationError) as exc:
        make_case(category=999999, grid="abc", employer=424242, now=at(2026, 3, 2))
    errors = exc.value.message_dict
    assert errors["category"] == ["请选择有效的诉求类别"]
    assert errors["grid"] == ["请选择有效的网格"]
    assert errors["employer"] == ["请选择有效的用人单位"]
    case = make_case(now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case)
    with pytest.raises(ValidationError) as exc:
        services.refer_case(actor=township_cadre, case=case, department=31337, note="转")
    assert "department" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.record_department_reply(actor=township_cadre, referral=31337, reply_text="x")
    with pytest.raises(ValidationError):
        services.accept_case(actor=township_cadre, case=Case(pk=987654))


def test_acting_on_a_closed_case_is_invalid_state(make_case, township_cadre):
    case = make_case(now=at(2026, 3, 2))
    services.accept_case(actor=township_cadre, case=case)
    services.resolve_case(
        actor=township_cadre, case=case, outcome="advice_given", result_text="已解答"
    )
    services.close_case(actor=township_cadre, case=case)
    events_before = case.events.count()
    for call in (
        lambda: services.accept_case(actor=township_cadre, case=case),
        lambda: services.add_note(actor=township_cadre, case=case, note="补充"),
        lambda: services.escalate_case(actor=township_cadre, case=case, reason="x"),
        lambda: services.resolve_case(
            actor=township_cadre, case=case, outcome="advice_given", result_text="x"
        ),
        lambda: services.rate_case(actor=township_cadre, case=case, satisfaction="satisfied"),
        lambda: services.withdraw_case(actor=township_cadre, case=case, reason="x"),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.code == "invalid_state"
        assert exc.value.messages == ["该诉求已归档,不能再办理"]
    assert case.events.count() == events_before
    assert fresh(case).status == CaseStatus.CLOSED
