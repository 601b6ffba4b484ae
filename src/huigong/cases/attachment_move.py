"""Moving attachment files kept the old way — in the public ``MEDIA_ROOT`` under their
original names (``cases/2026/03/工资条.png``) — into the private storage under random
names, and pointing their rows at the new names.

Run by migration ``0006_private_attachments`` and by ``python -m huigong
move_attachment_files`` (for files put back after the migration, e.g. from a backup of
the old media directory). A row whose file is found nowhere is left as it is, with a
warning: a migration must not fail over a missing file. Safe to run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction

from huigong.common.files import private_storage

from .models.case import PRIVATE_ATTACHMENT_NAME, attachment_name

logger = logging.getLogger(__name__)
_BATCH = 500


@dataclass
class MoveResult:
    moved: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, old, new)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (pk, name)
    in_place: int = 0


def _has(storage: Storage, name: str) -> bool:
    try:
        return storage.exists(name)
    except (SuspiciousFileOperation, ValueError):
        return False


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError as exc:
        logger.warning("could not delete the old attachment file %s: %s", name, exc)


def move_legacy_attachment_files(
    attachment_model=None, *, source: Storage | None = None, target: Storage | None = None
) -> MoveResult:
    """Copy every attachment file not yet stored under a private name into ``target``
    (default: the private storage) under a new random name, update its row, and delete
    the old file once the transaction commits. ``attachment_model`` is the historical
    model inside a migration; ``source`` defaults to ``MEDIA_ROOT``."""
    if attachment_model is None:
        from .models import Attachment as attachment_model
    source = source or FileSystemStorage(location=settings.MEDIA_ROOT)
    target = target or private_storage()
    result = MoveResult()
    last = 0
    while True:
        # Batches by primary key: SQLite gives no isolation between a running SELECT
        # and the UPDATEs below.
        rows = list(
            attachment_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "file", "uploaded_at", "original_name")[:_BATCH]
        )
        if not rows:
            return result
        last = rows[-1][0]
        for pk, name, uploaded_at, original_name in rows:
            _move_one(
                attachment_model, pk, name, uploaded_at, original_name, source, target, result
            )


def _move_one(model, pk, name, uploaded_at, original_name, source, target, result) -> None:
    if not name:
        return
    if PRIVATE_ATTACHMENT_NAME.match(name) and _has(target, name):
        result.in_place += 1
        return
    # Also the private storage: files an operator copied over by hand, old names and all.
    holder = next((s for s in (target, source) if _has(s, name)), None)
    if holder is None:
        logger.warning(
            "attachment %s: file %s is in neither the private storage nor MEDIA_ROOT; "
            "the row is left as it is",
            pk,
            name,
        )
        result.missing.append((pk, name))
        return
    with holder.open(name, "rb") as handle:
        new_name = target.save(attachment_name(original_name or name, uploaded_at), File(handle))
    if model.objects.filter(pk=pk, file=name).update(file=new_name):
        transaction.on_commit(partial(_delete_quietly, holder, name))
        result.moved.append((pk, name, new_name))
    else:  # the row changed meanwhile: keep it, drop the copy
        target.delete(new_name)
