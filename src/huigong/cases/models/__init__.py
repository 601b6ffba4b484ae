"""Worker demands, help requests and rights cases (诉求、求助、维权) and their handling.

A ``Case`` belongs to the organization that handles it (its data scope) and moves through
a small state machine (``CaseStatus``); every move writes a ``CaseEvent`` through the
functions in ``huigong.cases.events``. The rules — who may do what, routing, deadlines in
working days — live in ``huigong.cases.services``; the periodic deadline job in
``huigong.cases.sweep``.

One module per area: ``choices``, ``reference`` (categories, departments), ``case``,
``notifications`` and ``mediation``.
"""

from .case import (
    Attachment,
    AttachmentQuerySet,
    Case,
    CaseEvent,
    CaseEventQuerySet,
    CaseNumberSequence,
    CaseParty,
    CasePartyQuerySet,
    CaseQuerySet,
    Referral,
    ReferralQuerySet,
    Supervision,
    SupervisionQuerySet,
)
from .choices import (
    ESCALATABLE_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    Channel,
    Complexity,
    DepartmentKind,
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
from .notifications import (
    CaseDigest,
    CaseNotification,
)
from .reference import (
    CaseCategory,
    CaseCategoryManager,
    CaseCategoryQuerySet,
    Department,
    DepartmentQuerySet,
)

__all__ = [
    "ACTIVE_MEDIATION_STATUSES",
    "Attachment",
    "AttachmentQuerySet",
    "Case",
    "CaseCategory",
    "CaseCategoryManager",
    "CaseCategoryQuerySet",
    "CaseDigest",
    "CaseEvent",
    "CaseEventQuerySet",
    "CaseKind",
    "CaseNotification",
    "CaseNumberSequence",
    "CaseParty",
    "CasePartyQuerySet",
    "CaseQuerySet",
    "CaseStatus",
    "Channel",
    "Complexity",
    "Department",
    "DepartmentKind",
    "DepartmentQuerySet",
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
    "ReferralQuerySet",
    "ReferralStatus",
    "ReferredTo",
    "Satisfaction",
    "Supervision",
    "SupervisionQuerySet",
    "Urgency",
]
