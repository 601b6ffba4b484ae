"""The case timeline. ``CaseEvent`` rows are written only by the named functions here
(one per kind of event, like Saleor's ``order/events.py``), so every entry of a given
kind carries the same data and the detail page can rely on it."""

from __future__ import annotations

import datetime
from typing import Any

from huigong.kernel.timeline import record_event

from .models import Case, CaseEvent, EventKind


def case_received_event(
    *, case: Case, actor, duplicates: list[int] | None = None, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.RECEIVED,
        actor=actor,
        to_status=case.status,
        data={"channel": case.channel, "possible_duplicates": duplicates or []},
        time=time,
    )


def case_routed_event(
    *, case: Case, actor, receiving_org, reason: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.ROUTED,
        actor=actor,
        note=reason,
        data={"from_organization": receiving_org.pk, "to_organization": case.organization_id},
        time=time,
    )


def case_accepted_event(
    *, case: Case, actor, from_status: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.ACCEPTED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        data={"assignee": case.assignee_id},
        time=time,
    )


def note_added_event(
    *, case: Case, actor, note: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(case, EventKind.NOTE, actor=actor, note=note, time=time)


def contact_logged_event(
    *,
    case: Case,
    actor,
    note: str,
    method: str,
    contact: str,
    time: datetime.datetime | None = None,
) -> CaseEvent:
    return record_event(
        case,
        EventKind.CONTACT,
        actor=actor,
        note=note,
        data={"method": method, "contact": contact},
        time=time,
    )


def case_referred_event(
    *, case: Case, actor, referral, from_status: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.REFERRED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=referral.note,
        data={
            "referral": referral.pk,
            "department": referral.department_id,
            "due_date": str(referral.due_date),
        },
        time=time,
    )


def department_replied_event(
    *, case: Case, actor, referral, from_status: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.DEPARTMENT_REPLIED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=referral.reply_text,
        data={
            "referral": referral.pk,
            "department": referral.department_id,
            "replied_by": referral.replied_by,
        },
        time=time,
    )


def case_escalated_event(
    *,
    case: Case,
    actor,
    from_status: str,
    from_org,
    reason: str,
    automatic: bool,
    time: datetime.datetime | None = None,
) -> CaseEvent:
    return record_event(
        case,
        EventKind.ESCALATED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=reason,
        data={
            "from_organization": from_org.pk,
            "to_organization": case.organization_id,
            "automatic": automatic,
        },
        time=time,
    )


def case_supervised_event(
    *, case: Case, actor, supervision, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.SUPERVISED,
        actor=actor,
        note=supervision.comment,
        data={
            "supervision": supervision.pk,
            "organization": supervision.organization_id,
            "due_date": str(supervision.due_date),
        },
        time=time,
    )


def supervision_answered_event(
    *, case: Case, actor, supervision, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.SUPERVISION_ANSWERED,
        actor=actor,
        note=supervision.response,
        data={"supervision": supervision.pk},
        time=time,
    )


def case_resolved_event(
    *, case: Case, actor, from_status: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.RESOLVED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=case.result_text,
        data={
            "outcome": case.outcome,
            "amount_recovered": str(case.amount_recovered)
            if case.amount_recovered is not None
            else None,
            "workers_benefited": case.workers_benefited,
        },
        time=time,
    )


def case_rated_event(
    *, case: Case, actor, note: str = "", time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.RATED,
        actor=actor,
        note=note,
        data={"satisfaction": case.satisfaction},
        time=time,
    )


def case_reopened_event(
    *, case: Case, actor, from_status: str, reason: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.REOPENED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=reason,
        data={"reopen_count": case.reopen_count, "due_date": str(case.due_date)},
        time=time,
    )


def case_closed_event(
    *, case: Case, actor, from_status: str, note: str = "", time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.CLOSED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=note,
        time=time,
    )


def case_merged_event(
    *,
    case: Case,
    actor,
    from_status: str,
    into: Case,
    note: str,
    time: datetime.datetime | None = None,
) -> CaseEvent:
    return record_event(
        case,
        EventKind.MERGED,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data={"merged_into": into.pk, "merged_into_number": into.number},
        time=time,
    )


def case_absorbed_event(
    *, case: Case, actor, merged: Case, time: datetime.datetime | None = None
) -> CaseEvent:
    """On the surviving case: another case was merged into it."""
    return record_event(
        case,
        EventKind.MERGED,
        actor=actor,
        data={"merged_from": merged.pk, "merged_from_number": merged.number},
        time=time,
    )


def case_reassigned_event(
    *, case: Case, actor, previous_assignee, note: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.REASSIGNED,
        actor=actor,
        note=note,
        data={
            "from_assignee": getattr(previous_assignee, "pk", None),
            "to_assignee": case.assignee_id,
        },
        time=time,
    )


def case_withdrawn_event(
    *, case: Case, actor, from_status: str, reason: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.WITHDRAWN,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=reason,
        time=time,
    )


def case_due_soon_event(*, case: Case, time: datetime.datetime | None = None) -> CaseEvent:
    return record_event(
        case, EventKind.MARKED_DUE_SOON, data={"due_date": str(case.due_date)}, time=time
    )


def case_overdue_event(*, case: Case, time: datetime.datetime | None = None) -> CaseEvent:
    return record_event(
        case, EventKind.MARKED_OVERDUE, data={"due_date": str(case.due_date)}, time=time
    )


def attachment_added_event(
    *, case: Case, actor, attachment, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        case,
        EventKind.ATTACHMENT_ADDED,
        actor=actor,
        note=attachment.original_name,
        data={"attachment": attachment.pk, "size": attachment.size},
        time=time,
    )


def case_updated_event(
    *,
    case: Case,
    actor,
    note: str,
    changes: dict[str, list[Any]],
    time: datetime.datetime | None = None,
) -> CaseEvent:
    """A handler corrected the case's information; ``changes`` maps field → [old, new]."""
    return record_event(
        case, EventKind.UPDATED, actor=actor, note=note, data={"changes": changes}, time=time
    )


# -- mediation (on the parent case's timeline) ------------------------------------------------


def _mediation_data(mediation, **extra: Any) -> dict[str, Any]:
    return {"mediation": mediation.pk, "mediation_number": mediation.number, **extra}


def mediation_opened_event(*, mediation, actor, time: datetime.datetime | None = None) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_OPENED,
        actor=actor,
        note=mediation.claims,
        data=_mediation_data(mediation, respondent=mediation.respondent_name, team=mediation.team),
        time=time,
    )


