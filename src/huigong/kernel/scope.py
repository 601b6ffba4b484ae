"""Data scope: which organizations' rows a user may see and act on.

A staff user holds role assignments at organizations and acts on the union of those
subtrees. Subtrees are materialized-path prefixes, so the filter is a handful of indexed
``LIKE 'prefix%'`` conditions whatever the size of the tree. Every staff queryset comes
from ``Model.objects.visible_to(user)``; single objects are loaded with
``get_visible_or_404`` so that a guessed id outside the scope is simply "not found".

This module is the one place that joins the two halves of the scope: the organization
tree (``orgs``: materialized paths) and the role assignments (``accounts``: who holds
which role where). It reads both through the user it is given — ``user.assignments`` and
the assignment's ``organization__path`` — and imports neither app, so ``orgs``,
``accounts`` and every app above them can use it without an import cycle.
"""

from __future__ import annotations

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


def scope_paths(user: AbstractBaseUser | None, perm: str | None = None) -> list[str] | None:
    """Materialized paths of the subtrees ``user`` acts on, optionally only those where a
    role grants ``perm`` ("app_label.codename"). ``None`` means everything."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return _ALL
    cache = user.__dict__.setdefault("_scope_cache", {})
    if perm not in cache:
        assignments = user.assignments.active()
        if perm is not None:
            app_label, codename = perm.split(".", 1)
            assignments = assignments.filter(
                role__permissions__content_type__app_label=app_label,
                role__permissions__codename=codename,
            )
        cache[perm] = _prune(list(assignments.values_list("organization__path", flat=True)))
    return cache[perm]


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
