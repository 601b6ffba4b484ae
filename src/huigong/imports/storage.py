"""An import file at rest: encrypted in frames, readable back as a temporary plain file.

A roster holds ID numbers and phones, so the upload is never kept in clear: it is written
to the private storage as a sequence of Fernet tokens of at most ``FRAME_BYTES`` each
(each with a 4-byte length), so files of any size are encrypted and decrypted with
constant memory. A worker decrypts it into a temporary file (mode 0600, removed when
the block ends) because the spreadsheet reader wants a path.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import struct
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from django.core.files.base import File

from huigong.common.crypto import decrypt_bytes, encrypt_bytes
from huigong.common.files import private_storage

DIRECTORY = "import-jobs"
FRAME_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")


def _frames(source: BinaryIO) -> Iterator[bytes]:
    while block := source.read(FRAME_BYTES):
        token = encrypt_bytes(block)
        yield _LENGTH.pack(len(token)) + token


class _EncryptingReader:
    """A file-like object that reads ``source`` as encrypted frames (for Storage.save)."""

    def __init__(self, source: BinaryIO):
        self._frames = _frames(source)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            frame = next(self._frames, None)
            if frame is None:
                break
            self._buffer += frame
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def store(source: BinaryIO) -> str:
    """Encrypt ``source`` into the private storage; returns the stored name."""
    name = f"{DIRECTORY}/{secrets.token_urlsafe(24)}"
    return private_storage().save(name, File(_EncryptingReader(source), name=name))


def discard(name: str) -> None:
    if name:
        private_storage().delete(name)


def _decrypt_into(name: str, target: BinaryIO) -> None:
    with private_storage().open(name, "rb") as handle:
        while header := handle.read(_LENGTH.size):
            (length,) = _LENGTH.unpack(header)
            target.write(decrypt_bytes(handle.read(length)))


@contextlib.contextmanager
def plain_copy(name: str, suffix: str) -> Iterator[str]:
    """The decrypted file at a temporary path for the duration of the block."""
    handle, path = tempfile.mkstemp(prefix="huigong-import-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as target:
            _decrypt_into(name, target)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
