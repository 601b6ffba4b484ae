"""Use cases for persons and their households.

Every way a person is registered or changed — workbench forms, the API, Excel imports —
calls these functions, so normalisation (full-width → half-width, Traditional →
Simplified, stray spaces, ``x`` → ``X`` in ID numbers), validation, de-duplication,
permission checks and the audit entry happen in one place. Each function takes the
acting user as ``actor``, runs in one transaction, raises ``PermissionDenied`` when the
actor may not act at the person's organization and ``ValidationError`` (Chinese messages
keyed by field) for bad input; on either, nothing is written.
"""

from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_identifier,
    clean_line,
    clean_multiline,
    too_long_message,
)

from .base import (
    HOUSEHOLD_FIELDS,
    MAX_MONTHLY_INCOME,
    MEMBER_LOG_FIELDS,
    NOTES_MAX_LENGTH,
    PERSON_FIELDS,
    REASON_MAX_LENGTH,
    CheckedInput,
    HouseholdResult,
    PersonResult,
    RevealedPerson,
    ensure_still_visible,
    in_scope,
    require_person_permission,
)
from .household import (
    add_household_member,
    check_household_member,
    remove_household_member,
    update_household_member,
)
from .persons import (
    check_person,
    register_person,
    register_staged_persons,
    registered_numbers,
    reveal_person,
    staged_person,
    update_person,
)

__all__ = [
    "CheckedInput",
    "FieldErrors",
    "HOUSEHOLD_FIELDS",
    "HouseholdResult",
    "MAX_MONTHLY_INCOME",
    "MEMBER_LOG_FIELDS",
    "NOTES_MAX_LENGTH",
    "PERSON_FIELDS",
    "PersonResult",
    "REASON_MAX_LENGTH",
    "RevealedPerson",
    "add_household_member",
    "check_household_member",
    "check_person",
    "clean_choice",
    "clean_identifier",
    "clean_line",
    "clean_multiline",
    "ensure_still_visible",
    "in_scope",
    "register_staged_persons",
    "staged_person",
    "register_person",
    "registered_numbers",
    "remove_household_member",
    "require_person_permission",
    "reveal_person",
    "too_long_message",
    "update_household_member",
    "update_person",
]
