"""What the person and household use cases share: the fields a caller may set, result
types, input normalisation with errors keyed by field, and permission checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from huigong.common.text import clean_code, clean_text
from huigong.orgs.models import Organization
from huigong.orgs.scope import scope_paths, user_can_at

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


class FieldErrors:
    """Collects field-keyed messages and raises them together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, *messages: str) -> None:
        self.by_field.setdefault(name, []).extend(str(m) for m in messages)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def too_long_message(max_length: int) -> str:
    return _("不能超过 %(n)d 个字") % {"n": max_length}


def clean_line(
    value: Any, name: str, max_length: int, errors: FieldErrors, *, required: bool = False
) -> str:
    """Normalise one line of text (name, address, unit name); record problems in ``errors``."""
    raw = "" if value is None else str(value)
    # Refuse absurd input before normalising it: converting megabytes of text is wasted work.
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length))
        return ""
    text = clean_text(raw)
    if required and not text:
        errors.add(name, _("必填"))
    elif len(text) > max_length:
        errors.add(name, too_long_message(max_length))
    return text


def clean_multiline(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    """Like ``clean_line`` but keeps line breaks (notes)."""
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length))
        return ""
    text = "\n".join(clean_text(line) for line in raw.splitlines()).strip()
    if len(text) > max_length:
        errors.add(name, too_long_message(max_length))
    return text


def clean_identifier(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, too_long_message(max_length))
        return ""
    return clean_code(raw)


def clean_choice(value: Any, choices, name: str, errors: FieldErrors, message: str) -> str:
    value = "" if value is None else str(value).strip()
    if value not in choices.values:
        errors.add(name, message)
    return value


# -- permission helpers ----------------------------------------------------------------------


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
