"""Reads about accounts: who holds a permission where.

A role assignment at an organization covers its whole subtree, so the people who hold a
permission *at* an organization are those assigned a role granting it there or at any
ancestor. Every "who should handle / may mediate / hears about this" list is built here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from huigong.orgs.models import Organization

from .models import RoleAssignment, User, UserKind


def users_holding(
    permission: str, *, at: Organization, include_ancestors: bool = True
) -> QuerySet[User]:
    """Active staff users holding ``permission`` ("app_label.codename") through a current
    role assignment at ``at`` or at an ancestor of it (only at ``at`` itself with
    ``include_ancestors=False``: those who sit there, not those above), by name."""
    app_label, codename = permission.split(".", 1)
    assignments = RoleAssignment.objects.active().filter(
        role__permissions__content_type__app_label=app_label,
        role__permissions__codename=codename,
    )
    if include_ancestors:
        step = Organization.steplen
        ancestor_paths = [at.path[:i] for i in range(step, len(at.path) + 1, step)]
        assignments = assignments.filter(organization__path__in=ancestor_paths)
    else:
        assignments = assignments.filter(organization=at)
    return (
        User.objects.filter(pk__in=assignments.values("user_id"), is_active=True)
        .exclude(kind=UserKind.WORKER)
        .order_by("name", "id")
    )
