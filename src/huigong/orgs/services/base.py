"""What the organization and grid use cases share: permission checks, locks, snapshots
and the placement rules of a node in the tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huigong.audit.services import change_recorded, snapshot
from huigong.kernel.scope import user_can_at

from ..models import Organization, OrgKind, OrgStatus, kind_allowed_under
from ..validators import (
    ORG_FIELDS,
    clean_org_fields,
)

#: The fields of an organization that its change log follows.
AUDIT_FIELDS = (*ORG_FIELDS, "status", "merged_into")
GRID_AUDIT_FIELDS = ("name", "level", "description", "organization")


# -- helpers -------------------------------------------------------------------------------


def _require(actor, perm: str, path: str, message: str | None = None) -> None:
    if actor is None:
        return
    if not user_can_at(actor, perm, path):
        raise PermissionDenied(message or _("您没有在该组织执行此操作的权限"))


def _save_changed(obj, values: dict[str, Any], *, actor, also_save=(), **audit) -> None:
    """Set and save those of ``values`` that differ from ``obj``'s (and ``also_save``),
    logging the change (``audit``: what ``change_recorded`` follows). An edit that changes
    nothing writes nothing."""
    changed = [f for f, v in values.items() if getattr(obj, f) != v]
    if not changed:
        return
    with change_recorded(actor=actor, obj=obj, **audit):
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=[*changed, *also_save])


def _lock(org: Organization) -> Organization:
    """The current row, locked until the transaction ends (its path may have moved)."""
    return Organization.objects.select_for_update().get(pk=org.pk)


def _children(parent: Organization | None) -> QuerySet[Organization]:
    return Organization.objects.children_of(parent)


def _parent_of(org: Organization) -> Organization | None:
    if org.depth == 1:
        return None
    return Organization.objects.get(path=org.parent_path)


def _org_snapshot(org: Organization) -> dict[str, Any]:
    return snapshot(org, AUDIT_FIELDS)


def _merge_errors(*errors: dict[str, list]) -> dict[str, list]:
    merged: dict[str, list] = {}
    for error_dict in errors:
        for field, messages in error_dict.items():
            merged.setdefault(field, []).extend(messages)
    return merged


def _clean(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    """Clean the values that can be cleaned; return them with the errors of the others."""
    try:
        return clean_org_fields(values), {}
    except ValidationError as exc:
        errors = exc.error_dict
        good = {k: v for k, v in values.items() if k not in errors}
        return clean_org_fields(good), errors


def _name_taken(
    parent: Organization | None, name: str, exclude_pk: int | None = None
) -> Organization | None:
    siblings = _children(parent).filter(name=name, status=OrgStatus.ACTIVE)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    return siblings.first()


def _placement_errors(
    state: dict[str, Any], parent: Organization | None, org: Organization | None = None
) -> dict[str, list]:
    """Rules about where an organization of this kind, category and name may sit."""
    errors: dict[str, list] = {}
    kind, name = state.get("kind"), state.get("name")
    if parent is not None and parent.status != OrgStatus.ACTIVE:
        errors.setdefault("parent", []).append(
            _("上级组织“%(parent)s”已合并或撤销,不能在其下设组织") % {"parent": parent.name}
        )
    if kind:
        parent_kind = parent.kind if parent is not None else None
        if not kind_allowed_under(kind, parent_kind):
            if parent is None:
                errors.setdefault("parent", []).append(
                    _("请选择上级组织:只有省、市、县级总工会可以作为顶级组织")
                )
            else:
                errors.setdefault("kind", []).append(
                    _("“%(kind)s”不能设在“%(parent_kind)s”之下")
                    % {"kind": OrgKind(kind).label, "parent_kind": OrgKind(parent_kind).label}
                )
        if state.get("category") and kind != OrgKind.GRASSROOTS:
            errors.setdefault("category", []).append(_("只有基层工会才有类别,请清空"))
        if org is not None and kind != org.kind:
            blocking = sorted(
                {
                    child.kind
                    for child in _children(org).filter(status=OrgStatus.ACTIVE)
                    if not kind_allowed_under(child.kind, kind)
                }
            )
            if blocking:
                errors.setdefault("kind", []).append(
                    _("该组织下有“%(kinds)s”类型的下级组织,不能改为“%(kind)s”")
                    % {
                        "kinds": _("、").join(str(OrgKind(k).label) for k in blocking),
                        "kind": OrgKind(kind).label,
                    }
                )
    if name and _name_taken(parent, name, exclude_pk=org.pk if org else None):
        errors.setdefault("name", []).append(
            _("“%(parent)s”下已有名为“%(name)s”的组织")
            % {"parent": parent.name if parent else _("顶级"), "name": name}
        )
    return errors
