"""Removing orphaned attachment files: an upload whose transaction rolled back leaves its
file in the private storage with no ``Attachment`` row. Files younger than a grace period
are kept, since an upload still in progress has no committed row yet."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from huigong.common.files import modified_before

from .models import Attachment
from .models.case import ATTACHMENT_DIR

#: Files younger than this are never removed.
DEFAULT_GRACE = datetime.timedelta(hours=24)
_BATCH = 500


@dataclass
class CleanupResult:
    scanned: int = 0
    removed: list[str] = field(default_factory=list)
    bytes_removed: int = 0
    dry_run: bool = False


def _storage():
    """The storage attachments are written to (the private storage)."""
    return Attachment._meta.get_field("file").storage


def upload_root() -> str:
    """The top directory of attachment uploads (``cases`` for ``cases/<yyyy>/<mm>/``)."""
    return ATTACHMENT_DIR


def _walk(storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for sub in sorted(directories):
        yield from _walk(storage, f"{directory}/{sub}")


def clean_attachment_files(
    *,
    grace: datetime.timedelta = DEFAULT_GRACE,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> CleanupResult:
    """Delete files under the attachment upload directory that no ``Attachment`` row
    references and that are older than ``grace``; ``dry_run`` only lists them."""
    storage = _storage()
    cutoff = (now or timezone.now()) - grace
    result = CleanupResult(dry_run=dry_run)
    batch: list[str] = []

    def flush() -> None:
        referenced = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name in referenced:
                continue
            if not modified_before(storage, name, cutoff):
                continue
            try:
                size = storage.size(name)
            except OSError:
                continue
            if not dry_run:
                storage.delete(name)
            result.removed.append(name)
            result.bytes_removed += size
        batch.clear()

    for name in _walk(storage, upload_root()):
        result.scanned += 1
        batch.append(name)
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    return result
