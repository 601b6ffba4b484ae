"""The demo county's cases: played through the case services, so they have timelines,
audit entries and deadlines like real ones, and fill the staff queues."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from huigong.accounts.models import User
from huigong.audit.models import ChangeLog
from huigong.cases.demo.stories import STORIES, expected_recovered
from huigong.cases.filters import Queue, apply_queue
from huigong.cases.models import (
    Case,
    CaseCategory,
    CaseStatus,
    Channel,
    EventKind,
    Referral,
    ReferralStatus,
    Satisfaction,
)
from huigong.demo.services import WORKER_USERNAME
from huigong.orgs.models import Organization
from huigong.partners.models import Department, DepartmentKind

pytestmark = pytest.mark.django_db


def org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_demo_cases_cover_states_channels_and_categories(demo_output):
    # The stories' cases; the inspection demo opens one more from a finding.
    cases = Case.objects.exclude(channel=Channel.INSPECTION)
    assert 40 <= cases.count() <= 60
    assert cases.count() == len(STORIES)
    assert f"{len(STORIES)} cases" in demo_output
    assert set(cases.values_list("status", flat=True)) == {
        CaseStatus.NEW,
        CaseStatus.ACCEPTED,
        CaseStatus.REFERRED,
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
        CaseStatus.MERGED,
    }
    assert {Channel.WALK_IN, Channel.HOTLINE, Channel.PORTAL, Channel.GRID_OFFICER} <= set(
        cases.values_list("channel", flat=True)
    )
    assert set(cases.values_list("category__code", flat=True)) == set(
        CaseCategory.objects.values_list("code", flat=True)
    )
    assert {Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED} <= set(
        cases.values_list("satisfaction", flat=True)
    )
    # Most cases are in the two townships the stories are about.
    two = cases.filter(organization__name__in=["黄土铺镇工会联合会", "白地市镇工会联合会"])
    assert two.count() > cases.count() / 2
    # Received over the last three months, numbered in the order they came in.
    today = timezone.localdate()
    dates = [timezone.localdate(c.received_at) for c in cases.order_by("number")]
    assert dates == sorted(dates)
    assert 75 <= (today - dates[0]).days <= 100 and dates[-1] < today


def test_every_case_has_a_timeline_and_an_audit_trail(demo_output):
    now = timezone.now()
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[0].kind == EventKind.RECEIVED and events[0].time == case.received_at
        times = [e.time for e in events]
        assert times == sorted(times) and times[-1] <= now
        # Only the deadline sweep acts without a user.
        assert all(
            e.actor_id
            for e in events
            if e.kind not in (EventKind.MARKED_DUE_SOON, EventKind.MARKED_OVERDUE)
        )
        assert ChangeLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).exists()
    kinds = set(Case.objects.values_list("events__kind", flat=True))
    assert {
        EventKind.ROUTED,
        EventKind.ACCEPTED,
        EventKind.REFERRED,
        EventKind.DEPARTMENT_REPLIED,
        EventKind.ESCALATED,
        EventKind.SUPERVISED,
        EventKind.SUPERVISION_ANSWERED,
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.CLOSED,
        EventKind.MARKED_OVERDUE,
    } <= kinds


def test_partner_departments_serve_every_township(demo_output):
    county = org("祁东县总工会")
    departments = Department.objects.all()
    assert departments.count() == 6
    assert set(departments.values_list("organization", flat=True)) == {county.pk}
    assert DepartmentKind.LABOUR_INSPECTION in set(departments.values_list("kind", flat=True))
    usable = Department.objects.active().usable_at(org("黄土铺镇工会联合会"))
    assert usable.count() == 6
    assert ChangeLog.objects.filter(object_type="partners.department").count() == 6


def test_group_wage_case_recovered_all_115000_yuan(demo_output):
    case = Case.objects.get(amount_claimed=Decimal("115000"))
    assert case.parties.count() == 13 == case.workers_benefited
    assert case.parties.get(role="applicant").person.name == "肖华清"
    assert case.amount_recovered == Decimal("115000")
    assert case.status == CaseStatus.CLOSED and case.satisfaction == Satisfaction.SATISFIED
    assert case.resolved_on_time
    referral = case.referrals.get()
    assert referral.department.kind == DepartmentKind.LABOUR_INSPECTION
    assert referral.status == ReferralStatus.REPLIED
    # 肖华清 rated it himself on the portal.
    worker = user(WORKER_USERNAME)
    assert case.events.get(kind=EventKind.RATED).actor == worker
    assert Case.objects.of_worker(worker).filter(pk=case.pk).exists()
    assert Case.objects.of_worker(worker).filter(channel=Channel.PORTAL).count() == 3


def test_amounts_recovered_sum_as_in_the_stories(demo_output):
    total = Case.objects.aggregate(total=Sum("amount_recovered"))["total"]
    assert total == expected_recovered() == Decimal("199600")
    for case in Case.objects.exclude(amount_recovered=None):
        assert case.amount_recovered <= case.amount_claimed


def test_township_cadre_sees_own_cases_not_the_sibling_townships(demo_output):
    huangtupu, baidishi = org("黄土铺镇工会联合会"), org("白地市镇工会联合会")
    visible = Case.objects.visible_to(user("huangtupu"))
    sibling = Case.objects.visible_to(user("baidishi"))
    assert visible.exists() and sibling.exists()
    assert all(c.organization.path.startswith(huangtupu.path) for c in visible)
    assert not visible.filter(organization__path__startswith=baidishi.path).exists()
    assert not sibling.filter(pk__in=visible).exists()
    assert Case.objects.visible_to(user("county")).count() == Case.objects.count()


def test_queues_have_work_in_them(demo_output):
    county = user("county")
    cases = Case.objects.visible_to(county)
    overdue = apply_queue(cases, county, Queue.OVERDUE)
    assert overdue.exists()
    # The sweep has flagged them, and the department replies they wait for.
    assert all(c.is_overdue for c in overdue)
    assert Referral.objects.filter(status=ReferralStatus.OVERDUE).exists()
    assert apply_queue(cases, county, Queue.DUE_SOON).exists()
    assert apply_queue(cases, county, Queue.SUPERVISED).exists()
    assert apply_queue(cases, county, Queue.REFERRED).exists()
    station = user("station")
    assert apply_queue(Case.objects.visible_to(station), station, Queue.AWAITING).exists()
    # The overdue cases are waiting on departments: the sweep escalated nothing.
    assert not Case.objects.filter(
        events__kind=EventKind.ESCALATED, events__data__automatic=True
    ).exists()


def test_one_case_escalated_to_the_county_and_one_reopened(demo_output):
    escalated = Case.objects.get(escalation_count=1)
    assert escalated.organization == org("祁东县总工会")
    assert escalated.status == CaseStatus.ACCEPTED
    assert escalated.events.get(kind=EventKind.ESCALATED).actor == user("baidishi")
    reopened = Case.objects.filter(reopen_count=1)
    assert set(reopened.values_list("status", flat=True)) == {
        CaseStatus.ACCEPTED,
        CaseStatus.CLOSED,
    }


def test_hotline_follow_up_calls_and_a_merged_duplicate(demo_output):
    contacts = Case.objects.filter(events__kind=EventKind.CONTACT).distinct()
    assert contacts.count() >= 3
    assert set(contacts.values_list("channel", flat=True)) == {Channel.HOTLINE}
    merged = Case.objects.get(status=CaseStatus.MERGED)
    target = merged.merged_into
    assert target.title == "七宝山村村民在石料厂做工被欠薪"
    assert set(merged.parties.values_list("person", flat=True)) <= set(
        target.parties.values_list("person", flat=True)
    )
    assert target.events.filter(kind=EventKind.MERGED).exists()


def test_partner_account_answers_for_the_labour_inspection_brigade(demo_output):
    partner = user("partner")
    labour = Department.objects.get(name="县人社局劳动保障监察大队")
    assert list(labour.members.all()) == [partner]
    answered = Referral.objects.filter(department=labour, status=ReferralStatus.REPLIED)
    by_partner = answered.filter(case__events__kind=EventKind.DEPARTMENT_REPLIED).filter(
        case__events__actor=partner
    )
    assert by_partner.count() == 1
    assert by_partner.get().replied_by.startswith("何志明")
    waiting = Referral.objects.filter(department=labour).exclude(status=ReferralStatus.REPLIED)
    assert waiting.exists()
    assert ChangeLog.objects.filter(
        object_type="partners.department", object_id=str(labour.pk)
    ).exists()
