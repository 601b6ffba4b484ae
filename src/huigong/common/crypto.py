"""Encryption at rest and keyed lookup hashes for protected personal data (PIPL).

ID numbers, phone numbers and bank accounts are stored encrypted (Fernet, keys from
settings, first key encrypts, all keys decrypt so keys can be rotated), beside an HMAC of
the normalised value for exact lookup and de-duplication. The hash is keyed with a
separate secret so a leaked table cannot be reversed by hashing every possible number.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(value: str) -> str:
    return _fernet(tuple(settings.ENCRYPTION_KEYS)).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return (
            _fernet(tuple(settings.ENCRYPTION_KEYS)).decrypt(token.encode("ascii")).decode("utf-8")
        )
    except InvalidToken as exc:  # wrong key: never show ciphertext as if it were data
        raise ValueError("protected value cannot be decrypted with the configured keys") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of an already-normalised value, for exact search and de-duplication."""
    return hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), value.encode("utf-8"), hashlib.sha256
    ).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees the plain value.

    Never filter on it (ciphertexts differ for equal values): filter on the hash column
    kept beside it instead.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def mask(value: str | None, keep_start: int, keep_end: int) -> str:
    """``430426********1234``-style masking; short values are masked whole."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str | None) -> str:
    return mask(value, 6, 4)


def mask_phone(value: str | None) -> str:
    return mask(value, 3, 4)


def mask_bank_account(value: str | None) -> str:
    return mask(value, 4, 4)
