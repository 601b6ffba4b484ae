"""Data scope: which organizations' rows a user may see and act on.

A staff user holds role assignments at organizations and acts on the union of those
subtrees. Subtrees are materialized-path prefixes, so the filter is a handful of indexed
``LIKE 'prefix%'`` conditions whatever the size of the tree. Every staff queryset comes
from ``Model.objects.visible_to(user)``; single objects are loaded with
``get_visible_or_404`` so that a guessed id outside the scope is simply "not found".

This module is the one place that joins the two halves of the scope: the organization
tree (``orgs``: materialized paths) and the role assignments (``accounts``: who holds
which role where). It reads both through the user it is given — ``user.assignments``,
the assignment's ``organization__path`` and its role's permissions — and imports neither
app, so ``orgs``, ``accounts`` and every app above them can use it without an import
cycle. What the roles grant is read once per request (``role_grants``) and answers the
permission checks too (``accounts.backends.RoleBackend``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

_ALL = None  # sentinel: the user sees everything (superuser)


def _prune(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list (they add nothing)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


@dataclass(frozen=True)
class RoleGrants:
    """What a user's current role assignments grant (``role_grants``)."""

    #: The pruned paths of all the assignments (whatever their roles grant).
    paths: list[str]
    #: Each permission ("app_label.codename") a role grants → the pruned paths where.
    by_permission: dict[str, list[str]]


def role_grants(user: AbstractBaseUser) -> RoleGrants:
    """What the user's current role assignments grant, read in one query and kept on the
    user object.

    The user object lives for one request (the API's token lookup and Django's session
    middleware load it afresh each time), so a request asks the database once however
    many permissions its checks name, and the next request sees the roles as they are
    then. The permission backend (``accounts.backends.RoleBackend``) answers ``has_perm``
    from the same rows."""
    grants = user.__dict__.get("_role_grants")
    if grants is None:
        rows = user.assignments.active().values_list(
            "organization__path",
            "role__permissions__content_type__app_label",
            "role__permissions__codename",
        )
        paths: list[str] = []
        by_permission: dict[str, list[str]] = defaultdict(list)
        for path, app_label, codename in rows:
            paths.append(path)
            if codename is not None:  # a role without permissions still gives a scope
                by_permission[f"{app_label}.{codename}"].append(path)
        grants = RoleGrants(
            paths=_prune(paths),
            by_permission={perm: _prune(where) for perm, where in by_permission.items()},
        )
        user.__dict__["_role_grants"] = grants
    return grants


def scope_paths(user: AbstractBaseUser | None, perm: str | None = None) -> list[str] | None:
    """Materialized paths of the subtrees ``user`` acts on, optionally only those where a
    role grants ``perm`` ("app_label.codename"). ``None`` means everything."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return _ALL
    grants = role_grants(user)
    return list(grants.paths if perm is None else grants.by_permission.get(perm, ()))


def scope_q(user: AbstractBaseUser | None, path_field: str, perm: str | None = None) -> Q | None:
    """A ``Q`` restricting ``path_field`` to the user's subtrees; None means no restriction."""
    paths = scope_paths(user, perm)
    if paths is _ALL:
        return None
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in paths))


class ScopedQuerySetMixin:
    """Adds ``visible_to(user, perm=None)`` to a queryset.

    Subclasses name the path of the owning organization's materialized path, e.g.
    ``scope_path_field = "organization__path"``.
    """

    scope_path_field: str = "organization__path"

    def visible_to(self, user: AbstractBaseUser | None, perm: str | None = None) -> QuerySet:
        q = scope_q(user, self.scope_path_field, perm)
        return self if q is None else self.filter(q)


def get_visible_or_404(
    queryset: QuerySet, user: AbstractBaseUser | None, perm: str | None = None, **lookup
):
    """Load one object inside the user's scope; anything else (missing or out of scope, or a
    malformed id) is a 404 so ids reveal nothing."""
    try:
        return queryset.visible_to(user, perm).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404


def user_can_at(user: AbstractBaseUser | None, perm: str, path: str) -> bool:
    """True when ``user`` holds ``perm`` at the organization with materialized ``path``
    (through an assignment at that node or an ancestor)."""
    paths = scope_paths(user, perm)
    if paths is _ALL:
        return True
    return any(path.startswith(p) for p in paths)


def users_acting_in(path: str) -> QuerySet:
    """Active users holding a current role at the organization with materialized ``path``
    or anywhere below it: the other direction of ``scope_paths`` (who acts in a subtree,
    e.g. who may be made an officer of its grids). Only staff hold roles: every route that
    assigns one refuses worker accounts."""
    user_model = get_user_model()
    assignments = user_model._meta.get_field("assignments").related_model.objects.active()
    return user_model.objects.filter(is_active=True).filter(
        Exists(assignments.filter(user=OuterRef("pk"), organization__path__startswith=path))
    )
