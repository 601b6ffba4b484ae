"""The sweep works set by set: one event and the right notifications per changed case,
nothing twice (rerun, chunks, a second worker holding rows), and a number of queries that
grows with the chunks, not with the cases.

Cases are written in bulk here (as an import or a backlog would leave them): the sweep on
Monday 13 October 2025 finds those due before that day overdue, and those due from 13 to
15 October (two working days) due soon.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from huigong.cases import sweep
from huigong.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    NotificationKind,
    Referral,
    ReferralStatus,
    Supervision,
)
from huigong.kernel.models import Notification

from .conftest import at

D = datetime.date
TODAY = D(2025, 10, 13)
LATE = D(2025, 9, 30)  # before the holiday: overdue on the 13th
SOON = D(2025, 10, 14)


def sweep_on(day: datetime.date = TODAY) -> sweep.SweepResult:
    return sweep.sweep_case_deadlines(today=day, now=at(day.year, day.month, day.day, 1))


@pytest.fixture
def bulk_cases(tree, wage, station_staff, township_cadre):
    """``bulk_cases(n, due=…)``: ``n`` cases written at once, accepted at 黄土铺镇 and
    handled by 罗芳 (taken in by the station) unless told otherwise."""
    numbers = itertools.count(1)

    def make(
        n: int,
        *,
        due: datetime.date,
        accept_due: datetime.date | None = None,
        status: str = CaseStatus.ACCEPTED,
        assignee=township_cadre,
        owner=station_staff,
        organization=None,
    ) -> list[Case]:
        rows = [
            Case(
                province=tree.province,
                organization=organization or tree.huangtupu,
                number=f"SW-{next(numbers):06d}",
                kind="demand",
                category=wage,
                channel="walk_in",
                title="欠薪",
                description="工资拖欠",
                received_at=at(2025, 9, 1),
                accept_due=accept_due or due,
                due_date=due,
                status=status,
                owner=owner,
                assignee=assignee,
            )
            for _ in range(n)
        ]
        return Case.objects.bulk_create(rows)

    return make


@pytest.fixture
def no_escalation(settings):
    settings.CASES_AUTO_ESCALATE_OVERDUE = False


def events(kind: str) -> dict[int, int]:
    """Events of ``kind`` per case id."""
    found: dict[int, int] = {}
    for case_id in CaseEvent.objects.filter(kind=kind).values_list("case_id", flat=True):
        found[case_id] = found.get(case_id, 0) + 1
    return found


def notified(kind: str) -> dict[int, list[str]]:
    """The usernames notified of ``kind`` per case id (sorted, repeats kept)."""
    found: dict[int, list[str]] = {}
    rows = Notification.objects.filter(
        kind=kind, content_type=ContentType.objects.get_for_model(Case)
    ).values_list("object_id", "user__username")
    for case_id, username in rows:
        found.setdefault(case_id, []).append(username)
    return {k: sorted(v) for k, v in found.items()}


def test_each_changed_case_gets_one_event_and_its_notifications(
    bulk_cases, no_escalation, station_staff, township_cadre, worker, holidays
):
    handled = bulk_cases(3, due=LATE)
    unassigned = bulk_cases(1, due=LATE, assignee=None)
    own = bulk_cases(1, due=LATE, assignee=station_staff)  # handler and owner are one
    workers = bulk_cases(1, due=LATE, assignee=None, owner=worker)  # workers are not told
    soon = bulk_cases(2, due=SOON)
    later = bulk_cases(2, due=D(2025, 10, 20))
    resolved = bulk_cases(1, due=LATE, status=CaseStatus.RESOLVED)

    result = sweep_on()

    assert (result.overdue, result.due_soon) == (6, 2)
    late = handled + unassigned + own + workers
    assert events(EventKind.MARKED_OVERDUE) == {c.pk: 1 for c in late}
    assert events(EventKind.MARKED_DUE_SOON) == {c.pk: 1 for c in soon}
    event = CaseEvent.objects.get(case=handled[0], kind=EventKind.MARKED_OVERDUE)
    assert event.data == {"due_date": "2025-09-30"} and event.actor is None
    assert event.time == at(2025, 10, 13, 1)
    both = sorted([station_staff.username, township_cadre.username])
    assert notified(NotificationKind.OVERDUE) == {
        **{c.pk: both for c in handled},
        unassigned[0].pk: [station_staff.username],
        own[0].pk: [station_staff.username],
    }
    assert notified(NotificationKind.DUE_SOON) == {c.pk: both for c in soon}
    marked = Case.objects.filter(pk__in=[c.pk for c in late])
    assert all(c.is_overdue and c.overdue_marked_at == at(2025, 10, 13, 1) for c in marked)
    assert set(Case.objects.filter(due_soon=True)) == set(soon)
    untouched = Case.objects.filter(pk__in=[c.pk for c in later + resolved])
    assert not any(c.is_overdue or c.due_soon for c in untouched)


def test_a_second_sweep_changes_nothing(bulk_cases, no_escalation, holidays):
    bulk_cases(5, due=LATE, status=CaseStatus.NEW)
    bulk_cases(3, due=SOON)
    first = sweep_on()
    assert (first.overdue, first.due_soon, first.acceptance_overdue) == (5, 3, 5)
    counts = (CaseEvent.objects.count(), Notification.objects.count())

    assert vars(sweep_on()) == vars(sweep.SweepResult())
    assert (CaseEvent.objects.count(), Notification.objects.count()) == counts


def test_chunks_cover_every_case_once_across_equal_due_dates(
    bulk_cases, no_escalation, monkeypatch, holidays
):
    # 23 cases on two due dates, claimed 5 at a time: the keyset (due date, id) must go
    # on within a date without skipping or repeating a case.
    monkeypatch.setattr(sweep, "CHUNK_SIZE", 5)
    cases = bulk_cases(11, due=LATE) + bulk_cases(12, due=D(2025, 9, 29))
    assert sweep_on().overdue == 23
    assert events(EventKind.MARKED_OVERDUE) == {c.pk: 1 for c in cases}
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == 46


def test_overdue_escalation_is_one_level_once_with_its_event_and_notifications(
    bulk_cases, station_staff, county_cadre, monkeypatch, tree, holidays
):
    monkeypatch.setattr(sweep, "ESCALATION_CHUNK_SIZE", 2)
    cases = bulk_cases(5, due=LATE)
    result = sweep_on()
    assert (result.overdue, result.escalated) == (5, 5)
    assert vars(sweep_on()) == vars(sweep.SweepResult())
    escalated = Case.objects.filter(pk__in=[c.pk for c in cases])
    assert {(c.organization_id, c.status, c.escalation_count) for c in escalated} == {
        (tree.county.pk, CaseStatus.NEW, 1)
    }
    assert all(not c.is_overdue and c.overdue_marked_at for c in escalated)
    assert events(EventKind.ESCALATED) == {c.pk: 1 for c in cases}
    assert events(EventKind.MARKED_OVERDUE) == {c.pk: 1 for c in cases}
    # The county's handlers and the case's owner (first contact), once per case.
    told = sorted([county_cadre.username, station_staff.username])
    assert notified(NotificationKind.ESCALATED) == {c.pk: told for c in cases}


def test_referrals_and_reminders_are_claimed_once(
    bulk_cases,
    no_escalation,
    labour_inspection,
    station_staff,
    township_cadre,
    county_cadre,
    tree,
    holidays,
):
    referred = bulk_cases(3, due=D(2025, 10, 20), status=CaseStatus.REFERRED)
    Referral.objects.bulk_create(
        Referral(case=c, department=labour_inspection, sent_by=township_cadre, due_date=LATE)
        for c in referred
    )
    waiting = bulk_cases(2, due=D(2025, 10, 20), accept_due=LATE, status=CaseStatus.NEW)
    supervised = bulk_cases(2, due=D(2025, 10, 20))
    Supervision.objects.bulk_create(
        Supervision(
            case=c,
            organization=tree.county,
            supervised_by=county_cadre,
            comment="请尽快办理",
            due_date=LATE,
        )
        for c in supervised
    )

    result = sweep_on()
    assert (result.referrals_overdue, result.acceptance_overdue) == (3, 2)
    assert result.supervisions_overdue == 2
    assert vars(sweep_on()) == vars(sweep.SweepResult())

    assert set(Referral.objects.values_list("status", flat=True)) == {ReferralStatus.OVERDUE}
    both = sorted([station_staff.username, township_cadre.username])
    assert notified(NotificationKind.REFERRAL_OVERDUE) == {c.pk: both for c in referred}
    # The owner (the station) and the handlers at 黄土铺镇 (罗芳), once each.
    assert notified(NotificationKind.ACCEPTANCE_OVERDUE) == {c.pk: both for c in waiting}
    # The handler (罗芳, the assignee) and the supervisor.
    assert notified(NotificationKind.SUPERVISION_OVERDUE) == {
        c.pk: sorted([county_cadre.username, township_cadre.username]) for c in supervised
    }


def _late_of_every_kind(bulk_cases, n, department, cadre, supervisor, county) -> None:
    bulk_cases(n, due=LATE, status=CaseStatus.NEW)  # overdue and not accepted in time
    bulk_cases(n, due=SOON)
    referred = bulk_cases(n, due=D(2025, 10, 20), status=CaseStatus.REFERRED)
    Referral.objects.bulk_create(
        Referral(case=c, department=department, sent_by=cadre, due_date=LATE) for c in referred
    )
    Supervision.objects.bulk_create(
        Supervision(
            case=c, organization=county, supervised_by=supervisor, comment="请办理", due_date=LATE
        )
        for c in referred
    )


@pytest.fixture
def warm(holidays):
    """Caches a process fills once (the holiday table, content types) filled before
    the counting starts."""
    ContentType.objects.get_for_model(Case)
    sweep_on()


def _queries_of_a_sweep() -> tuple[sweep.SweepResult, Counter]:
    """The sweep's result and its statements by verb (the savepoints of the chunks'
    transactions inside the test's own transaction not counted)."""
    with CaptureQueriesContext(connection) as queries:
        result = sweep_on()
    verbs = Counter(q["sql"].split(None, 1)[0].upper() for q in queries)
    return result, Counter({v: n for v, n in verbs.items() if v in ("SELECT", "UPDATE", "INSERT")})