def mediation_sorted_event(
    *, mediation, actor, note: str = "", time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_SORTED,
        actor=actor,
        note=note,
        data=_mediation_data(
            mediation,
            team=mediation.team,
            mediators=sorted(mediation.mediators.values_list("pk", flat=True)),
        ),
        time=time,
    )


def mediation_session_event(
    *, mediation, actor, session, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_SESSION,
        actor=actor,
        note=session.minutes,
        data=_mediation_data(
            mediation, session=session.pk, held_at=session.held_at.isoformat(), place=session.place
        ),
        time=time,
    )


def mediation_agreement_event(
    *, mediation, actor, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_AGREEMENT,
        actor=actor,
        note=mediation.agreement_terms,
        data=_mediation_data(
            mediation,
            agreement_amount=str(mediation.agreement_amount)
            if mediation.agreement_amount is not None
            else None,
            performance_due=str(mediation.performance_due) if mediation.performance_due else None,
        ),
        time=time,
    )


def mediation_failed_event(*, mediation, actor, time: datetime.datetime | None = None) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_FAILED,
        actor=actor,
        note=mediation.result_note,
        data=_mediation_data(mediation, referred_to=mediation.referred_to),
        time=time,
    )


def mediation_withdrawn_event(
    *, mediation, actor, reason: str, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_WITHDRAWN,
        actor=actor,
        note=reason,
        data=_mediation_data(mediation),
        time=time,
    )


def mediation_followed_up_event(
    *, mediation, actor, time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_FOLLOWED_UP,
        actor=actor,
        note=mediation.follow_up_note,
        data=_mediation_data(
            mediation,
            performed=mediation.performed,
            performed_at=str(mediation.performed_at) if mediation.performed_at else None,
        ),
        time=time,
    )


def mediation_filed_event(
    *, mediation, actor, note: str = "", time: datetime.datetime | None = None
) -> CaseEvent:
    return record_event(
        mediation.case,
        EventKind.MEDIATION_FILED,
        actor=actor,
        note=note,
        data=_mediation_data(mediation),
        time=time,
    )
