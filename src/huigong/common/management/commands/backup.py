"""Write a backup of the database that only its owner can read.

A dump holds every row, protected columns encrypted but names, addresses and case texts
in clear; written with the usual umask (0644) it is readable by every account on the
machine. This command creates the file with mode 0600 (and its directory with 0700)
before anything is written into it.

- PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``);
- SQLite: SQLite's online backup API, safe while the site is running.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

#: Owner read/write only: a backup holds everybody's personal data.
FILE_MODE = 0o600
DIR_MODE = 0o700


@contextmanager
def private_umask():
    """Files created meanwhile (also by pg_dump or SQLite) get no group/other bits."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def create_private_file(path: Path) -> int:
    """Open a new file for writing with mode 0600; refuse to overwrite an existing one."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)


class Command(BaseCommand):
    help = "Back up the database to a file only its owner can read (mode 0600)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="file to write (must not exist); default: HUIGONG_BACKUP_DIR/huigong-<time>",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, database, **options):
        vendor = connections[database].vendor
        if vendor not in {"postgresql", "sqlite"}:
            raise CommandError(f"backups of {vendor} databases are not supported")
        suffix = ".dump" if vendor == "postgresql" else ".sqlite3"
        if output:
            path = Path(output)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.BACKUP_DIR) / f"huigong-{stamp}{suffix}"
        with private_umask():
            path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            try:
                fd = create_private_file(path)
            except FileExistsError:
                raise CommandError(f"{path} exists already; backups never overwrite a file")
            try:
                if vendor == "postgresql":
                    self._pg_dump(database, fd)
                else:
                    os.close(fd)
                    fd = -1
                    self._sqlite_backup(database, path)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            finally:
                if fd >= 0:
                    os.close(fd)
        os.chmod(path, FILE_MODE)  # whatever a tool did to it meanwhile
        self.stdout.write(f"{path} ({path.stat().st_size} bytes, mode 0600)")

    @staticmethod
    def _pg_dump(database: str, fd: int) -> None:
        params = connections[database].get_connection_params()
        command = ["pg_dump", "--format=custom", "--no-password"]
        for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
            if params.get(key):
                command += [option, str(params[key])]
        command.append(params.get("dbname") or settings.DATABASES[database]["NAME"])
        environment = dict(os.environ)
        if params.get("password"):
            environment["PGPASSWORD"] = str(params["password"])
        try:
            result = subprocess.run(
                command, stdout=fd, stderr=subprocess.PIPE, env=environment, check=False
            )
        except FileNotFoundError:
            raise CommandError("pg_dump not found: install the PostgreSQL client tools")
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.decode(errors='replace')}")

    @staticmethod
    def _sqlite_backup(database: str, path: Path) -> None:
        connection = connections[database]
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