def test_queries_do_not_grow_with_the_number_of_cases(
    bulk_cases, no_escalation, labour_inspection, township_cadre, county_cadre, tree, warm
):
    late = (labour_inspection, township_cadre, county_cadre, tree.county)
    _late_of_every_kind(bulk_cases, 30, *late)
    small, small_queries = _queries_of_a_sweep()
    assert vars(small) == {
        "due_soon": 30,
        "overdue": 30,
        "escalated": 0,
        "referrals_overdue": 30,
        "acceptance_overdue": 30,
        "supervisions_overdue": 30,
    }
    _late_of_every_kind(bulk_cases, 300, *late)
    large, large_queries = _queries_of_a_sweep()
    assert vars(large) == {k: v * 10 for k, v in vars(small).items()}
    # Per pass: the chunk's select and the one that finds no more, the claim; one
    # handlers query for 黄土铺镇 (asked once per organization).
    assert (large_queries["SELECT"], large_queries["UPDATE"]) == (11, 5)
    assert (small_queries["SELECT"], small_queries["UPDATE"]) == (11, 5)
    # The events (2 kinds) and notifications (5 kinds): one insert each per chunk, which
    # SQLite splits by its limit of 999 parameters a statement (about 120 rows), never
    # one per row. 600 events and 3,000 notifications here.
    assert small_queries["INSERT"] == 7
    if connection.vendor == "postgresql":
        assert large_queries["INSERT"] == 7
    assert large_queries["INSERT"] <= 3600 / 100


