"""What the benchmarks share: a fresh SQLite file when no database is given, and the
database's name and version for the printed figures. (``run_all.py`` skips files whose
name starts with an underscore.)"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_fresh_sqlite_unless_given(name: str, path: Path | None = None) -> None:
    """Without ``HUIGONG_DATABASE_URL``, point it at a new, empty SQLite file
    (``var/bench/<name>.sqlite3`` unless ``path`` says otherwise)."""
    if os.environ.get("HUIGONG_DATABASE_URL"):
        return
    path = path or ROOT / "var" / "bench" / f"{name}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["HUIGONG_DATABASE_URL"] = f"sqlite:///{path}"


def database_version(connection) -> str:
    """ "SQLite 3.40.1" or "PostgreSQL 15.20"."""
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return " ".join(cursor.fetchone()[0].split()[:2])
