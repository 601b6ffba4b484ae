"""The reads of the organization tree: the staff loaders through the data scope (a
guessed id outside it is a 404) and what a user may do at a node. The workbench and the
API load through here."""

from __future__ import annotations

from huigong.kernel.scope import get_visible_or_404, user_can_at

from .models import Grid, Organization, OrgStatus

VIEW_PERM = "orgs.view_organization"
#: The changes offered on a node page, each checked where the node is.
NODE_CHANGES = ("change", "add", "move", "merge", "dissolve")


def visible_organization(user, pk: int, perm: str = VIEW_PERM, *, with_parent: bool = False):
    queryset = Organization.objects.with_parent() if with_parent else Organization.objects.all()
    return get_visible_or_404(queryset, user, perm, pk=pk)


def visible_grid(user, pk: int) -> Grid:
    return get_visible_or_404(
        Grid.objects.select_related("organization"), user, "orgs.view_grid", pk=pk
    )


def allowed_changes(user, org: Organization) -> dict[str, bool]:
    """What the user may do at ``org`` (the buttons of its page): edit, add a child,
    move, merge, dissolve, add and edit grids — where they hold the permission at the
    node, on an active node, and never move, merge or dissolve the root."""
    can = {p: user_can_at(user, f"orgs.{p}_organization", org.path) for p in NODE_CHANGES}
    can["add_grid"] = user_can_at(user, "orgs.add_grid", org.path)
    can["change_grid"] = user_can_at(user, "orgs.change_grid", org.path)
    active = org.status == OrgStatus.ACTIVE
    for key in (*NODE_CHANGES, "add_grid"):
        can[key] = can[key] and active
    for key in ("move", "merge", "dissolve"):
        can[key] = can[key] and org.depth > 1
    return can
