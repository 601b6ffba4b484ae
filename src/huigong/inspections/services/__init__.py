"""Use cases of joint labour inspections (联合执法检查).

A union plans a campaign with partner departments (人社/劳动监察, 司法 …) over a period
(计划中), starts it (检查中), visits the target enterprises in its subtree and records
what it finds there, issues rectification orders with a due date in working days, records
their results (contracts signed, workers newly insured, money recovered), opens cases
from findings that need handling, and finishes the campaign (已结束) or cancels it.

Like the case services, every function takes keyword-only ``actor`` (``None``: the
system), runs in one transaction, checks ``inspections.manage_inspection`` at the
campaign's organization (``PermissionDenied``), the state (``ValidationError`` code
``invalid_state``) and the input (field-keyed Chinese messages), writes the campaign's
timeline (``inspections.events``) and the change log. On any error nothing is written.

By area: ``campaigns`` (plan to finish), ``targets_findings`` (the enterprises, their
findings and the cases opened from them), ``orders`` (rectification orders and their
overdue sweep); ``base`` holds what they share. Import the use cases from this package.
"""

from .base import (
    DESCRIPTION_MAX_LENGTH,
    MANAGE,
    MAX_FIGURE,
    MAX_RECTIFICATION_DAYS,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    VIEW_INSPECTION,
    can_manage_inspection,
)
from .campaigns import (
    cancel_inspection,
    finish_inspection,
    plan_inspection,
    start_inspection,
    update_inspection,
    usable_inspection_departments,
)
from .orders import (
    issue_rectification_order,
    mark_overdue_rectifications,
    record_rectification,
)
from .targets_findings import (
    FINDING_CATEGORY,
    add_inspection_target,
    open_case_from_finding,
    record_finding,
    record_target_visit,
    target_organizations,
)

__all__ = [
    "DESCRIPTION_MAX_LENGTH",
    "FINDING_CATEGORY",
    "MANAGE",
    "MAX_FIGURE",
    "MAX_RECTIFICATION_DAYS",
    "NAME_MAX_LENGTH",
    "NOTE_MAX_LENGTH",
    "RESULT_MAX_LENGTH",
    "VIEW_INSPECTION",
    "add_inspection_target",
    "can_manage_inspection",
    "cancel_inspection",
    "finish_inspection",
    "issue_rectification_order",
    "mark_overdue_rectifications",
    "open_case_from_finding",
    "plan_inspection",
    "record_finding",
    "record_rectification",
    "record_target_visit",
    "start_inspection",
    "target_organizations",
    "update_inspection",
    "usable_inspection_departments",
]
