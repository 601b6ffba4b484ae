"""The case timeline. ``CaseEvent`` rows are written only by the named writers here
(one per kind of event, like Saleor's ``order/events.py``), so every entry of a given
kind carries the same data and the detail page can rely on it.

Each writer is declared as data (``kernel.timeline.EventWriter``) and called with keyword
arguments: the case (or the mediation), ``actor``, ``time`` and what the kind needs —
``case_referred_event(case=case, actor=user, referral=referral, from_status=before)``."""

from __future__ import annotations

from huigong.kernel.timeline import EventWriter, as_text

from .models import EventKind

case_received_event = EventWriter(
    EventKind.RECEIVED,
    subject="case",
    to_status=True,
    data={
        "channel": "case.channel",
        "possible_duplicates": lambda a: getattr(a, "duplicates", None) or [],
    },
)
case_routed_event = EventWriter(
    EventKind.ROUTED,
    subject="case",
    note="reason",
    data={"from_organization": "receiving_org.pk", "to_organization": "case.organization_id"},
)
case_accepted_event = EventWriter(
    EventKind.ACCEPTED, subject="case", to_status=True, data={"assignee": "case.assignee_id"}
)
case_refused_event = EventWriter(
    EventKind.REFUSED,
    subject="case",
    to_status=True,
    note="case.result_text",
    data={"reason": "case.refusal_reason.code", "reason_name": "case.refusal_reason.name"},
)
note_added_event = EventWriter(EventKind.NOTE, subject="case")
contact_logged_event = EventWriter(
    EventKind.CONTACT, subject="case", data={"method": "method", "contact": "contact"}
)
_REFERRAL = {"referral": "referral.pk", "department": "referral.department_id"}
case_referred_event = EventWriter(
    EventKind.REFERRED,
    subject="case",
    to_status=True,
    note="referral.note",
    data={**_REFERRAL, "due_date": as_text("referral.due_date")},
)
department_replied_event = EventWriter(
    EventKind.DEPARTMENT_REPLIED,
    subject="case",
    to_status=True,
    note="referral.reply_text",
    data={**_REFERRAL, "replied_by": "referral.replied_by"},
)
case_escalated_event = EventWriter(
    EventKind.ESCALATED,
    subject="case",
    to_status=True,
    note="reason",
    data={
        "from_organization": "from_org.pk",
        "to_organization": "case.organization_id",
        "automatic": "automatic",
    },
)
case_supervised_event = EventWriter(
    EventKind.SUPERVISED,
    subject="case",
    note="supervision.comment",
    data={
        "supervision": "supervision.pk",
        "organization": "supervision.organization_id",
        "due_date": as_text("supervision.due_date"),
    },
)
supervision_answered_event = EventWriter(
    EventKind.SUPERVISION_ANSWERED,
    subject="case",
    note="supervision.response",
    data={"supervision": "supervision.pk"},
)
case_resolved_event = EventWriter(
    EventKind.RESOLVED,
    subject="case",
    to_status=True,
    note="case.result_text",
    data={
        "outcome": "case.outcome",
        "amount_recovered": as_text("case.amount_recovered", unset=None),
        "workers_benefited": "case.workers_benefited",
    },
)
case_rated_event = EventWriter(
    EventKind.RATED, subject="case", data={"satisfaction": "case.satisfaction"}
)
case_reopened_event = EventWriter(
    EventKind.REOPENED,
    subject="case",
    to_status=True,
    note="reason",
    data={"reopen_count": "case.reopen_count", "due_date": as_text("case.due_date")},
)
case_closed_event = EventWriter(EventKind.CLOSED, subject="case", to_status=True)
case_merged_event = EventWriter(
    EventKind.MERGED,
    subject="case",
    to_status=True,
    data={"merged_into": "into.pk", "merged_into_number": "into.number"},
)
#: On the surviving case: another case was merged into it.
case_absorbed_event = EventWriter(
    EventKind.MERGED,
    subject="case",
    data={"merged_from": "merged.pk", "merged_from_number": "merged.number"},
)
case_reassigned_event = EventWriter(
    EventKind.REASSIGNED,
    subject="case",
    data={
        "from_assignee": lambda a: getattr(a.previous_assignee, "pk", None),
        "to_assignee": "case.assignee_id",
    },
)
case_withdrawn_event = EventWriter(
    EventKind.WITHDRAWN, subject="case", to_status=True, note="reason"
)
case_due_soon_event = EventWriter(
    EventKind.MARKED_DUE_SOON, subject="case", data={"due_date": as_text("case.due_date")}
)
case_overdue_event = EventWriter(
    EventKind.MARKED_OVERDUE, subject="case", data={"due_date": as_text("case.due_date")}
)
attachment_added_event = EventWriter(
    EventKind.ATTACHMENT_ADDED,
    subject="case",
    note="attachment.original_name",
    data={"attachment": "attachment.pk", "size": "attachment.size"},
)
#: A handler corrected the case's information; ``changes`` maps field → [old, new].
case_updated_event = EventWriter(EventKind.UPDATED, subject="case", data={"changes": "changes"})


# -- mediation (on the parent case's timeline) ------------------------------------------------


def _mediation_event(kind: str, *, note: str | None = None, **extra) -> EventWriter:
    """A mediation event: on the case's timeline, naming the mediation and its number."""
    data = {"mediation": "mediation.pk", "mediation_number": "mediation.number", **extra}
    return EventWriter(kind, subject="mediation.case", note=note, data=data)


mediation_opened_event = _mediation_event(
    EventKind.MEDIATION_OPENED,
    note="mediation.claims",
    respondent="mediation.respondent_name",
    team="mediation.team",
)
mediation_sorted_event = _mediation_event(
    EventKind.MEDIATION_SORTED,
    team="mediation.team",
    mediators=lambda a: sorted(a.mediation.mediators.values_list("pk", flat=True)),
)
mediation_session_event = _mediation_event(
    EventKind.MEDIATION_SESSION,
    note="session.minutes",
    session="session.pk",
    held_at=lambda a: a.session.held_at.isoformat(),
    place="session.place",
)
mediation_agreement_event = _mediation_event(
    EventKind.MEDIATION_AGREEMENT,
    note="mediation.agreement_terms",
    agreement_amount=as_text("mediation.agreement_amount", unset=None),
    performance_due=as_text("mediation.performance_due", unset=None),
)
mediation_failed_event = _mediation_event(
    EventKind.MEDIATION_FAILED, note="mediation.result_note", referred_to="mediation.referred_to"
)
mediation_withdrawn_event = _mediation_event(EventKind.MEDIATION_WITHDRAWN, note="reason")
mediation_followed_up_event = _mediation_event(
    EventKind.MEDIATION_FOLLOWED_UP,
    note="mediation.follow_up_note",
    performed="mediation.performed",
    performed_at=as_text("mediation.performed_at", unset=None),
)
mediation_filed_event = _mediation_event(EventKind.MEDIATION_FILED)