def test_queries_grow_by_chunks(bulk_cases, no_escalation, monkeypatch, warm):
    bulk_cases(40, due=LATE)
    monkeypatch.setattr(sweep, "CHUNK_SIZE", 10)
    _result, four_chunks = _queries_of_a_sweep()
    bulk_cases(40, due=LATE)
    monkeypatch.setattr(sweep, "CHUNK_SIZE", 20)
    _result, two_chunks = _queries_of_a_sweep()
    # Each chunk of overdue cases: select, claim, events, notifications.
    assert four_chunks - two_chunks == Counter(SELECT=2, UPDATE=2, INSERT=4)


def test_escalations_cost_the_same_statements_however_many(bulk_cases, county_cadre, warm):
    bulk_cases(3, due=LATE)
    result, three = _queries_of_a_sweep()
    assert result.escalated == 3
    bulk_cases(13, due=LATE)
    result, thirteen = _queries_of_a_sweep()
    assert result.escalated == 13
    # Set-based (escalate_many): parents, handlers, one UPDATE, one insert each for the
    # events, the change log and the notifications, whatever the number of cases.
    assert thirteen.total() - three.total() <= 1


# -- two workers ------------------------------------------------------------------------------


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks: SQLite's write lock serialises whole sweeps (covered by the reruns)",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_rows_another_worker_holds_are_skipped_then_swept_once(bulk_cases, no_escalation, holidays):
    cases = bulk_cases(10, due=LATE)
    held_ids = [c.pk for c in cases[3:6]]
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(Case.objects.select_for_update().filter(pk__in=held_ids))
                locked.set()
                release.wait(30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(30)
    try:
        assert sweep_on().overdue == 7  # the held rows are skipped, not waited for
    finally:
        release.set()
        thread.join(30)
    assert done.is_set()
    assert set(Case.objects.filter(is_overdue=False).values_list("pk", flat=True)) == set(held_ids)
    assert sweep_on().overdue == 3
    assert events(EventKind.MARKED_OVERDUE) == {c.pk: 1 for c in cases}
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == 20


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_never_act_twice(
    bulk_cases, no_escalation, monkeypatch, holidays
):
    monkeypatch.setattr(sweep, "CHUNK_SIZE", 3)
    cases = bulk_cases(60, due=LATE) + bulk_cases(30, due=SOON)
    results: list[sweep.SweepResult] = []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait(30)
            results.append(sweep_on())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2
    assert sum(r.overdue for r in results) == 60
    assert sum(r.due_soon for r in results) == 30
    assert events(EventKind.MARKED_OVERDUE) == {c.pk: 1 for c in cases[:60]}
    assert events(EventKind.MARKED_DUE_SOON) == {c.pk: 1 for c in cases[60:]}
    assert Notification.objects.count() == 2 * 90
