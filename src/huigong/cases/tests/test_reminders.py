"""Notifications of handling: assigned to me, not accepted in time, supervision not
answered in time, department replied — each once, across the 2025 National Day holiday
(1–8 October off; Sunday 28 September and Saturday 11 October adjusted working days)."""

from __future__ import annotations

import datetime

from django.core import mail

from huigong.cases import services, sweep
from huigong.cases.models import Case, NotificationKind, Supervision
from huigong.kernel.models import Notification
from huigong.kernel.notifications import notifications_about, send_daily_digests

from .conftest import at

D = datetime.date


def sweep_on(day: datetime.date) -> sweep.SweepResult:
    return sweep.sweep_case_deadlines(today=day, now=at(day.year, day.month, day.day, 1))


def notified(kind: str, case=None) -> list[str]:
    rows = Notification.objects.filter(kind=kind)
    if case is not None:
        rows = rows.filter(object_id=case.pk, content_type__model="case")
    return sorted(rows.values_list("user__username", flat=True))


# -- assigned to me -----------------------------------------------------------------------------


def test_accepting_for_someone_else_and_reassigning_notify_the_new_handler_once(
    make_case, township_cadre, station_staff, holidays
):
    case = make_case(now=at(2025, 9, 22))
    services.accept_case(actor=township_cadre, case=case, assignee=station_staff)
    assert notified(NotificationKind.ASSIGNED, case) == [station_staff.username]
    services.reassign_case(
        actor=station_staff, case=case, assignee=township_cadre, now=at(2025, 9, 23)
    )
    assert notified(NotificationKind.ASSIGNED, case) == sorted(
        [station_staff.username, township_cadre.username]
    )
    # Reassigning is not a new intake: nobody hears "awaiting acceptance" about it again.
    assert (
        notifications_about(case)
        .filter(kind=NotificationKind.AWAITING_ACCEPTANCE, user=township_cadre)
        .count()
        == 1
    )
    assert case.events.get(kind="reassigned").time == at(2025, 9, 23)


def test_accepting_for_oneself_notifies_nobody(make_case, township_cadre, holidays):
    case = make_case()
    services.accept_case(actor=township_cadre, case=case)
    assert notified(NotificationKind.ASSIGNED) == []


# -- not accepted in time -----------------------------------------------------------------------


def test_acceptance_overdue_is_notified_once_after_the_holiday(
    make_case, township_cadre, station_staff, county_cadre, holidays
):
    late = make_case(now=at(2025, 9, 30))  # acceptance due Thu 9 Oct
    weekend = make_case(now=at(2025, 9, 26))  # acceptance due Sun 28 Sep (adjusted day)
    accepted = make_case(now=at(2025, 9, 26))
    services.accept_case(actor=township_cadre, case=accepted, now=at(2025, 9, 29, 9))
    assert late.accept_due == D(2025, 10, 9) and weekend.accept_due == D(2025, 9, 28)

    assert sweep_on(D(2025, 9, 27)).acceptance_overdue == 0  # a Saturday: 26 Sep is last
    assert sweep_on(D(2025, 9, 29)).acceptance_overdue == 1
    assert notified(NotificationKind.ACCEPTANCE_OVERDUE, weekend) == sorted(
        [station_staff.username, township_cadre.username]  # owner + handlers, once each
    )
    assert sweep_on(D(2025, 10, 5)).acceptance_overdue == 0  # holiday: nothing new
    assert sweep_on(D(2025, 10, 9)).acceptance_overdue == 0  # due today
    assert sweep_on(D(2025, 10, 10)).acceptance_overdue == 1
    assert sweep_on(D(2025, 10, 10)).acceptance_overdue == 0  # rerun: nothing twice
    assert Notification.objects.filter(kind=NotificationKind.ACCEPTANCE_OVERDUE).count() == 4
    assert notified(NotificationKind.ACCEPTANCE_OVERDUE, accepted) == []
    assert county_cadre.username not in notified(NotificationKind.ACCEPTANCE_OVERDUE)
    assert Case.objects.get(pk=late.pk).acceptance_overdue_notified_at == at(2025, 10, 10, 1)


def test_an_escalated_case_is_reminded_again_at_the_new_level(
    make_case, township_cadre, county_cadre, holidays
):
    case = make_case(now=at(2025, 9, 22))
    sweep.sweep_case_deadlines(today=D(2025, 9, 24), now=at(2025, 9, 24, 1))
    assert notified(NotificationKind.ACCEPTANCE_OVERDUE, case) != []
    services.escalate_case(
        actor=township_cadre, case=case, reason="需县总协调", now=at(2025, 9, 24, 9)
    )
    case.refresh_from_db()
    assert case.acceptance_overdue_notified_at is None and case.accept_due == D(2025, 9, 25)
    sweep.sweep_case_deadlines(today=D(2025, 9, 26), now=at(2025, 9, 26, 1))
    assert county_cadre.username in notified(NotificationKind.ACCEPTANCE_OVERDUE, case)


