"""Run every benchmark in ``bench/`` on SQLite and, when reachable, PostgreSQL (``make bench``).

    python bench/run_all.py [--only NAME ...] [--sqlite-only]

A benchmark is any ``bench/<name>.py`` other than this file: a script that takes its
database from ``HUIGONG_DATABASE_URL``, needs no arguments and prints its figures. Each
one runs in its own process against a fresh database: a new SQLite file under
``var/bench/``, and a re-created PostgreSQL database named by
``HUIGONG_BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/hg_bench``;
set it empty to skip PostgreSQL). Because that database is dropped, its name must contain
"bench".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/hg_bench"


def benchmarks(only: list[str] | None) -> list[Path]:
    found = sorted(
        p for p in BENCH_DIR.glob("*.py") if p.name != Path(__file__).name and p.stem[0] != "_"
    )
    if only:
        found = [p for p in found if p.stem in only]
    return found


def _recreate_postgres(url: str) -> bool:
    """Drop and create the benchmark database; False when the server does not answer."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    if "bench" not in cfg["NAME"]:
        raise SystemExit(
            f"refusing to drop {cfg['NAME']!r}: a benchmark database name contains 'bench'"
        )
    try:
        conn = psycopg.connect(
            host=cfg["HOST"] or None,
            port=cfg["PORT"] or 5432,
            user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
            autocommit=True,
        )
    except psycopg.Error:
        return False
    with conn:
        name = sql.Identifier(cfg["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return True


def _fresh_sqlite(name: str) -> str:
    path = ROOT / "var" / "bench" / f"{name}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run(script: Path, database_url: str) -> int:
    env = {**os.environ, "HUIGONG_DATABASE_URL": database_url}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    code = subprocess.call([sys.executable, str(script)], env=env, cwd=ROOT)
    print(f"-- {script.stem}: exit {code} after {time.perf_counter() - started:.1f} s\n")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="benchmarks to run")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()

    scripts = benchmarks(args.only)
    if not scripts:
        print("no benchmarks found")
        return 1
    postgres = (
        "" if args.sqlite_only else os.environ.get("HUIGONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    failures = 0
    for script in scripts:
        print(f"== {script.stem} on SQLite")
        failures += run(script, _fresh_sqlite(script.stem)) != 0
        if not postgres:
            continue
        if _recreate_postgres(postgres):
            print(f"== {script.stem} on PostgreSQL")
            failures += run(script, postgres) != 0
        else:
            print(f"== {script.stem}: PostgreSQL not reachable at {postgres}, skipped\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
