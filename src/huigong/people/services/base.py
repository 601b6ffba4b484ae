"""What the person and household use cases share: the fields a caller may set, result
types, input normalisation with errors keyed by field, and permission checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.kernel.scope import scope_paths, user_can_at
from huigong.orgs.models import Organization

from ..models import (
    HouseholdMember,
    Person,
)

#: Fields a caller may set on a person (ID number and phone are the protected ones).
PERSON_FIELDS = (
    "organization",
    "name",
    "id_number",
    "phone",
    "address",
    "employer",
    "employer_name",
    "employer_credit_code",
    "employment_form",
    "new_form_type",
    "is_member",
    "notes",
)
HOUSEHOLD_FIELDS = (
    "relation",
    "name",
    "id_number",
    "birth_date",
    "monthly_income",
    "health",
    "disability_grade",
    "school",
)
#: What a household member's change-log entry records (``person`` ties it to the person).
#: The birth year, not the date: the log is readable without the reveal permission.
MEMBER_LOG_FIELDS = (
    "person",
    *(("birth_year" if name == "birth_date" else name) for name in HOUSEHOLD_FIELDS),
)
NOTES_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 200
MAX_MONTHLY_INCOME = Decimal("99999999.99")


@dataclass
class PersonResult:
    """A saved person and the warnings (e.g. an unknown area code) to show the user."""

    person: Person
    warnings: list[str] = field(default_factory=list)


@dataclass
class HouseholdResult:
    member: HouseholdMember
    warnings: list[str] = field(default_factory=list)


@dataclass
class CheckedInput:
    """Normalised values ready to assign to the model, and warnings for the user."""

    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RevealedPerson:
    id_number: str
    phone: str


# -- normalisation (the one place forms, API and imports share) ----------------------------


# -- permission helpers ----------------------------------------------------------------------


def starting_values(
    data: Mapping[str, Any],
    fields: Sequence[str],
    defaults: Mapping[str, Any],
    instance: Model | None,
    kind: str,
) -> dict[str, Any]:
    """What a check starts from before ``data`` is laid over it: ``defaults`` for a new
    row, the stored ``fields`` of ``instance`` otherwise. ``data`` naming any other field
    is a programming error."""
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"unknown {kind} fields: {sorted(unknown)}")
    if instance is None:
        return dict(defaults)
    return {name: getattr(instance, name) for name in fields}


def record_update(actor, obj: Model, before: dict, after: dict, notes: Sequence[str]) -> None:
    """Log an update of a person or a household member when something changed. Protected
    values appear in snapshots only as "set", so ``notes`` say which of them changed."""
    if before != after or notes:
        record_change(
            actor=actor,
            obj=obj,
            action=ChangeAction.UPDATE,
            before=before,
            after=after,
            note=";".join(notes),
        )


def in_scope(actor, path: str) -> bool:
    paths = scope_paths(actor)
    return paths is None or any(path.startswith(p) for p in paths)


def require_person_permission(actor, perm: str, organization: Organization | None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` holds ``perm`` at ``organization``.
    Without an organization, only check that the actor holds ``perm`` somewhere (the
    missing organization is then reported as a field error)."""
    if organization is None:
        if scope_paths(actor, perm) == []:
            raise PermissionDenied(_("您没有执行此操作的权限"))
        return
    if not user_can_at(actor, perm, organization.path):
        raise PermissionDenied(_("您在“%(org)s”没有执行此操作的权限") % {"org": organization.name})


def ensure_still_visible(actor, queryset, pk: int, perm: str) -> None:
    # Belt and braces after a write: the result must lie inside the actor's scope, or the
    # whole transaction is rolled back.
    if not queryset.visible_to(actor, perm).filter(pk=pk).exists():
        raise PermissionDenied(_("保存后的数据不在您的管辖范围内,已撤销"))
