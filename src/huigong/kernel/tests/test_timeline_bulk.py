"""``EventWriter.bulk``: the rows a writer writes one by one, inserted together."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huigong.cases import events
from huigong.cases.models import Case, CaseCategory, CaseEvent, CaseStatus, EventKind
from huigong.cases.services import seed_categories
from huigong.kernel.timeline import record_events

WHEN = datetime.datetime(2025, 10, 13, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def cases(tree) -> list[Case]:
    seed_categories()
    wage = CaseCategory.objects.get(code="wage_arrears")
    return Case.objects.bulk_create(
        Case(
            province=tree.province,
            organization=tree.huangtupu,
            number=f"TL-{i}",
            kind="demand",
            category=wage,
            channel="walk_in",
            title="欠薪",
            description="工资拖欠",
            accept_due=datetime.date(2025, 9, 20 + i),
            due_date=datetime.date(2025, 9, 20 + i),
            status=CaseStatus.ACCEPTED,
        )
        for i in range(3)
    )


def _row(event: CaseEvent) -> tuple:
    return (
        event.kind,
        event.actor_id,
        event.time,
        event.from_status,
        event.to_status,
        event.note,
        event.data,
    )


def test_bulk_writes_what_the_writer_writes_one_by_one_in_one_insert(cases, township_cadre):
    one_by_one = [
        events.case_overdue_event(case=case, actor=township_cadre, time=WHEN) for case in cases
    ]
    with CaptureQueriesContext(connection) as queries:
        together = events.case_overdue_event.bulk(
            [{"case": case} for case in cases], actor=township_cadre, time=WHEN
        )
    assert len(queries) == 1
    assert all(event.pk for event in together)
    assert [_row(e) for e in together] == [_row(e) for e in one_by_one]
    stored = CaseEvent.objects.filter(pk__in=[e.pk for e in together]).order_by("pk")
    assert [(e.case_id, e.data["due_date"]) for e in stored] == [
        (c.pk, str(c.due_date)) for c in cases
    ]


def test_bulk_takes_the_writers_note_status_and_computed_data(cases, county_cadre, tree):
    def arguments(case):
        return {"case": case, "from_org": tree.huangtupu, "reason": "逾期", "automatic": True}

    single = events.case_escalated_event(
        **arguments(cases[0]), from_status=CaseStatus.ACCEPTED, time=WHEN
    )
    [bulk] = events.case_escalated_event.bulk(
        [arguments(cases[0])], from_status=CaseStatus.ACCEPTED, time=WHEN
    )
    assert _row(bulk) == _row(single)
    assert (bulk.note, bulk.to_status, bulk.kind) == (
        "逾期",
        CaseStatus.ACCEPTED,
        EventKind.ESCALATED,
    )
    assert bulk.data == {
        "from_organization": tree.huangtupu.pk,
        "to_organization": tree.huangtupu.pk,
        "automatic": True,
    }


def test_an_anonymous_actor_is_the_system_and_time_defaults_to_now(cases):
    from django.contrib.auth.models import AnonymousUser

    before = datetime.datetime.now(tz=ZoneInfo("UTC"))
    written = events.case_due_soon_event.bulk([{"case": c} for c in cases], actor=AnonymousUser())
    assert {e.actor_id for e in written} == {None}
    assert len({e.time for e in written}) == 1 and written[0].time >= before


def test_nothing_to_write_sends_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        assert events.case_overdue_event.bulk([]) == []
        assert record_events([]) == []
    assert len(queries) == 0
