"""Grids (网格) and their officers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.kernel.scope import users_acting_in

from ..models import Grid, Organization, OrgStatus
from ..validators import (
    clean_grid_level,
    clean_name,
    clean_optional_text,
)
from .base import (
    GRID_AUDIT_FIELDS,
    _lock,
    _require,
    _save_changed,
)

# -- grids ---------------------------------------------------------------------------------


def eligible_grid_officers(organization: Organization) -> QuerySet:
    """Active staff users holding a current role somewhere in the organization's subtree:
    the people who may be made officers of its grids."""
    return users_acting_in(organization.path).order_by("name", "username")


def _grid_siblings(organization: Organization, parent: Grid | None) -> QuerySet[Grid]:
    if parent is None:
        return Grid.objects.filter(depth=1, organization=organization)
    return Grid.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)


@transaction.atomic
def create_grid(
    *,
    actor,
    organization: Organization,
    name: str,
    level: str,
    parent: Grid | None = None,
    description: str = "",
) -> Grid:
    """Create a grid of an organization: an area or grid at the top, a grid inside an
    area, a micro-grid inside a grid."""
    org = _lock(organization)
    _require(actor, "orgs.add_grid", org.path, _("您没有为该组织划分网格的权限"))
    if org.status != OrgStatus.ACTIVE:
        raise ValidationError(_("已合并或已撤销的组织不能新建网格"), code="inactive")
    errors: dict[str, list] = {}
    cleaned: dict[str, Any] = {}
    cleaners = {
        "name": lambda: clean_name(name, max_length=100, label=_("网格名称")),
        "level": lambda: clean_grid_level(level),
        "description": lambda: clean_optional_text(
            description, max_length=200, label=_("范围说明")
        ),
    }
    for field, clean in cleaners.items():
        try:
            cleaned[field] = clean()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    if parent is not None:
        parent = Grid.objects.select_for_update().get(pk=parent.pk)
        if parent.organization_id != org.pk:
            errors.setdefault("parent", []).append(_("上级网格不属于该组织"))
        elif "level" in cleaned and Grid.CHILD_LEVEL.get(parent.level) != cleaned["level"]:
            child = Grid.CHILD_LEVEL.get(parent.level)
            errors.setdefault("level", []).append(
                _("“%(parent)s”之下只能设%(child)s")
                % {"parent": parent.name, "child": Grid.Level(child).label}
                if child
                else _("微网格之下不能再划分")
            )
    elif cleaned.get("level") and cleaned["level"] not in Grid.ROOT_LEVELS:
        errors.setdefault("parent", []).append(_("微网格必须设在某个网格之下,请选择上级网格"))
    if "name" in cleaned and not errors.get("parent"):
        if _grid_siblings(org, parent).filter(name=cleaned["name"]).exists():
            errors.setdefault("name", []).append(
                _("同一层级下已有名为“%(name)s”的网格") % {"name": cleaned["name"]}
            )
    if errors:
        raise ValidationError(errors)
    grid = Grid(organization=org, **cleaned)
    if parent is None:
        grid = Grid.objects.add_root(instance=grid)
    else:
        grid = Grid.objects.add_child(parent, instance=grid)
    after = snapshot(grid, GRID_AUDIT_FIELDS)
    after["parent"] = parent.pk if parent is not None else None
    record_change(actor=actor, obj=grid, action=ChangeAction.CREATE, after=after)
    return grid


@transaction.atomic
def update_grid(
    *, actor, grid: Grid, name: str | None = None, description: str | None = None
) -> Grid:
    """Rename a grid or change its description (its level and place are fixed)."""
    grid = Grid.objects.select_for_update().select_related("organization").get(pk=grid.pk)
    _require(actor, "orgs.change_grid", grid.organization.path, _("您没有修改该网格的权限"))
    errors: dict[str, list] = {}
    changes: dict[str, Any] = {}
    if name is not None:
        try:
            changes["name"] = clean_name(name, max_length=100, label=_("网格名称"))
        except ValidationError as exc:
            errors["name"] = exc.messages
    if description is not None:
        try:
            changes["description"] = clean_optional_text(
                description, max_length=200, label=_("范围说明")
            )
        except ValidationError as exc:
            errors["description"] = exc.messages
    if "name" in changes and changes["name"] != grid.name:
        parent = Grid.objects.get(path=grid.path[: -Grid.steplen]) if grid.depth > 1 else None
        siblings = _grid_siblings(grid.organization, parent).exclude(pk=grid.pk)
        if siblings.filter(name=changes["name"]).exists():
            errors.setdefault("name", []).append(
                _("同一层级下已有名为“%(name)s”的网格") % {"name": changes["name"]}
            )
    if errors:
        raise ValidationError(errors)
    _save_changed(grid, changes, actor=actor, fields=GRID_AUDIT_FIELDS)
    return grid


@transaction.atomic
def assign_grid_officers(*, actor, grid: Grid, officers: Iterable) -> Grid:
    """Set the officers of a grid (replacing the previous ones). Each must hold a role in
    the grid's organization or below it."""
    grid = Grid.objects.select_for_update().select_related("organization").get(pk=grid.pk)
    _require(actor, "orgs.change_grid", grid.organization.path, _("您没有修改该网格的权限"))
    wanted = {user.pk: user for user in officers}
    eligible = set(
        eligible_grid_officers(grid.organization).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    refused = [str(user) for pk, user in wanted.items() if pk not in eligible]
    if refused:
        raise ValidationError(
            {
                "officers": _("下列用户在“%(org)s”及其下级没有岗位,不能担任网格员:%(names)s")
                % {"org": grid.organization.name, "names": _("、").join(refused)}
            }
        )
    before = sorted(grid.officers.values_list("pk", flat=True))
    after = sorted(wanted)
    if before == after:
        return grid
    grid.officers.set(after)
    record_change(
        actor=actor,
        obj=grid,
        action=ChangeAction.UPDATE,
        before={"officers": before},
        after={"officers": after},
    )
    return grid
