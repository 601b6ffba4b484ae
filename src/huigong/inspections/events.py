"""The timeline of a joint labour inspection. ``InspectionEvent`` rows are written only by
the named functions here, one per kind of event, through the kernel's ``record_event``,
so every entry of a kind carries the same data and the detail page can rely on it."""

from __future__ import annotations

import datetime
from typing import Any

from huigong.kernel.timeline import record_event

from .models import (
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionFinding,
    InspectionTarget,
    RectificationOrder,
)


def inspection_planned_event(
    *, inspection: Inspection, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        inspection,
        InspectionEventKind.PLANNED,
        actor=actor,
        to_status=inspection.status,
        data={"departments": sorted(d.pk for d in inspection.departments.all())},
        time=time,
    )


def inspection_updated_event(
    *, inspection: Inspection, actor, fields: list[str], time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        inspection, InspectionEventKind.UPDATED, actor=actor, data={"fields": fields}, time=time
    )


def inspection_started_event(
    *, inspection: Inspection, actor, from_status: str, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        inspection,
        InspectionEventKind.STARTED,
        actor=actor,
        from_status=from_status,
        to_status=inspection.status,
        time=time,
    )


def inspection_finished_event(
    *, inspection: Inspection, actor, from_status: str, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        inspection,
        InspectionEventKind.FINISHED,
        actor=actor,
        from_status=from_status,
        to_status=inspection.status,
        note=inspection.summary,
        time=time,
    )


def inspection_cancelled_event(
    *,
    inspection: Inspection,
    actor,
    from_status: str,
    reason: str,
    time: datetime.datetime | None = None,
) -> InspectionEvent:
    return record_event(
        inspection,
        InspectionEventKind.CANCELLED,
        actor=actor,
        from_status=from_status,
        to_status=inspection.status,
        note=reason,
        time=time,
    )


def target_added_event(
    *, target: InspectionTarget, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        target.inspection,
        InspectionEventKind.TARGET_ADDED,
        actor=actor,
        note=target.name,
        data={"target": target.pk, "organization": target.organization_id},
        time=time,
    )


def target_visited_event(
    *, target: InspectionTarget, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        target.inspection,
        InspectionEventKind.TARGET_VISITED,
        actor=actor,
        note=target.result_summary,
        data={
            "target": target.pk,
            "visited_on": str(target.visited_on) if target.visited_on else "",
            "workers_employed": target.workers_employed,
        },
        time=time,
    )


def finding_recorded_event(
    *, finding: InspectionFinding, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        finding.target.inspection,
        InspectionEventKind.FINDING_RECORDED,
        actor=actor,
        note=finding.description,
        data={
            "target": finding.target_id,
            "finding": finding.pk,
            "kind": finding.kind,
            "workers_affected": finding.workers_affected,
        },
        time=time,
    )


def _order_data(order: RectificationOrder, **extra: Any) -> dict[str, Any]:
    return {
        "finding": order.finding_id,
        "order": order.pk,
        "due_date": str(order.due_date),
        **extra,
    }


def order_issued_event(
    *, order: RectificationOrder, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        order.finding.target.inspection,
        InspectionEventKind.ORDER_ISSUED,
        actor=actor,
        note=order.requirement,
        data=_order_data(order),
        time=time,
    )


def order_rectified_event(
    *, order: RectificationOrder, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        order.finding.target.inspection,
        InspectionEventKind.RECTIFIED,
        actor=actor,
        note=order.result_text,
        data=_order_data(
            order,
            on_time=order.rectified_on_time,
            contracts_signed=order.contracts_signed,
            workers_insured=order.workers_insured,
            amount_recovered=str(order.amount_recovered),
        ),
        time=time,
    )


def order_overdue_event(
    *, order: RectificationOrder, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        order.finding.target.inspection,
        InspectionEventKind.ORDER_OVERDUE,
        data=_order_data(order),
        time=time,
    )


def case_opened_event(
    *, finding: InspectionFinding, actor, time: datetime.datetime | None = None
) -> InspectionEvent:
    return record_event(
        finding.target.inspection,
        InspectionEventKind.CASE_OPENED,
        actor=actor,
        note=finding.case.number if finding.case_id else "",
        data={"finding": finding.pk, "case": finding.case_id},
        time=time,
    )
