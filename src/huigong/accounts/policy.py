"""Reads about accounts: who holds a permission where.

A role assignment at an organization covers its whole subtree, so the people who hold a
permission *at* an organization are those assigned a role granting it there or at any
ancestor. Every "who should handle / may mediate / hears about this" list is built here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, QuerySet

from huigong.orgs.models import Organization

from .models import RoleAssignment, User, UserKind


def _granting(permission: str) -> QuerySet[RoleAssignment]:
    """The current role assignments whose role grants ``permission`` ("app_label.codename")."""
    app_label, codename = permission.split(".", 1)
    return RoleAssignment.objects.active().filter(
        role__permissions__content_type__app_label=app_label,
        role__permissions__codename=codename,
    )


def _ancestor_paths(org: Organization) -> list[str]:
    """The paths of ``org`` and of every ancestor of it, root first."""
    step = Organization.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


def users_holding(
    permission: str, *, at: Organization, include_ancestors: bool = True
) -> QuerySet[User]:
    """Active staff users holding ``permission`` ("app_label.codename") through a current
    role assignment at ``at`` or at an ancestor of it (only at ``at`` itself with
    ``include_ancestors=False``: those who sit there, not those above), by name."""
    assignments = _granting(permission)
    if include_ancestors:
        assignments = assignments.filter(organization__path__in=_ancestor_paths(at))
    else:
        assignments = assignments.filter(organization=at)
    return (
        User.objects.filter(pk__in=assignments.values("user_id"), is_active=True)
        .exclude(kind=UserKind.WORKER)
        .order_by("name", "id")
    )


def users_holding_many(
    permission: str, *, at: Iterable[Organization], include_ancestors: bool = True
) -> dict[int, list[User]]:
    """``users_holding`` for many organizations in one query (a sweep telling the handlers
    of a thousand cases' organizations): each organization's id → its holders by name,
    each once — the same users, in the same order, as ``users_holding`` gives it. A user
    holding it for several of them is one object in each list."""
    orgs = {org.pk: org for org in at}
    if not orgs:
        return {}
    # Which of the organizations an assignment at each path covers.
    covers: dict[str, list[int]] = defaultdict(list)
    for org in orgs.values():
        for path in _ancestor_paths(org) if include_ancestors else [org.path]:
            covers[path].append(org.pk)
    rows = (
        _granting(permission)
        .filter(organization__path__in=list(covers), user__is_active=True)
        .exclude(user__kind=UserKind.WORKER)
        .select_related("user")
        .annotate(at_path=F("organization__path"))
        .order_by("user__name", "user__id")
    )
    held: dict[int, dict[int, User]] = {pk: {} for pk in orgs}
    users: dict[int, User] = {}
    for assignment in rows:
        user = users.setdefault(assignment.user_id, assignment.user)
        for pk in covers[assignment.at_path]:
            held[pk].setdefault(user.pk, user)
    return {pk: list(holders.values()) for pk, holders in held.items()}
