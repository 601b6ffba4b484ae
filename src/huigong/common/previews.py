"""Import files left by earlier versions, and their sweep.

Before the import engine (``huigong.imports``, which keeps each job's file encrypted under
``import-jobs/`` and removes it itself), an uploaded file waited for its confirmation
encrypted under ``imports/`` of the private storage, and before that in clear under
``MEDIA_ROOT/imports/``. Nothing writes to either place any more; ``clean_import_previews``
(a periodic job and a command) deletes what is left there once it is older than
``IMPORT_PREVIEW_MAX_AGE``, and every plaintext file at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .files import modified_before, private_storage

PREVIEW_DIR = "imports"
#: Where previews were kept in clear before (under MEDIA_ROOT); only the sweep looks there.
LEGACY_DIR = "imports"


def max_age() -> int:
    """How long, in seconds, an uploaded import file may wait for its confirmation."""
    return settings.IMPORT_PREVIEW_MAX_AGE


@dataclass
class SweepResult:
    scanned: int = 0
    removed: list[str] = field(default_factory=list)
    dry_run: bool = False


def clean_import_previews(
    *,
    max_age_seconds: int | None = None,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> SweepResult:
    """Delete preview files older than ``max_age_seconds`` (``IMPORT_PREVIEW_MAX_AGE`` by
    default), and every plaintext preview left in the old place; ``dry_run`` only lists
    them. Younger files are kept: their import may still be confirmed."""
    storage = private_storage()
    age = max_age() if max_age_seconds is None else max_age_seconds
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=age)
    result = SweepResult(dry_run=dry_run)
    _sweep_legacy(result)
    try:
        _directories, files = storage.listdir(PREVIEW_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return result
    for filename in sorted(files):
        name = f"{PREVIEW_DIR}/{filename}"
        result.scanned += 1
        if not modified_before(storage, name, cutoff):
            continue
        if not dry_run:
            storage.delete(name)
        result.removed.append(name)
    return result


def _sweep_legacy(result: SweepResult) -> None:
    """Remove the plaintext previews of earlier versions (no code reads them any more)."""
    root = Path(settings.MEDIA_ROOT) / LEGACY_DIR
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), reverse=True):  # files before their directories
        if path.is_file() or path.is_symlink():
            result.scanned += 1
            result.removed.append(str(path))
            if not result.dry_run:
                path.unlink(missing_ok=True)
        elif not result.dry_run and not any(path.iterdir()):
            path.rmdir()
    if not result.dry_run and not any(root.iterdir()):
        root.rmdir()
