"""Creating, editing, moving, merging and dissolving organizations."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, UniqueConstraint
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change

from ..dependents import dissolve_blockers
from ..models import Organization, OrgStatus
from ..validators import (
    ORG_FIELDS,
    clean_optional_text,
)
from .base import (
    _children,
    _clean,
    _lock,
    _merge_errors,
    _org_snapshot,
    _parent_of,
    _placement_errors,
    _require,
    _save_changed,
)

# -- organizations -------------------------------------------------------------------------


@transaction.atomic
def create_organization(
    *, actor, parent: Organization | None, name: str, kind: str, **fields: Any
) -> Organization:
    """Create an organization as the last child of ``parent`` (a new root when ``parent``
    is None, which only system administrators may do)."""
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    if parent is not None:
        parent = _lock(parent)
    _require(
        actor,
        "orgs.add_organization",
        parent.path if parent is not None else "",
        _("您没有在该组织下新建下级组织的权限"),
    )
    cleaned, errors = _clean({"name": name, "kind": kind, **fields})
    errors = _merge_errors(errors, _placement_errors(cleaned, parent))
    if errors:
        raise ValidationError(errors)
    org = Organization(**cleaned)
    if parent is None:
        org = Organization.objects.add_root(instance=org)
    else:
        org = Organization.objects.add_child(parent, instance=org)
    after = _org_snapshot(org)
    after["parent"] = parent.pk if parent is not None else None
    record_change(actor=actor, obj=org, action=ChangeAction.CREATE, after=after)
    return org


@transaction.atomic
def update_organization(*, actor, organization: Organization, **changes: Any) -> Organization:
    """Change an active organization's own fields (not its place in the tree: see
    ``move_organization``). Returns the saved organization."""
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    org = _lock(organization)
    _require(actor, "orgs.change_organization", org.path, _("您没有修改该组织的权限"))
    if org.status != OrgStatus.ACTIVE:
        raise ValidationError(_("已合并或已撤销的组织不能再修改"), code="inactive")
    cleaned, errors = _clean(changes)
    state = {f: getattr(org, f) for f in ORG_FIELDS} | cleaned
    errors = _merge_errors(errors, _placement_errors(state, _parent_of(org), org))
    if errors:
        raise ValidationError(errors)
    _save_changed(org, cleaned, actor=actor, also_save=["updated_at"], state=_org_snapshot)
    return org


@transaction.atomic
def move_organization(
    *, actor, organization: Organization, new_parent: Organization
) -> Organization:
    """Move an organization with its whole subtree under ``new_parent``. The actor needs
    ``orgs.move_organization`` at both places."""
    org, target = _lock(organization), _lock(new_parent)
    _require(actor, "orgs.move_organization", org.path, _("您没有移动该组织的权限"))
    _require(actor, "orgs.move_organization", target.path, _("您没有把组织移入该上级组织的权限"))
    if org.depth == 1:
        raise ValidationError({"parent": _("顶级组织不能移动")})
    if org.status != OrgStatus.ACTIVE:
        raise ValidationError(_("已合并或已撤销的组织不能移动"), code="inactive")
    if target.path.startswith(org.path):
        raise ValidationError({"parent": _("不能移到它自己或它的下级组织之下")})
    if org.parent_path == target.path:
        raise ValidationError(
            {"parent": _("该组织已经在“%(parent)s”之下") % {"parent": target.name}}
        )
    errors = _placement_errors({"kind": org.kind, "name": org.name}, target)
    if errors:
        # Errors about the organization's own kind or name are about where it goes.
        raise ValidationError({"parent": [m for ms in errors.values() for m in ms]})
    old_parent = _parent_of(org)
    before = {"parent": old_parent.pk, "path": org.path}
    Organization.objects.move(org, target, "last-child")
    org.refresh_from_db()
    # The moved subtree must still be inside what the actor may act on.
    _require(actor, "orgs.view_organization", org.path)
    record_change(
        actor=actor,
        obj=org,
        action=ChangeAction.UPDATE,
        before=before,
        after={"parent": target.pk, "path": org.path},
        note=_("从“%(old)s”移到“%(new)s”") % {"old": old_parent.name, "new": target.name},
    )
    return org


def _unique_partner_fields(model, field_name: str) -> list[tuple[str, ...]]:
    """For each unique constraint of ``model`` that includes ``field_name``, the other
    fields of that constraint (empty when the field is unique by itself)."""
    field_sets: list[tuple[str, ...]] = [
        tuple(c.fields) for c in model._meta.constraints if isinstance(c, UniqueConstraint)
    ]
    field_sets.extend(tuple(t) for t in model._meta.unique_together)
    field = model._meta.get_field(field_name)
    if field.unique:
        field_sets.append((field_name,))
    names = {field_name, field.attname}
    return [tuple(f for f in s if f not in names) for s in field_sets if names & set(s)]


def _repoint(model, field_name: str, source: Organization, target: Organization) -> tuple[int, int]:
    """Point ``model.field_name`` from source to target; rows that would break a unique
    constraint (e.g. the same role of the same user already held at the target) stay
    with the source. Returns (moved, kept)."""
    manager = model._base_manager
    rows = manager.filter(**{field_name: source})
    total = rows.count()
    if not total:
        return 0, 0
    for others in _unique_partner_fields(model, field_name):
        at_target = manager.filter(**{field_name: target})
        if not others:
            if at_target.exists():
                rows = rows.none()
        else:
            rows = rows.exclude(Exists(at_target.filter(**{f: OuterRef(f) for f in others})))
    moved = rows.update(**{field_name: target})
    return moved, total - moved


def _repoint_m2m(rel, source: Organization, target: Organization) -> tuple[int, int]:
    """Auto-created many-to-many links: a link the target already has is dropped (it is
    the same link), the others are re-pointed."""
    through = rel.through
    org_field = rel.field.m2m_reverse_field_name()
    other_field = rel.field.m2m_field_name()
    manager = through._base_manager
    rows = manager.filter(**{org_field: source})
    total = rows.count()
    if not total:
        return 0, 0
    duplicate = Exists(manager.filter(**{org_field: target, other_field: OuterRef(other_field)}))
    rows.filter(duplicate).delete()
    manager.filter(**{org_field: source}).update(**{org_field: target})
    return total, 0


def _repoint_references(source: Organization, target: Organization) -> tuple[dict, dict]:
    """Re-point every row of every installed app that refers to ``source``. Discovered
    from the model relations, so apps added later are covered without changing this.
    ``merged_into`` of organizations merged earlier is history and stays as it was."""
    moved: dict[str, int] = {}
    kept: dict[str, int] = {}
    for rel in Organization._meta.related_objects:
        model = rel.related_model
        if model is Organization:
            continue
        label = f"{model._meta.label_lower}.{rel.field.name}"
        if rel.many_to_many:
            if not rel.through._meta.auto_created:
                continue  # the custom through model's own foreign key is handled below
            n_moved, n_kept = _repoint_m2m(rel, source, target)
        else:
            n_moved, n_kept = _repoint(model, rel.field.name, source, target)
        if n_moved:
            moved[label] = n_moved
        if n_kept:
            kept[label] = n_kept
    return moved, kept


@transaction.atomic
def merge_organizations(
    *, actor, source: Organization, target: Organization, note: str = ""
) -> Organization:
    """Merge ``source`` into ``target`` (same kind): its children move under the target,
    every row referring to it is re-pointed, and it stays as a record with status
    "merged" and ``merged_into``. Nothing is deleted. Returns the source."""
    src, dst = _lock(source), _lock(target)
    _require(actor, "orgs.merge_organization", src.path, _("您没有合并该组织的权限"))
    _require(actor, "orgs.merge_organization", dst.path, _("您没有并入该目标组织的权限"))
    note = clean_optional_text(note, max_length=150, label=_("说明"))
    if src.pk == dst.pk:
        raise ValidationError({"target": _("不能把组织合并到它自己")})
    if src.status != OrgStatus.ACTIVE:
        raise ValidationError(_("该组织已合并或已撤销"), code="inactive")
    if src.depth == 1:
        raise ValidationError({"target": _("顶级组织不能被合并")})
    if dst.status != OrgStatus.ACTIVE:
        raise ValidationError({"target": _("目标组织已合并或已撤销")})
    if src.kind != dst.kind:
        raise ValidationError(
            {
                "target": _("只能合并同类型的组织:“%(src)s”是%(src_kind)s,“%(dst)s”是%(dst_kind)s")
                % {
                    "src": src.name,
                    "src_kind": src.get_kind_display(),
                    "dst": dst.name,
                    "dst_kind": dst.get_kind_display(),
                }
            }
        )
    if dst.path.startswith(src.path):
        raise ValidationError({"target": _("不能合并到它自己的下级组织")})
    children = list(_children(src).order_by("path"))
    clashes = sorted(
        set(
            _children(dst)
            .filter(status=OrgStatus.ACTIVE, name__in=[c.name for c in children if c.is_active])
            .values_list("name", flat=True)
        )
    )
    if clashes:
        raise ValidationError(
            {
                "target": _("下列下级组织与目标组织的下级重名,请先改名:%(names)s")
                % {"names": _("、").join(clashes)}
            }
        )

    before = _org_snapshot(src)
    for child in children:
        child = Organization.objects.get(pk=child.pk)
        old_path = child.path
        Organization.objects.move(child, dst, "last-child")
        child.refresh_from_db()
        record_change(
            actor=actor,
            obj=child,
            action=ChangeAction.UPDATE,
            before={"parent": src.pk, "path": old_path},
            after={"parent": dst.pk, "path": child.path},
            note=_("随“%(src)s”并入“%(dst)s”") % {"src": src.name, "dst": dst.name},
        )
    moved, kept = _repoint_references(src, dst)
    src.refresh_from_db()
    src.status = OrgStatus.MERGED
    src.merged_into = dst
    src.save(update_fields=["status", "merged_into", "updated_at"])

    summary = {"children_moved": len(children), "references_moved": moved}
    if kept:
        summary["references_kept"] = kept
    record_change(
        actor=actor,
        obj=src,
        action=ChangeAction.UPDATE,
        before=before,
        after={**_org_snapshot(src), "merge": summary},
        note=(
            _("并入“%(dst)s”:下级组织 %(children)d 个,改指向记录 %(rows)d 条")
            % {"dst": dst.name, "children": len(children), "rows": sum(moved.values())}
            + (f" · {note}" if note else "")
        ),
    )
    record_change(
        actor=actor,
        obj=dst,
        action=ChangeAction.UPDATE,
        before={},
        after={"merged_from": src.pk},
        note=_("“%(src)s”并入本组织") % {"src": src.name},
    )
    return src


@transaction.atomic
def dissolve_organization(*, actor, organization: Organization, reason: str = "") -> Organization:
    """Mark an organization dissolved. Refused while active organizations or persons (or
    other declared dependents, see ``dependents``) are still under it: they must be moved
    (or the organization merged) first."""
    org = _lock(organization)
    _require(actor, "orgs.dissolve_organization", org.path, _("您没有撤销该组织的权限"))
    reason = clean_optional_text(reason, max_length=200, label=_("撤销原因"))
    if org.depth == 1:
        raise ValidationError(_("顶级组织不能撤销"), code="root")
    if org.status != OrgStatus.ACTIVE:
        raise ValidationError(_("该组织已合并或已撤销"), code="inactive")
    problems = []
    active_children = _children(org).filter(status=OrgStatus.ACTIVE).count()
    if active_children:
        problems.append(_("还有 %(n)d 个正常状态的下级组织") % {"n": active_children})
    problems.extend(dissolve_blockers(org))
    if problems:
        raise ValidationError(
            _("不能撤销“%(name)s”:%(problems)s。请先把它们移到其他组织,或把本组织合并到其他组织。")
            % {"name": org.name, "problems": ";".join(problems)},
            code="has_dependents",
        )
    with change_recorded(actor=actor, obj=org, state=_org_snapshot, note=reason or _("撤销")):
        org.status = OrgStatus.DISSOLVED
        org.save(update_fields=["status", "updated_at"])
    return org
