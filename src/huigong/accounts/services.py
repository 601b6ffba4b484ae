"""Use cases for accounts: seeding roles, assigning roles, issuing API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.orgs.scope import user_can_at

from .models import Role, RoleAssignment, User
from .roles import ROLES


def _permissions(names: list[str]):
    if names == ["*"]:
        return Permission.objects.filter(content_type__app_label__in=_huigong_app_labels())
    perms = []
    for name in names:
        app_label, codename = name.split(".", 1)
        perms.extend(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    return perms


def _huigong_app_labels() -> list[str]:
    from django.apps import apps

    return [c.label for c in apps.get_app_configs() if c.name.startswith("huigong.")]


@transaction.atomic
def seed_roles() -> int:
    """Create the standard roles and grant them their permissions. Returns roles created."""
    created = 0
    for code, (name, description, perm_names) in ROLES.items():
        role, was_created = Role.objects.get_or_create(
            code=code, defaults={"name": str(name), "description": str(description)}
        )
        created += was_created
        role.permissions.add(*_permissions(perm_names))
    return created


@transaction.atomic
def assign_role(*, actor: User | None, user: User, role: Role, organization) -> RoleAssignment:
    """Give ``user`` the ``role`` at ``organization``. The actor must be allowed to manage
    accounts at that organization (system setup passes ``actor=None``)."""
    if actor is not None and not user_can_at(
        actor, "accounts.add_roleassignment", organization.path
    ):
        raise PermissionDenied
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization
    )
    if created:
        record_change(actor=actor, obj=assignment, action=ChangeAction.CREATE)
    return assignment
