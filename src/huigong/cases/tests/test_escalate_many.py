"""Escalating many cases at once (``escalate_many``) is escalating each of them
(``escalate_to_parent``): the same status, organization, deadlines, counter, timeline
event, change-log entry and notifications — written with a number of statements that
does not grow with the number of cases.

The cases are written in bulk, alike in pairs: one of each pair is escalated alone, the
other with the rest, on Monday 13 October 2025 (fresh deadlines count from that day).
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_fsm import TransitionNotAllowed

from huigong.audit.models import ChangeLog
from huigong.cases import sweep
from huigong.cases.models import Case, CaseEvent, CaseStatus, EventKind, NotificationKind
from huigong.cases.services.base import handlers_at
from huigong.cases.services.escalation import escalate_many, escalate_to_parent
from huigong.common.workdays import add_working_days
from huigong.kernel.models import Notification

from .conftest import at

D = datetime.date
NOW = at(2025, 10, 13, 1)
LATE = D(2025, 9, 30)
REASON = "逾期未办结,按规则自动上报上级工会"
#: What a case's escalation does not change, or changes alike in both sets.
SAME_FIELDS = [
    f.attname
    for f in Case._meta.concrete_fields
    if f.name not in ("id", "number", "created_at", "updated_at")
]


@pytest.fixture
def new_cases(tree, categories, station_staff, township_cadre, sibling_cadre, worker):
    """``new_cases(prefix)``: one case of every kind an escalation meets — new or in hand
    or resolved, at four organizations under two parents and under the county, with
    categories and complexities giving different deadlines, held or not, owned by
    staff, by a worker or by nobody, marked overdue, due soon or reminded — in order."""
    numbers = itertools.count(1)
    wage, injury = categories["wage_arrears"], categories["work_injury"]
    kinds = [
        (tree.xinfa, wage, "ordinary", CaseStatus.NEW, None, station_staff),
        (tree.xinfa, injury, "complex", CaseStatus.ACCEPTED, township_cadre, township_cadre),
        (tree.huangtupu, wage, "difficult", CaseStatus.ACCEPTED, township_cadre, station_staff),
        (tree.huangtupu, injury, "ordinary", CaseStatus.NEW, None, worker),
        (tree.liuquan, wage, "ordinary", CaseStatus.RESOLVED, sibling_cadre, None),
        (tree.baidishi, injury, "difficult", CaseStatus.NEW, None, station_staff),
    ]

    def make(prefix: str) -> list[Case]:
        rows = [
            Case(
                province=tree.province,
                organization=org,
                number=f"{prefix}-{next(numbers):04d}",
                kind="demand",
                category=category,
                complexity=complexity,
                channel="walk_in",
                title="欠薪",
                description="工资拖欠",
                received_at=at(2025, 9, 1),
                accept_due=D(2025, 9, 2),
                due_date=LATE,
                status=status,
                owner=owner,
                assignee=assignee,
                accepted_at=at(2025, 9, 2) if assignee else None,
                is_overdue=index % 2 == 0,
                due_soon=index == 1,
                acceptance_overdue_notified_at=at(2025, 9, 3) if status == "new" else None,
                escalation_count=index % 3,
            )
            for index, (org, category, complexity, status, assignee, owner) in enumerate(kinds)
        ]
        return Case.objects.bulk_create(rows)

    return make


def _locked(cases: list[Case]) -> list[Case]:
    """The cases as a caller holds them: locked, with their organization and category."""
    rows = Case.objects.select_for_update().select_related("organization", "category")
    found = {c.pk: c for c in rows.filter(pk__in=[c.pk for c in cases])}
    return [found[c.pk] for c in cases]


def _outcome(case: Case) -> dict:
    """What escalating ``case`` left behind, without what names this very case (its id,
    number and write times)."""
    row = Case.objects.get(pk=case.pk)
    event_type = ContentType.objects.get_for_model(Case)
    return {
        "case": {name: getattr(row, name) for name in SAME_FIELDS},
        "events": [
            (e.kind, e.actor_id, e.time, e.from_status, e.to_status, e.note, e.data)
            for e in CaseEvent.objects.filter(case=case).order_by("id")
        ],
        "changes": [
            (
                e.action,
                e.actor_id,
                e.actor_name,
                e.object_type,
                e.object_repr.replace(case.number, "<number>"),
                e.org_path,
                e.changes,
                e.note,
            )
            for e in ChangeLog.objects.filter(object_type="cases.case", object_id=str(case.pk))
        ],
        "told": Counter(
            Notification.objects.filter(content_type=event_type, object_id=case.pk).values_list(
                "user__username", "kind"
            )
        ),
    }


def test_many_at_once_is_each_alone(new_cases, county_cadre, township_cadre, holidays):
    alone, together = new_cases("A"), new_cases("B")
    with transaction.atomic():
        for case in _locked(alone):
            escalate_to_parent(case, actor=None, reason=REASON, automatic=True, now=NOW)
    with transaction.atomic():
        returned = escalate_many(_locked(together), reason=REASON, now=NOW)
    assert [c.pk for c in returned] == [c.pk for c in together]
    for one, other in zip(alone, together, strict=True):
        assert _outcome(other) == _outcome(one)


def test_each_case_climbs_one_level_with_fresh_deadlines_and_is_recorded(
    new_cases, tree, categories, station_staff, township_cadre, county_cadre, holidays
):
    cases = new_cases("C")
    before = {c.pk: (c.status, c.organization_id, c.escalation_count) for c in cases}
    with transaction.atomic():
        escalated = escalate_many(_locked(cases), reason=REASON, now=NOW)
    parents = [tree.huangtupu, tree.huangtupu, tree.county, tree.county, tree.baidishi]
    parents.append(tree.county)
    # From Monday 13 October: acceptance in 1 working day, handling in the category's
    # days for the case's complexity (wage 5/10/20, injury 10/20/30) — at the new level.
    due = [D(2025, 10, 20), D(2025, 11, 24), D(2025, 10, 27), D(2025, 10, 27)]
    due += [D(2025, 10, 20), D(2025, 11, 10)]
    rows = Case.objects.in_bulk([c.pk for c in cases])
    for case, parent, due_date, returned in zip(cases, parents, due, escalated, strict=True):
        row = rows[case.pk]
        from_status, from_org, count = before[case.pk]
        assert (row.status, row.organization_id, row.escalation_count) == (
            CaseStatus.NEW,
            parent.pk,
            count + 1,
        )
        assert (row.accept_due, row.due_date) == (D(2025, 10, 14), due_date)
        assert row.assignee_id is row.accepted_at is row.acceptance_overdue_notified_at is None
        assert not row.is_overdue and not row.due_soon
        # The objects returned hold what was written.
        assert (returned.status, returned.organization, returned.due_date) == (
            row.status,
            parent,
            due_date,
        )
        assert returned.escalation_count == row.escalation_count

        event = CaseEvent.objects.get(case=case)
        assert (event.kind, event.actor, event.time, event.note) == (
            EventKind.ESCALATED,
            None,
            NOW,
            REASON,
        )
        assert (event.from_status, event.to_status) == (from_status, CaseStatus.NEW)
        assert event.data == {
            "from_organization": from_org,
            "to_organization": parent.pk,
            "automatic": True,
        }
        entry = ChangeLog.objects.get(object_type="cases.case", object_id=str(case.pk))
        assert (entry.action, entry.actor_name, entry.org_path) == ("update", "系统", parent.path)
        assert entry.note == f"逾期自动上报至“{parent.name}”"
        assert entry.changes["organization"] == [from_org, parent.pk]
        assert entry.changes["escalation_count"] == [count, count + 1]
        assert entry.changes["due_date"] == ["2025-09-30", str(due_date)]
        if from_status != CaseStatus.NEW:
            assert entry.changes["status"] == [from_status, CaseStatus.NEW]
        # The handlers at the new level (asked one organization at a time here) and the
        # owner, staff only.
        expected = {u.username for u in handlers_at(parent)}
        if row.owner is not None and not row.owner.is_worker:
            expected.add(row.owner.username)
        told = Notification.objects.filter(object_id=case.pk, kind=NotificationKind.ESCALATED)
        assert sorted(told.values_list("user__username", flat=True)) == sorted(expected)
    assert {county_cadre.username, township_cadre.username} <= {
        n.user.username for n in Notification.objects.all()
    }


def _state() -> set[tuple]:
    return set(
        Case.objects.values_list(
            "pk", "status", "organization_id", "escalation_count", "due_date", "is_overdue"
        )
    )


def _nothing_written(before: set[tuple]) -> bool:
    return (
        _state() == before
        and not CaseEvent.objects.exists()
        and not Notification.objects.exists()
        and not ChangeLog.objects.filter(object_type="cases.case").exists()
    )


def test_a_case_at_the_top_stops_the_whole_set_before_anything_is_written(
    new_cases, tree, holidays
):
    cases = new_cases("T")
    Case.objects.filter(pk=cases[-1].pk).update(organization=tree.province)
    before = _state()
    with pytest.raises(ValidationError) as error, transaction.atomic():
        escalate_many(_locked(cases), reason=REASON, now=NOW)
    assert error.value.code == "no_parent"
    assert _nothing_written(before)


def test_a_case_that_may_not_be_escalated_stops_the_whole_set(new_cases, holidays):
    cases = new_cases("F")
    Case.objects.filter(pk=cases[-1].pk).update(status=CaseStatus.CLOSED)
    before = _state()
    with pytest.raises(TransitionNotAllowed), transaction.atomic():
        escalate_many(_locked(cases), reason=REASON, now=NOW)
    assert _nothing_written(before)


# -- statements -------------------------------------------------------------------------------


def _statements(run) -> Counter:
    """The statements ``run`` sends, by verb (savepoints not counted)."""
    with CaptureQueriesContext(connection) as queries:
        run()
    verbs = Counter(q["sql"].split(None, 1)[0].upper() for q in queries)
    return Counter({v: n for v, n in verbs.items() if v not in ("SAVEPOINT", "RELEASE")})


@pytest.fixture
def warm(holidays):
    """The holiday calendar and content types a process reads once, read before counting."""
    ContentType.objects.get_for_model(Case)
    ContentType.objects.get_for_model(CaseEvent)
    add_working_days(NOW.date(), 30)


def test_statements_do_not_grow_with_the_number_of_cases(
    new_cases, county_cadre, township_cadre, sibling_cadre, warm
):
    def escalate(n: int) -> Counter:
        cases = list(itertools.chain.from_iterable(new_cases(f"S{n}-{i}") for i in range(n // 6)))
        assert len(cases) == n
        with transaction.atomic():
            locked = _locked(cases)
            return _statements(lambda: escalate_many(locked, reason=REASON, now=NOW))

    ten, hundred = escalate(12), escalate(102)
    # The parents, their handlers, the owners, the counters read back: one SELECT each;
    # one UPDATE; one insert each for the events of each status left (new, accepted,
    # resolved), the notifications and the change log — on PostgreSQL the log's ids
    # (one more SELECT), then its rows with COPY. Each insert of events looks up the
    # workers to tell of the escalation (one SELECT each; these cases have none).
    if connection.vendor == "postgresql":
        assert ten == Counter(SELECT=4 + 1 + 3, UPDATE=1, INSERT=3 + 1, COPY=1)
        assert hundred == ten
    else:
        assert ten == Counter(SELECT=4 + 3, UPDATE=1, INSERT=3 + 1 + 1)
        # SQLite splits a bulk insert by its limit of 999 parameters a statement (about
        # 100 rows), never one a row: 102 entries and events, 170 notifications.
        assert hundred - ten <= Counter(INSERT=6)
        assert (hundred["SELECT"], hundred["UPDATE"]) == (4 + 3, 1)


def test_the_sweep_escalates_a_chunk_with_the_statements_of_a_few_cases(
    new_cases, county_cadre, township_cadre, sibling_cadre, monkeypatch, warm
):
    monkeypatch.setattr(sweep, "ESCALATION_CHUNK_SIZE", 500)

    def sweep_escalations(n: int) -> Counter:
        for i in range(n // 6):
            new_cases(f"W{n}-{i}")
        Case.objects.filter(number__startswith=f"W{n}-").update(is_overdue=True)
        claimed = []
        with transaction.atomic():
            counted = _statements(
                lambda: claimed.append(sweep._escalate_cases(Case.objects.all(), NOW))
            )
        # Of each six, the resolved case waits (it is not escalated automatically).
        assert claimed == [n // 6 * 5]
        return counted

    ten, hundred = sweep_escalations(12), sweep_escalations(102)
    assert CaseEvent.objects.filter(kind=EventKind.ESCALATED).count() == 10 + 85
    if connection.vendor == "postgresql":
        assert hundred == ten
    else:
        assert hundred - ten <= Counter(INSERT=6)
