"""Does the configured encryption key open the protected data in this database?

A database restored beside the wrong ``HUIGONG_ENCRYPTION_KEY(S)`` looks healthy until a
page decrypts an ID number. The system check ``huigong.E005`` (``check --database
default``, and ``migrate``) and the ``encryption`` check of ``/healthz`` decrypt a small
sample of the stored values of every encrypted column to find that out at start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

from huigong.common.crypto import DecryptionError, EncryptedTextField, decrypt

#: Rows sampled per encrypted column, from each end of the primary-key order (the oldest
#: rows catch a key dropped too early after a rotation, the newest a restore).
SAMPLE_PER_END = 3


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
