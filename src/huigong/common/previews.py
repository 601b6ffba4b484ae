"""Uploaded import files kept between preview and confirm.

An import file is a roster of ID numbers and phone numbers, so it is never kept in clear
nor anywhere a URL reaches: it is encrypted with the first of ``HUIGONG_ENCRYPTION_KEYS``
(Fernet, as the protected columns are) and written to ``imports/`` in the private storage
(``PRIVATE_MEDIA_ROOT``) under a random name. Confirming or cancelling removes it; a
preview older than ``IMPORT_PREVIEW_MAX_AGE`` seconds can no longer be confirmed (the
Fernet token carries its creation time), and the periodic sweep ``clean_import_previews``
deletes its file.

Earlier versions kept previews in clear under ``MEDIA_ROOT/imports/``; nothing is written
there any more, and the sweep deletes what is left (``LEGACY_DIR``).
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from .crypto import DecryptionError, decrypt_bytes, encrypt_bytes
from .files import modified_before, private_storage

PREVIEW_DIR = "imports"
#: Where previews were kept in clear before (under MEDIA_ROOT); only the sweep looks there.
LEGACY_DIR = "imports"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class PreviewGone(Exception):
    """The preview was confirmed, cancelled, swept or has expired: upload the file again."""


def max_age() -> int:
    """How long, in seconds, a preview may wait for its confirmation."""
    return settings.IMPORT_PREVIEW_MAX_AGE


def _name(token: str) -> str:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise PreviewGone
    return f"{PREVIEW_DIR}/{token}"


def store_preview(data: bytes) -> str:
    """Keep an uploaded file encrypted until it is confirmed; returns its token (the
    random file name: 256 bits, nothing to guess)."""
    token = secrets.token_urlsafe(32)
    private_storage().save(_name(token), ContentFile(encrypt_bytes(data)))
    return token


def load_preview(token: str) -> bytes:
    """The uploaded bytes of a preview that is still valid, else ``PreviewGone``."""
    name = _name(token)
    storage = private_storage()
    try:
        with storage.open(name, "rb") as handle:
            blob = handle.read()
    except OSError:
        raise PreviewGone
    try:
        return decrypt_bytes(blob, max_age=max_age())
    except DecryptionError:
        storage.delete(name)
        raise PreviewGone


def discard_preview(token: str) -> None:
    """Remove a preview's file (confirmed or cancelled); nothing happens if it is gone."""
    try:
        name = _name(token)
    except PreviewGone:
        return
    private_storage().delete(name)


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