def test_acceptance_reminder_claim_is_compare_and_set(make_case, holidays):
    case = make_case(now=at(2025, 9, 22))
    stale = Case.objects.get(pk=case.pk)
    now = at(2025, 9, 24, 1)
    assert sweep._remind_acceptance_overdue(Case.objects.get(pk=case.pk), now) is True
    assert sweep._remind_acceptance_overdue(stale, now) is False  # the other worker lost
    # The station is owner and the only handler there: one notification.
    assert Notification.objects.filter(kind=NotificationKind.ACCEPTANCE_OVERDUE).count() == 1


# -- supervision not answered in time -------------------------------------------------------------


def test_supervision_overdue_notifies_handler_and_supervisor_once(
    make_case, township_cadre, station_staff, county_cadre, holidays
):
    case = make_case(now=at(2025, 9, 29))
    services.accept_case(actor=township_cadre, case=case, assignee=station_staff)
    supervision = services.supervise_case(
        actor=county_cadre, case=case, comment="请尽快办理", now=at(2025, 9, 30)
    )
    answered_case = make_case(now=at(2025, 9, 29))
    services.accept_case(actor=township_cadre, case=answered_case)
    answered = services.supervise_case(
        actor=county_cadre, case=answered_case, comment="请说明进展", now=at(2025, 9, 30)
    )
    services.answer_supervision(
        actor=township_cadre, supervision=answered, response="已约谈企业", now=at(2025, 10, 9)
    )
    assert supervision.due_date == D(2025, 10, 10)  # 2 working days after the holiday

    assert sweep_on(D(2025, 10, 5)).supervisions_overdue == 0
    assert sweep_on(D(2025, 10, 10)).supervisions_overdue == 0  # due today
    assert sweep_on(D(2025, 10, 11)).supervisions_overdue == 1  # adjusted Saturday
    assert sweep_on(D(2025, 10, 13)).supervisions_overdue == 0
    assert notified(NotificationKind.SUPERVISION_OVERDUE) == sorted(
        [station_staff.username, county_cadre.username]
    )
    assert Supervision.objects.get(pk=supervision.pk).overdue_notified_at == at(2025, 10, 11, 1)
    stale = Supervision.objects.get(pk=supervision.pk)
    Supervision.objects.filter(pk=stale.pk).update(overdue_notified_at=None)
    assert sweep._remind_supervision_overdue(stale, at(2025, 10, 13)) is True
    assert sweep._remind_supervision_overdue(stale, at(2025, 10, 13)) is False


# -- department replied --------------------------------------------------------------------------


def test_department_reply_notifies_the_handler_but_not_the_recorder(
    make_case, township_cadre, station_staff, labour_inspection, holidays
):
    case = make_case()
    services.accept_case(actor=township_cadre, case=case, assignee=station_staff)
    referral = services.refer_case(
        actor=station_staff, case=case, department=labour_inspection, note="请监察"
    )
    services.record_department_reply(
        actor=township_cadre, referral=referral, reply_text="已责令企业支付"
    )
    assert notified(NotificationKind.REFERRAL_REPLIED) == [station_staff.username]

    own = make_case()
    services.accept_case(actor=station_staff, case=own)
    referral = services.refer_case(
        actor=station_staff, case=own, department=labour_inspection, note="请监察"
    )
    services.record_department_reply(actor=station_staff, referral=referral, reply_text="已处理")
    assert notified(NotificationKind.REFERRAL_REPLIED, own) == []


# -- the daily digest lists the new kinds ------------------------------------------------------


def test_digest_lists_the_new_reminders(
    make_case, township_cadre, station_staff, county_cadre, labour_inspection, holidays
):
    township_cadre.email = "luofang@example.cn"
    township_cadre.save()
    make_case(now=at(2025, 9, 26))  # not accepted in time
    case = make_case(now=at(2025, 9, 26))
    services.accept_case(actor=station_staff, case=case, assignee=township_cadre)
    services.supervise_case(actor=county_cadre, case=case, comment="请办理", now=at(2025, 9, 26))
    referred = make_case(now=at(2025, 9, 26))
    services.accept_case(actor=station_staff, case=referred, assignee=township_cadre)
    referral = services.refer_case(
        actor=township_cadre, case=referred, department=labour_inspection, note="请监察"
    )
    services.record_department_reply(actor=station_staff, referral=referral, reply_text="已办")
    sweep_on(D(2025, 10, 9))
    assert send_daily_digests(today=D(2025, 10, 9), now=at(2025, 10, 9, 8)) >= 1
    body = next(m for m in mail.outbox if m.to == ["luofang@example.cn"]).body
    for label in ("【分派给我】", "【超时未受理】", "【督办逾期未回复】", "【协作部门已答复】"):
        assert label in body
