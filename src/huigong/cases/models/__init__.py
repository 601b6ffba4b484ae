"""Worker demands, help requests and rights cases (诉求、求助、维权) and their handling.

A ``Case`` belongs to the organization that handles it (its data scope) and moves through
a small state machine (``CaseStatus``); every move writes a ``CaseEvent`` through the
functions in ``huigong.cases.events``. The rules — who may do what, routing, deadlines in
working days — live in ``huigong.cases.services``; the periodic deadline job in
``huigong.cases.sweep``.

One module per area: ``choices``, ``reference`` (categories), ``case``
and ``mediation``. Partner departments live in ``huigong.partners``.
"""

from .case import (
    Attachment,
    Case,
    CaseChild,
    CaseChildQuerySet,
    CaseEvent,
    CaseEventQuerySet,
    CaseParty,
    CaseQuerySet,
    Referral,
    Supervision,
)
from .choices import (
    CASE_EVENT_VISIBILITY,
    ESCALATABLE_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    Channel,
    Complexity,
    EventKind,
    HandlingLevel,
    NotificationKind,
    Outcome,
    PartyRole,
    ReferralStatus,
    Satisfaction,
    Urgency,
)
from .mediation import (
    ACTIVE_MEDIATION_STATUSES,
    Mediation,
    MediationQuerySet,
    MediationSession,
    MediationSessionQuerySet,
    MediationStatus,
    MediationTeam,
    Performance,
    ReferredTo,
)
from .reference import (
    CaseCategory,
    CaseCategoryManager,
    CaseCategoryQuerySet,
    RefusalReason,
)

__all__ = [
    "RefusalReason",
    "CASE_EVENT_VISIBILITY",
    "ACTIVE_MEDIATION_STATUSES",
    "Attachment",
    "Case",
    "CaseCategory",
    "CaseCategoryManager",
    "CaseCategoryQuerySet",
    "CaseChild",
    "CaseChildQuerySet",
    "CaseEvent",
    "CaseEventQuerySet",
    "CaseKind",
    "CaseParty",
    "CaseQuerySet",
    "CaseStatus",
    "Channel",
    "Complexity",
    "ESCALATABLE_STATUSES",
    "EventKind",
    "FINAL_STATUSES",
    "HandlingLevel",
    "Mediation",
    "MediationQuerySet",
    "MediationSession",
    "MediationSessionQuerySet",
    "MediationStatus",
    "MediationTeam",
    "NotificationKind",
    "OPEN_STATUSES",
    "Outcome",
    "PartyRole",
    "Performance",
    "Referral",
    "ReferralStatus",
    "ReferredTo",
    "Satisfaction",
    "Supervision",
    "Urgency",
]
