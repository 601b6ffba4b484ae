"""Encryption at rest and keyed lookup hashes for protected personal data (PIPL).

ID numbers, phone numbers and bank accounts are stored encrypted (Fernet, keys from
settings, first key encrypts, all keys decrypt so keys can be rotated), beside an HMAC of
the normalised value for exact lookup and de-duplication. The hash is keyed with a
separate secret so a leaked table cannot be reversed by hashing every possible number.

Nothing that narrows a protected number down is kept or shown in clear: the last four
characters are kept only as keyed hashes (each with its own purpose prefix, so a
last-four hash never equals the hash of a full number), and the masked ID number shows
the last four characters alone. docs/security.md ("Protected personal data") gives the
reasoning and the candidate counts.
"""

from __future__ import annotations

import datetime
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


class DecryptionError(Exception):
    """A stored protected value that none of the configured keys decrypts: the deployment
    runs with the wrong ``HUIGONG_ENCRYPTION_KEY(S)`` (e.g. a database restored beside
    another key). Deliberately not a ``ValueError``: loaders turn ``ValueError`` into
    "not found", and a key mismatch must show as the server error it is
    (``huigong.errors``), never as a missing object."""


def decrypt(token: str) -> str:
    try:
        return (
            _fernet(tuple(settings.ENCRYPTION_KEYS)).decrypt(token.encode("ascii")).decode("utf-8")
        )
    except (InvalidToken, UnicodeError) as exc:  # never show ciphertext as if it were data
        raise DecryptionError(
            "protected value cannot be decrypted with the configured keys "
            "(HUIGONG_ENCRYPTION_KEY(S) does not match the database)"
        ) from exc


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt file contents (import previews) with the first key. The token records when
    it was made, so ``decrypt_bytes`` can refuse old ones."""
    return _fernet(tuple(settings.ENCRYPTION_KEYS)).encrypt(data)


def decrypt_bytes(token: bytes, *, max_age: int | None = None) -> bytes:
    """The contents ``encrypt_bytes`` encrypted. Raises ``DecryptionError`` when no
    configured key opens the token or it is older than ``max_age`` seconds."""
    try:
        return _fernet(tuple(settings.ENCRYPTION_KEYS)).decrypt(token, ttl=max_age)
    except InvalidToken as exc:
        raise DecryptionError(
            "encrypted file cannot be decrypted with the configured keys, or has expired"
        ) from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of an already-normalised value, for exact search and de-duplication."""
    return hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), value.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def id_last4_hash(number: str) -> str:
    """Keyed hash of the last four characters of an ID number ("last four" search)."""
    return lookup_hash(f"id-last4:{number[-4:]}")


def phone_last4_hash(phone: str) -> str:
    """Keyed hash of the last four digits of a phone number ("last four" search)."""
    return lookup_hash(f"phone-last4:{phone[-4:]}")


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


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (as its ISO text); Python code sees a ``datetime.date``.
    For birth dates that, with a masked ID number, would pin the number down."""

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return datetime.date.fromisoformat(value) if value else None

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, datetime.date):
            return value or None
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value):
        # No NULL in the column: a missing date is stored as "" like the other fields.
        if value is None or value == "":
            return ""
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return encrypt(str(value))

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.isoformat() if value else ""


def mask(value: str | None, keep_start: int, keep_end: int) -> str:
    """``430426********1234``-style masking; short values are masked whole."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str | None) -> str:
    """Only the last four characters (``**************3516``): with the area code and the
    birth date hidden, what a page shows leaves hundreds of candidate numbers."""
    return mask(value, 0, 4)


def mask_phone(value: str | None) -> str:
    return mask(value, 3, 4)


def mask_bank_account(value: str | None) -> str:
    return mask(value, 4, 4)
