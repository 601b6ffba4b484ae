"""Use cases of worker demands and rights cases: intake, routing, handling, referral,
escalation, supervision, resolution, rating and closing.

Every function takes the acting user as keyword-only ``actor`` (``None`` is the system
itself: the deadline sweep, the demo, commands), runs in one transaction, checks the
actor's permission at the case's organization (``PermissionDenied``) and the case's state
and input (``ValidationError`` with Chinese messages; acting on a finished case has code
``invalid_state``), changes the rows, writes the timeline (``events``) and the change log
(``record_change``), and queues notifications for the daily digest. On any error nothing
is written. Views, the API, the portal, tasks and commands all call these.

Permissions (``Meta.permissions`` of ``Case``): ``cases.intake_case`` to take cases in,
``cases.handle_case`` to accept and work on them, ``cases.supervise_case`` to chase them
from a higher level. Workers act on the portal on their own cases only: submit, add
information and attachments, rate and withdraw.

The rules are split by stage: ``intake`` (submission, duplicates, routing, numbering),
``handling`` (acceptance to supervision), ``closing`` (resolution to withdrawal),
``attachments``, ``mediation`` (labour-dispute mediation), ``referrals`` (the queue of a
partner department's members; the departments themselves are ``huigong.partners``) and
``reference`` (the category tree); ``base`` holds what they share. Import the use cases
from this package.
"""

from .attachments import add_attachment
from .base import (
    ACCEPT_DAYS,
    AUDIT_FIELDS,
    DESCRIPTION_MAX_LENGTH,
    DUPLICATE_WINDOW_DAYS,
    GROUP_CASE_THRESHOLD,
    HANDLE,
    INTAKE,
    MAX_AMOUNT,
    MAX_WORKERS,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    SUPERVISE,
    SUPERVISION_DAYS,
    TITLE_MAX_LENGTH,
    VIEW,
    WAGE_CATEGORY_CODE,
    derive_title,
    handling_organization,
    next_case_number,
    notify,
    number_prefix,
)
from .closing import (
    close_case,
    merge_cases,
    rate_case,
    resolve_case,
    withdraw_case,
)
from .escalation import (
    answer_supervision,
    escalate_case,
    escalate_many,
    escalate_to_parent,
    supervise_case,
    supervising_organization,
)
from .handling import (
    CONTACT_METHODS,
    UNCHANGED,
    UPDATABLE_FIELDS,
    accept_case,
    add_note,
    log_contact,
    reassign_case,
    refuse_case,
    update_case,
)
from .intake import (
    DuplicateReport,
    find_duplicates,
    submit_case,
)
from .reference import (
    DEFAULT_CATEGORIES,
    seed_categories,
)
from .referrals import (
    ANSWER_REFERRAL,
    answers_for_department,
    is_member_for,
    record_department_reply,
    refer_case,
    referral_answerable,
    referral_queue,
    referrals_for_member,
    usable_departments,
)

__all__ = [
    "escalate_many",
    "escalate_to_parent",
    "derive_title",
    "ACCEPT_DAYS",
    "ANSWER_REFERRAL",
    "AUDIT_FIELDS",
    "CONTACT_METHODS",
    "DEFAULT_CATEGORIES",
    "DESCRIPTION_MAX_LENGTH",
    "DUPLICATE_WINDOW_DAYS",
    "DuplicateReport",
    "GROUP_CASE_THRESHOLD",
    "HANDLE",
    "INTAKE",
    "MAX_AMOUNT",
    "MAX_WORKERS",
    "NOTE_MAX_LENGTH",
    "RESULT_MAX_LENGTH",
    "SUPERVISE",
    "SUPERVISION_DAYS",
    "TITLE_MAX_LENGTH",
    "UNCHANGED",
    "UPDATABLE_FIELDS",
    "VIEW",
    "WAGE_CATEGORY_CODE",
    "accept_case",
    "refuse_case",
    "add_attachment",
    "add_note",
    "answer_supervision",
    "answers_for_department",
    "close_case",
    "escalate_case",
    "find_duplicates",
    "handling_organization",
    "is_member_for",
    "log_contact",
    "merge_cases",
    "next_case_number",
    "notify",
    "number_prefix",
    "rate_case",
    "reassign_case",
    "referral_answerable",
    "referral_queue",
    "referrals_for_member",
    "record_department_reply",
    "refer_case",
    "resolve_case",
    "seed_categories",
    "submit_case",
    "supervise_case",
    "supervising_organization",
    "update_case",
    "usable_departments",
    "withdraw_case",
]
