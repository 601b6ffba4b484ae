"""Partner departments (协作部门) and their member accounts: created, corrected and
deactivated by the union at the organization whose area they serve
(``partners.manage_department`` there). Members answer what is sent to their department
through the sending app's services (``cases`` for referrals)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huigong.accounts.models import User
from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change, snapshot
from huigong.common.fields import FieldErrors, clean_choice, clean_line
from huigong.kernel.scope import user_can_at
from huigong.orgs.models import Organization

from .models import Department, DepartmentKind
from .policy import MANAGE_DEPARTMENT, member_candidates

MAX_RESPONSE_DAYS = 60
_FIELDS = ("organization", "name", "kind", "response_days", "contact_name", "contact_phone")


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


#: Default of ``update_department``'s fields: leave the field as it is.
UNCHANGED: Any = _Unchanged()


def _require(actor, organization: Organization, message: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` (None: the system) manages departments
    at ``organization``."""
    if actor is None:
        return
    if getattr(actor, "is_worker", False) or not user_can_at(
        actor, MANAGE_DEPARTMENT, organization.path
    ):
        raise PermissionDenied(message)


def _members(actor, members: Iterable[Any], errors: FieldErrors) -> list[User]:
    ids = []
    for member in members:
        pk = member.pk if isinstance(member, User) else member
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            errors.add("members", _("请选择有效的部门账号"))
            return []
    found = list(member_candidates(actor).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        errors.add("members", _("所选账号不存在,或没有协作部门答复转办的权限"))
    return found


def _clean(
    actor, values: dict[str, Any], errors: FieldErrors, department: Department | None
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in values:
        cleaned["name"] = clean_line(values["name"], "name", 100, errors, required=True)
    if "kind" in values:
        cleaned["kind"] = clean_choice(
            values["kind"], DepartmentKind, "kind", errors, _("请选择有效的部门类型")
        )
    if "response_days" in values:
        days = values["response_days"]
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = None
        if (
            days is None
            or isinstance(values["response_days"], float)
            or not (1 <= days <= MAX_RESPONSE_DAYS)
        ):
            errors.add(
                "response_days",
                _("答复时限应为 1 到 %(n)d 个工作日") % {"n": MAX_RESPONSE_DAYS},
            )
        cleaned["response_days"] = days
    if "contact_name" in values:
        cleaned["contact_name"] = clean_line(values["contact_name"], "contact_name", 50, errors)
    if "contact_phone" in values:
        cleaned["contact_phone"] = clean_line(values["contact_phone"], "contact_phone", 30, errors)
    if "members" in values:
        cleaned["members"] = _members(actor, values["members"] or (), errors)
    name = cleaned.get("name")
    organization = values.get("organization") or (department and department.organization)
    if name and organization is not None and "name" not in errors:
        same = Department.objects.filter(organization=organization, name=name)
        if department is not None:
            same = same.exclude(pk=department.pk)
        if same.exists():
            errors.add("name", _("本组织已登记同名的协作部门"))
    return cleaned


def _state(department: Department) -> dict[str, Any]:
    return {
        **snapshot(department, [*_FIELDS, "is_active"]),
        "members": sorted(department.members.values_list("pk", flat=True)),
    }


@transaction.atomic
def create_department(
    *,
    actor,
    organization: Organization,
    name: str,
    kind: str,
    response_days: Any = 5,
    contact_name: str = "",
    contact_phone: str = "",
    members: Iterable[Any] = (),
) -> Department:
    """Register a partner department at ``organization`` (it serves that organization's
    whole subtree), with its response deadline and member accounts."""
    if organization is None:
        raise ValidationError({"organization": [_("请选择所属组织")]})
    _require(actor, organization, _("您没有在该组织管理协作部门的权限"))
    errors = FieldErrors()
    values = _clean(
        actor,
        {
            "organization": organization,
            "name": name,
            "kind": kind,
            "response_days": response_days,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "members": members,
        },
        errors,
        None,
    )
    errors.raise_if_any()
    chosen = values.pop("members")
    department = Department.objects.create(organization=organization, **values)
    department.members.set(chosen)
    record_change(actor=actor, obj=department, action=ChangeAction.CREATE, after=_state(department))
    return department


def _lock(department: Department | int) -> Department:
    pk = department.pk if isinstance(department, Department) else department
    try:
        return Department.objects.select_for_update().select_related("organization").get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"department": [_("协作部门不存在")]}, code="not_found")


@transaction.atomic
def update_department(
    *,
    actor,
    department: Department | int,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    response_days: Any = UNCHANGED,
    contact_name: str = UNCHANGED,
    contact_phone: str = UNCHANGED,
    members: Iterable[Any] = UNCHANGED,
) -> Department:
    """Correct a department's details or its member accounts; only the fields passed
    change, and an edit that changes nothing writes nothing. A new response deadline
    applies to what is sent from now on."""
    department = _lock(department)
    _require(actor, department.organization, _("您没有管理该协作部门的权限"))
    given = {
        key: value
        for key, value in {
            "name": name,
            "kind": kind,
            "response_days": response_days,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "members": members,
        }.items()
        if value is not UNCHANGED
    }
    errors = FieldErrors()
    values = _clean(actor, given, errors, department)
    errors.raise_if_any()
    before = _state(department)
    chosen = values.pop("members", None)
    for key, value in values.items():
        setattr(department, key, value)
    if chosen is not None:
        # Members outside the actor's reach stay: a county cadre's edit keeps a member
        # the city added.
        keep = department.members.exclude(pk__in=member_candidates(actor).values("pk"))
        chosen = {*chosen, *keep}
    after_members = sorted(u.pk for u in chosen) if chosen is not None else before["members"]
    after = {**snapshot(department, [*_FIELDS, "is_active"]), "members": after_members}
    if after == before:
        return department
    department.save()
    if chosen is not None:
        department.members.set(chosen)
    record_change(
        actor=actor, obj=department, action=ChangeAction.UPDATE, before=before, after=after
    )
    return department


@transaction.atomic
def deactivate_department(*, actor, department: Department | int) -> Department:
    """Stop a department from receiving anything new; what was already sent keeps its
    department, and its members can still answer it."""
    department = _lock(department)
    _require(actor, department.organization, _("您没有管理该协作部门的权限"))
    if not department.is_active:
        raise ValidationError(_("该协作部门已停用"), code="invalid_state")
    with change_recorded(actor=actor, obj=department, state=_state, note=_("停用")):
        department.is_active = False
        department.save(update_fields=["is_active"])
    return department
