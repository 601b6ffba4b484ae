"""Reads of partner departments and the rules about them: which departments a user
manages (the data scope of ``partners.manage_department``), the loader that 404s outside
it, and which accounts may be made a department's members.

Domain apps read departments through ``Department.objects`` (``active()``,
``usable_at(organization)``) and these functions; nothing here knows about what is sent
to a department (referrals, checks…), which stays with the app that sends it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from huigong.accounts.models import RoleAssignment, User
from huigong.kernel.scope import get_visible_or_404, scope_paths

from .models import Department

MANAGE_DEPARTMENT = "partners.manage_department"
#: What an account must hold to be made a department's member: the partner-department
#: role's permission to answer referrals. Named by string because the permission belongs
#: to ``cases``, which sits above this app.
MEMBER_PERMISSION = "cases.answer_referral"


def managed_departments(user) -> QuerySet[Department]:
    """The departments registered in the subtrees where ``user`` manages departments."""
    return Department.objects.visible_to(user, MANAGE_DEPARTMENT)


def managed_department_or_404(user, pk) -> Department:
    """One department ``user`` manages; anything else (missing, out of scope, a malformed
    id) is a 404."""
    return get_visible_or_404(
        Department.objects.select_related("organization"), user, MANAGE_DEPARTMENT, pk=pk
    )


def member_candidates(actor) -> QuerySet[User]:
    """Active accounts that may be made members of a department: those holding
    ``MEMBER_PERMISSION`` through an assignment where ``actor`` manages departments
    (``actor`` None: the system, everywhere)."""
    app_label, codename = MEMBER_PERMISSION.split(".", 1)
    assignments = RoleAssignment.objects.active().filter(
        role__permissions__content_type__app_label=app_label,
        role__permissions__codename=codename,
    )
    paths = scope_paths(actor, MANAGE_DEPARTMENT) if actor is not None else None
    if paths is not None:
        if not paths:
            return User.objects.none()
        q = Q()
        for path in paths:
            q |= Q(organization__path__startswith=path)
        assignments = assignments.filter(q)
    return (
        User.objects.filter(pk__in=assignments.values("user_id"), is_active=True)
        .exclude(kind="worker")
        .order_by("name", "id")
    )
