"""Does the configured encryption key open the protected data in this database?

A database restored beside the wrong ``HUIGONG_ENCRYPTION_KEY(S)`` looks healthy until a
page decrypts an ID number. The system check ``huigong.E005`` (``check --database
default``, and ``migrate``) and the ``encryption`` check of ``/healthz`` decrypt a small
sample of the stored values of every encrypted column to find that out at start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from huigong.common.crypto import DecryptionError, EncryptedTextField, decrypt

#: Rows sampled per encrypted column, from each end of the primary-key order (the oldest
#: rows catch a key dropped too early after a rotation, the newest a restore).
SAMPLE_PER_END = 3

#: The API's error code for a value no configured key decrypts (``huigong.api``).
KEY_MISMATCH_CODE = "encryption_key_mismatch"

# The error log, where the pages' and the API's other server errors are logged too.
error_logger = logging.getLogger("huigong.errors")


def log_key_mismatch(request) -> None:
    """Log a request that met a stored value no configured key decrypts (a server
    misconfiguration, answered with a 500 that says so by ``huigong.errors`` and
    ``huigong.api``)."""
    error_logger.error(
        "protected data cannot be decrypted: HUIGONG_ENCRYPTION_KEY(S) does not match the "
        "database (%s %s)",
        request.method,
        request.path,
        exc_info=True,
    )


def key_mismatch_message() -> str:
    return _(
        "服务器配置的加密密钥与数据库中的数据不匹配,受保护的个人信息无法解密。请联系系统管理员。"
    )


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """(model, [field names]) for every model holding encrypted columns."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


@dataclass(frozen=True)
class KeyMismatch:
    """One encrypted column whose sampled values the configured keys do not decrypt."""

    column: str  # "people.Person.id_number"
    failed: int
    sampled: int


def sample_undecryptable(per_end: int = SAMPLE_PER_END) -> list[KeyMismatch]:
    """Decrypt up to ``2 * per_end`` stored values of every encrypted column; name the
    columns where any of them fails. Reads the raw column (cast to text) so one bad value
    does not hide the count of the others. Database errors propagate to the caller."""
    mismatches = []
    for model, names in encrypted_fields():
        for name in names:
            stored = model._base_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            raw = stored.annotate(_raw=Cast(name, models.TextField()))
            tokens = list(raw.order_by("pk").values_list("_raw", flat=True)[:per_end])
            tokens += list(raw.order_by("-pk").values_list("_raw", flat=True)[:per_end])
            failed = 0
            for token in tokens:
                try:
                    decrypt(token)
                except DecryptionError:
                    failed += 1
            if failed:
                mismatches.append(
                    KeyMismatch(f"{model._meta.label}.{name}", failed=failed, sampled=len(tokens))
                )
    return mismatches
