"""The deadline sweep across the 2025 National Day holiday, and the daily digest.

The 2025 schedule (State Council notice, seeded from chinese-calendar): 1–8 October are
holidays; Sunday 28 September and Saturday 11 October are adjusted working days (调休).
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from huigong.cases import services, sweep
from huigong.cases.models import Case, CaseStatus, EventKind
from huigong.common.workdays import is_working_day
from huigong.kernel.models import Digest, Notification
from huigong.kernel.notifications import send_daily_digests

from .conftest import at

D = datetime.date


def sweep_on(day: datetime.date) -> sweep.SweepResult:
    return sweep.sweep_case_deadlines(today=day, now=at(day.year, day.month, day.day, 1))


def test_calendar_is_the_official_2025_schedule(holidays):
    assert is_working_day(D(2025, 9, 28))  # Sunday, adjusted working day
    assert not is_working_day(D(2025, 10, 1))
    assert not is_working_day(D(2025, 10, 8))
    assert is_working_day(D(2025, 10, 11))  # Saturday, adjusted working day
    assert not is_working_day(D(2025, 10, 12))


def test_overdue_cutoff_follows_the_working_day_calendar(holidays):
    # During the holiday only deadlines before the last working day (30 Sep) are overdue.
    assert sweep.overdue_cutoff(D(2025, 10, 5)) == D(2025, 9, 30)
    # On the adjusted Saturday, a Friday deadline has passed.
    assert sweep.overdue_cutoff(D(2025, 10, 11)) == D(2025, 10, 11)
    # On the Sunday after it, the Saturday counts as the last working day.
    assert sweep.overdue_cutoff(D(2025, 10, 12)) == D(2025, 10, 11)


def test_sweep_across_national_day_escalates_exactly_the_overdue_cases(
    make_case, township_cadre, county_cadre, labour_inspection, categories, tree
):
    def received(day, **kw):
        return make_case(now=at(day.year, day.month, day.day), **kw)

    # Wage cases: 5 working days, handled by the township (黄土铺镇).
    a = received(D(2025, 9, 22))  # due Sun 28 Sep (adjusted working day)
    b = received(D(2025, 9, 25))  # due Thu 9 Oct
    c = received(D(2025, 9, 26))  # due Fri 10 Oct
    d = received(D(2025, 9, 28))  # due Sat 11 Oct (adjusted working day)
    e = received(D(2025, 9, 29))  # due Mon 13 Oct
    f = received(D(2025, 9, 30))  # due Tue 14 Oct
    # Legal advice: 2 working days.
    g = received(D(2025, 9, 29), category=categories["legal_advice"], kind="consultation")
    # Overdue but waiting for a department: marked overdue, not escalated.
    h = received(D(2025, 9, 22))
    services.accept_case(actor=township_cadre, case=h, now=at(2025, 9, 22, 15))
    services.refer_case(
        actor=township_cadre,
        case=h,
        department=labour_inspection,
        note="请监察大队处理",
        now=at(2025, 9, 23),
    )
    # Resolved in time: never touched.
    i = received(D(2025, 9, 22))
    services.accept_case(actor=township_cadre, case=i, now=at(2025, 9, 22, 15))
    services.resolve_case(
        actor=township_cadre,
        case=i,
        outcome="advice_given",
        result_text="已解答",
        now=at(2025, 9, 24),
    )
    # A category that opted out of automatic escalation.
    categories["employment"].auto_escalate = False
    categories["employment"].save()
    j = received(D(2025, 9, 22), category=categories["employment"], kind="help")

    due = {c_.pk: Case.objects.get(pk=c_.pk).due_date for c_ in (a, b, c, d, e, f, g, h, i, j)}
    assert due[a.pk] == D(2025, 9, 28)
    assert due[b.pk] == D(2025, 10, 9)
    assert due[c.pk] == D(2025, 10, 10)
    assert due[d.pk] == D(2025, 10, 11)
    assert due[e.pk] == D(2025, 10, 13)
    assert due[f.pk] == D(2025, 10, 14)
    assert due[g.pk] == D(2025, 10, 9)

    def state():
        return {
            name: Case.objects.get(pk=obj.pk)
            for name, obj in zip("abcdefghij", (a, b, c, d, e, f, g, h, i, j), strict=True)
        }

    def escalated():
        return {n for n, x in state().items() if x.escalation_count}

    # Sunday 5 October, in the middle of the holiday.
    result = sweep_on(D(2025, 10, 5))
    assert (result.overdue, result.escalated) == (3, 1)  # a, h, j overdue; a escalated
    s = state()
    assert escalated() == {"a"}
    assert s["a"].organization == tree.county and s["a"].status == CaseStatus.NEW
    assert s["a"].overdue_marked_at is not None and s["a"].is_overdue is False
    assert s["a"].due_date == D(2025, 10, 14)  # fresh deadline at the county
    assert s["h"].is_overdue and s["h"].status == CaseStatus.REFERRED
    assert s["j"].is_overdue and s["j"].organization == tree.huangtupu
    assert {n for n, x in s.items() if x.due_soon} == {"b", "c", "g"}
    assert not s["i"].is_overdue and s["i"].status == CaseStatus.RESOLVED
    # h's department had 5 working days from 23 Sep (due 29 Sep) and has not replied.
    assert result.referrals_overdue == 1

    # The same sweep again (a second worker, or the next hour): nothing happens twice.
    assert vars(sweep_on(D(2025, 10, 5))) == vars(sweep.SweepResult())

    # Thursday 9 October, first working day after the holiday: b and g are due today.
    result = sweep_on(D(2025, 10, 9))
    assert (result.overdue, result.escalated, result.referrals_overdue) == (0, 0, 0)
    assert result.due_soon == 1 and state()["d"].due_soon  # d: due on the adjusted Saturday

    # Saturday 11 October, an adjusted working day: the deadlines of 9 and 10 October
    # have passed (on an ordinary Saturday, the Friday one would not have yet).
    result = sweep_on(D(2025, 10, 11))
    assert (result.overdue, result.escalated) == (3, 3)
    assert escalated() == {"a", "b", "c", "g"}
    assert not state()["d"].is_overdue  # due today

    # Sunday 12 October: a rest day, nothing new is overdue.
    result = sweep_on(D(2025, 10, 12))
    assert (result.overdue, result.escalated) == (0, 0)

    # Monday 13 October: d (due on the adjusted Saturday) is now overdue.
    result = sweep_on(D(2025, 10, 13))
    assert (result.overdue, result.escalated) == (1, 1)
    assert escalated() == {"a", "b", "c", "d", "g"}
    assert vars(sweep_on(D(2025, 10, 13))) == vars(sweep.SweepResult())

    s = state()
    assert all(s[n].escalation_count == 1 for n in "abcdg")  # none twice
    assert {n for n in "efhij" if s[n].escalation_count} == set()
    assert s["e"].status == CaseStatus.NEW and s["e"].organization == tree.huangtupu
    escalations = s["a"].events.filter(kind=EventKind.ESCALATED)
    assert escalations.count() == 1 and escalations.get().data["automatic"] is True
    assert s["a"].events.filter(kind=EventKind.MARKED_OVERDUE).count() == 1

    # Thursday 16 October. Once per level: a (county deadline 14 Oct) and g (2 working
    # days at the county, 14 Oct) missed their fresh county deadlines too → the city;
    # e and f (13 and 14 Oct) are now overdue at the township → the county.
    result = sweep_on(D(2025, 10, 16))
    assert (result.overdue, result.escalated) == (4, 4)
    s = state()
    assert s["a"].organization == tree.city and s["a"].escalation_count == 2
    assert s["g"].organization == tree.city and s["g"].escalation_count == 2
    assert s["e"].organization == tree.county and s["f"].organization == tree.county
    assert {n for n, x in s.items() if x.organization == tree.county} == {"b", "c", "d", "e", "f"}
    # The county handlers heard of each case escalated to them, once.
    notified = Notification.objects.filter(user=county_cadre, kind="escalated")
    assert notified.count() == 7
    assert set(notified.values_list("object_id", flat=True)) == {s[n].pk for n in "abcdefg"}


def test_global_setting_turns_automatic_escalation_off(make_case, settings, holidays):
    settings.CASES_AUTO_ESCALATE_OVERDUE = False
    case = make_case(now=at(2025, 9, 22))
    result = sweep_on(D(2025, 10, 5))
    assert (result.overdue, result.escalated) == (1, 0)
    case.refresh_from_db()
    assert case.is_overdue and case.escalation_count == 0


def test_claims_are_compare_and_set(make_case, holidays):
    case = make_case(now=at(2025, 9, 22))
    stale = Case.objects.get(pk=case.pk)
    now = at(2025, 10, 5, 1)
    assert sweep._mark_overdue(Case.objects.get(pk=case.pk), now) is True
    assert sweep._mark_overdue(stale, now) is False  # the other worker lost the claim
    flagged = Case.objects.select_related("category").get(pk=case.pk)
    assert sweep._auto_escalate(flagged, now) is True
    assert sweep._auto_escalate(flagged, now) is False
    assert Case.objects.get(pk=case.pk).escalation_count == 1


def test_daily_digest_is_one_message_per_user_per_day(
    make_case, township_cadre, station_staff, holidays
):
    township_cadre.email = "luofang@example.cn"
    township_cadre.save()
    station_staff.email = "station@example.cn"
    station_staff.save()
    for day in (22, 23, 24):
        case = make_case(now=at(2025, 9, day))
        services.accept_case(actor=township_cadre, case=case, now=at(2025, 9, day, 15))
    sweep_on(D(2025, 10, 5))
    pending = Notification.objects.filter(user=township_cadre, sent_in_digest_at=None)
    assert pending.count() >= 3

    sent = send_daily_digests(today=D(2025, 10, 5), now=at(2025, 10, 5, 8))
    assert sent == 2  # one for 罗芳, one for the station (first-contact notifications)
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == ["luofang@example.cn"])
    assert "惠工诉求每日提醒" in message.subject
    assert "【已逾期】" in message.body and "QD-2025-000001" in message.body
    assert not pending.exists()

    # More notifications the same day wait for tomorrow's digest.
    case = make_case(now=at(2025, 9, 25))
    services.accept_case(actor=township_cadre, case=case, now=at(2025, 9, 25, 15))
    sweep_on(D(2025, 10, 9))
    assert send_daily_digests(today=D(2025, 10, 5), now=at(2025, 10, 5, 9)) == 0
    assert len(mail.outbox) == 2
    assert send_daily_digests(today=D(2025, 10, 9), now=at(2025, 10, 9, 8)) >= 1
    assert Digest.objects.filter(user=township_cadre).count() == 2


def test_management_command_runs_the_sweep(make_case, holidays, capsys):
    make_case(now=at(2025, 9, 22))
    call_command("sweep_case_deadlines", "--date", "2025-10-05", "--digests")
    out = capsys.readouterr().out
    assert "overdue: 1" in out and "escalated: 1" in out


@pytest.mark.parametrize("years", [[2025]])
def test_open_deadline_years_are_declared(make_case, holidays, years):
    make_case(now=at(2025, 9, 22))
    assert sweep.open_case_deadline_years() == years
