"""Writing the audit trail. Services call these explicitly inside their transaction, so
imports, tasks and commands are audited exactly like web requests (no signals)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models

from huigong.common.bulk import insert_many
from huigong.common.redact import redact

from .middleware import current_request_id
from .models import AccessLog, ChangeAction, ChangeLog

#: Field names whose values never enter the log in clear (they are encrypted at rest).
PROTECTED_FIELDS = {"id_number", "phone", "bank_account", "password", "birth_date"}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime | datetime.time | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), protected ones marked."""
    names = fields or [
        f.name for f in obj._meta.concrete_fields if f.editable and not f.primary_key
    ]
    data = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        if name in PROTECTED_FIELDS:
            value = "已设置" if value else ""
        data[name] = _plain(value)
    return data


def _redacted(value: Any) -> Any:
    """Free text in the log with ID numbers and phones masked: a user may type one into
    a note or a reason, and the log is read by people without the reveal permission."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [before.get(k), after.get(k)]
        for k in after.keys() | before.keys()
        if before.get(k) != after.get(k)
    }


def _org_path(obj: models.Model) -> str:
    """Where ``obj``'s entries belong in the tree (whose auditors see them): what the
    object says (``audit_org_path()``; an organization is its own place), else the
    path of its ``organization``."""
    if hasattr(obj, "audit_org_path"):
        return obj.audit_org_path()
    org = getattr(obj, "organization", None)
    return getattr(org, "path", "") if org is not None else ""


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "系统"}
    return {"actor": actor, "actor_name": str(actor)[:150]}


def change_entry(
    *,
    actor,
    obj: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> ChangeLog:
    """The log entry of one change, not yet saved (``record_change`` saves it; bulk
    writers save many at once). For updates pass ``before``/``after`` snapshots; only
    changed fields are kept. Creates log the new values, deletes the old ones."""
    if action == ChangeAction.CREATE:
        changes = {k: [None, v] for k, v in (after or snapshot(obj)).items() if v not in (None, "")}
    elif action == ChangeAction.DELETE:
        changes = {
            k: [v, None] for k, v in (before or snapshot(obj)).items() if v not in (None, "")
        }
    else:
        changes = diff(before or {}, after if after is not None else snapshot(obj))
    return ChangeLog(
        **_actor_fields(actor),
        request_id=current_request_id(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=redact(str(obj))[:200],
        org_path=_org_path(obj),
        changes=_redacted(changes),
        note=redact(note)[:200],
    )


def record_change(**kwargs: Any) -> ChangeLog:
    """Log one change (the arguments of ``change_entry``)."""
    entry = change_entry(**kwargs)
    entry.save()
    return entry


def record_created_many(*, actor, objs: Iterable[models.Model], note: str = "") -> int:
    """Log the creation of many objects (a bulk write, e.g. an import chunk) with one
    insert; each gets the entry ``record_change`` would have written."""
    entries = [
        change_entry(actor=actor, obj=obj, action=ChangeAction.CREATE, note=note) for obj in objs
    ]
    insert_many(ChangeLog, entries)
    return len(entries)


def record_created(
    *,
    actor,
    obj: models.Model,
    fields: Iterable[str] | None = None,
    state: Callable[[Any], dict[str, Any]] | None = None,
    note: str = "",
) -> ChangeLog:
    """Log the creation of ``obj`` with its ``fields`` (or what ``state(obj)`` returns)."""
    after = state(obj) if state else snapshot(obj, fields)
    return record_change(actor=actor, obj=obj, action=ChangeAction.CREATE, after=after, note=note)


@contextmanager
def change_recorded(
    *,
    actor,
    obj: models.Model,
    fields: Iterable[str] | None = None,
    state: Callable[[Any], dict[str, Any]] | None = None,
    note: str = "",
) -> Iterator[dict[str, Any]]:
    """Log the update the block makes to ``obj``: its ``fields`` (or what ``state(obj)``
    returns) are taken before and after the block. Yields the snapshot taken before; the
    block's exception logs nothing."""
    names = tuple(fields) if fields is not None else None
    take = state or (lambda o: snapshot(o, names))
    before = take(obj)
    yield before
    record_change(
        actor=actor, obj=obj, action=ChangeAction.UPDATE, before=before, after=take(obj), note=note
    )


def record_access(
    *,
    actor,
    obj: models.Model,
    fields: Iterable[str],
    reason_code: str = "",
    reason: str = "",
    channel: str = "web",
) -> AccessLog:
    """Log a reveal of protected data on ``obj``: the reason chosen from
    ``RevealReason`` and an optional note."""
    return AccessLog.objects.create(
        **_actor_fields(actor),
        request_id=current_request_id(),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=redact(str(obj))[:200],
        org_path=_org_path(obj),
        fields=",".join(fields)[:200],
        reason_code=reason_code,
        reason=redact(reason)[:200],
        channel=channel,
    )


def record_search(
    *,
    actor,
    object_type: str,
    fields: Iterable[str],
    note: str,
    obj: models.Model | None = None,
    searched: str = "",
    org_path: str = "",
    channel: str = "web",
) -> AccessLog:
    """Log a search by a full protected value. A hit or a miss tells the searcher whether
    the number exists, so it is logged like a reveal: the person found (``obj``), or when
    nothing matched the value searched for (``searched``, masked here) and the searcher's
    ``org_path`` so their auditors see it."""
    return AccessLog.objects.create(
        **_actor_fields(actor),
        request_id=current_request_id(),
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=redact(str(obj) if obj is not None else searched)[:200],
        org_path=_org_path(obj) if obj is not None else org_path,
        fields=",".join(fields)[:200],
        reason=redact(note)[:200],
        channel=channel,
    )
