"""`python -m huigong backup` writes files only their owner can read, whatever the umask."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


@pytest.fixture
def permissive_umask():
    """The usual umask of a shell (0644 files), which made dumps world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# No transaction around the test: a backup reads what is committed (SQLite's backup
# would wait for the test's own open write transaction).
@pytest.mark.django_db(transaction=True)
def test_backup_is_written_with_mode_0600_in_a_0700_directory(settings, tmp_path, permissive_umask):
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    settings.BACKUP_DIR = tmp_path / "backups"
    out = StringIO()
    call_command("backup", stdout=out)
    (written,) = list(settings.BACKUP_DIR.iterdir())
    assert mode(written) == 0o600
    assert mode(settings.BACKUP_DIR) == 0o700
    assert str(written) in out.getvalue()
    if connection.vendor == "postgresql":
        assert written.suffix == ".dump"
        assert written.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    else:
        assert written.suffix == ".sqlite3"
        with sqlite3.connect(written) as copy:
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        assert "people_person" in tables


@pytest.mark.django_db
def test_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "huigong.dump"
    existing.write_bytes(b"yesterday")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(existing))
    assert existing.read_bytes() == b"yesterday"
