"""The timeline of a joint labour inspection. ``InspectionEvent`` rows are written only by
the named writers here, one per kind of event, declared as data on the kernel's
``EventWriter``, so every entry of a kind carries the same data and the detail page can
rely on it."""

from __future__ import annotations

from huigong.kernel.timeline import EventWriter, as_text

from .models import InspectionEventKind

inspection_planned_event = EventWriter(
    InspectionEventKind.PLANNED,
    subject="inspection",
    to_status=True,
    data={"departments": lambda a: sorted(d.pk for d in a.inspection.departments.all())},
)
inspection_updated_event = EventWriter(
    InspectionEventKind.UPDATED, subject="inspection", data={"fields": "fields"}
)
inspection_started_event = EventWriter(
    InspectionEventKind.STARTED, subject="inspection", to_status=True
)
inspection_finished_event = EventWriter(
    InspectionEventKind.FINISHED, subject="inspection", to_status=True, note="inspection.summary"
)
inspection_cancelled_event = EventWriter(
    InspectionEventKind.CANCELLED, subject="inspection", to_status=True, note="reason"
)
target_added_event = EventWriter(
    InspectionEventKind.TARGET_ADDED,
    subject="target.inspection",
    note="target.name",
    data={"target": "target.pk", "organization": "target.organization_id"},
)
target_visited_event = EventWriter(
    InspectionEventKind.TARGET_VISITED,
    subject="target.inspection",
    note="target.result_summary",
    data={
        "target": "target.pk",
        "visited_on": as_text("target.visited_on", unset=""),
        "workers_employed": "target.workers_employed",
    },
)
finding_recorded_event = EventWriter(
    InspectionEventKind.FINDING_RECORDED,
    subject="finding.target.inspection",
    note="finding.description",
    data={
        "target": "finding.target_id",
        "finding": "finding.pk",
        "kind": "finding.kind",
        "workers_affected": "finding.workers_affected",
    },
)


def _order_event(kind: str, *, note: str | None = None, **extra) -> EventWriter:
    """A rectification order's event: naming the order, its finding and due date."""
    data = {
        "finding": "order.finding_id",
        "order": "order.pk",
        "due_date": as_text("order.due_date"),
        **extra,
    }
    return EventWriter(kind, subject="order.finding.target.inspection", note=note, data=data)


order_issued_event = _order_event(InspectionEventKind.ORDER_ISSUED, note="order.requirement")
order_rectified_event = _order_event(
    InspectionEventKind.RECTIFIED,
    note="order.result_text",
    on_time="order.rectified_on_time",
    contracts_signed="order.contracts_signed",
    workers_insured="order.workers_insured",
    amount_recovered=as_text("order.amount_recovered"),
)
order_overdue_event = _order_event(InspectionEventKind.ORDER_OVERDUE)
case_opened_event = EventWriter(
    InspectionEventKind.CASE_OPENED,
    subject="finding.target.inspection",
    note=lambda a: a.finding.case.number if a.finding.case_id else "",
    data={"finding": "finding.pk", "case": "finding.case_id"},
)
