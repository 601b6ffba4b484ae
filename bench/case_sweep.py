"""Benchmark: the deadline sweep and the staff queues over a province-sized case table.

    python bench/case_sweep.py [--cases N] [--open-share 0.15] [--counties 2] [--json]

The database is ``HUIGONG_DATABASE_URL`` (use a dedicated one, e.g. ``hg_bench``);
without it, a fresh SQLite file ``var/bench/case_sweep.sqlite3``. The schema is migrated,
synthetic counties are generated (``demo --scale``, few persons), and ``--cases`` cases
are bulk-written across their grassroots and township unions: most closed, the
``--open-share`` open with due dates from 20 working days ago to 30 ahead. Printed
figures: the first sweep (which marks, notifies and escalates what is late), a second
sweep right after (the steady state of an hourly job: it must find nothing to do), the
queries each ran, and the queue counts a township cadre's workbench shows.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _configure_database() -> None:
    if os.environ.get("HUIGONG_DATABASE_URL"):
        return
    path = ROOT / "var" / "bench" / "case_sweep.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["HUIGONG_DATABASE_URL"] = f"sqlite:///{path}"


def _timed(func) -> tuple[object, float]:
    started = time.perf_counter()
    value = func()
    return value, time.perf_counter() - started


class _QueryCounter:
    """Counts the statements a block sends (``connection.queries`` keeps only 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _database_version(connection) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return " ".join(cursor.fetchone()[0].split()[:2])


def _write_cases(total: int, open_share: float, today: datetime.date, batch: int = 5000) -> int:
    """Bulk-write ``total`` cases over the synthetic unions; returns how many are open."""
    from django.utils import timezone

    from huigong.cases.models import Case, CaseCategory, CaseStatus
    from huigong.common.workdays import add_working_days
    from huigong.demo.scale import synthetic_city
    from huigong.orgs.models import Organization, OrgKind

    rng = random.Random(2026)
    city = synthetic_city()
    province = Organization.objects.get(path=city.path[: Organization.steplen])
    units = list(
        Organization.objects.filter(
            path__startswith=city.path, kind__in=[OrgKind.GRASSROOTS, OrgKind.TOWNSHIP]
        ).only("id")
    )
    categories = list(CaseCategory.objects.all())
    # Due dates from 20 working days ago (about four weeks back) to 30 working days ahead.
    start = today - datetime.timedelta(days=28)
    due_dates = [add_working_days(start, offset) for offset in range(0, 51)]
    now = timezone.now()
    opened = 0
    rows = []
    for index in range(total):
        is_open = rng.random() < open_share
        received = now - datetime.timedelta(days=rng.randint(1, 360))
        due = rng.choice(due_dates) if is_open else received.date()
        status = rng.choice([CaseStatus.NEW, CaseStatus.ACCEPTED]) if is_open else CaseStatus.CLOSED
        opened += is_open
        rows.append(
            Case(
                province=province,
                organization=rng.choice(units),
                number=f"BN-{index:08d}",
                kind="demand",
                category=rng.choice(categories),
                complexity="ordinary",
                channel="walk_in",
                title="欠薪",
                description="工资拖欠",
                received_at=received,
                accept_due=due,
                due_date=due,
                status=status,
                closed_at=None if is_open else received,
            )
        )
        if len(rows) == batch:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    return opened


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--open-share", type=float, default=0.15)
    parser.add_argument("--counties", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)

    _configure_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.utils import timezone

    from huigong.cases.models import OPEN_STATUSES, Case
    from huigong.cases.services import seed_categories
    from huigong.cases.sweep import sweep_case_deadlines
    from huigong.common.workdays import seed_holidays
    from huigong.demo.scale import generate_counties, synthetic_city
    from huigong.orgs.models import Organization

    call_command("migrate", verbosity=0)
    seed_categories()
    seed_holidays()
    generate_counties(args.counties, persons_per_unit=1)
    today = timezone.localdate()
    (opened, write_seconds) = _timed(lambda: _write_cases(args.cases, args.open_share, today))
    reset_queries()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    first_queries, second_queries = _QueryCounter(), _QueryCounter()
    with connection.execute_wrapper(first_queries):
        first, first_seconds = _timed(lambda: sweep_case_deadlines(today=today))
    with connection.execute_wrapper(second_queries):
        second, second_seconds = _timed(lambda: sweep_case_deadlines(today=today))

    township = Organization.objects.get_last_child(
        Organization.objects.get_last_child(synthetic_city())
    )
    scoped = Case.objects.filter(organization__path__startswith=township.path)
    queues = {
        "open": scoped.filter(status__in=OPEN_STATUSES),
        "overdue": scoped.filter(status__in=OPEN_STATUSES, is_overdue=True),
        "due_soon": scoped.filter(status__in=OPEN_STATUSES, due_soon=True),
    }
    queue_figures = {}
    for name, queryset in queues.items():
        count, seconds = _timed(queryset.count)
        queue_figures[f"township_{name}_count"] = count
        queue_figures[f"township_{name}_ms"] = round(seconds * 1000, 1)

    figures = {
        "benchmark": "case_sweep",
        "database": _database_version(connection),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cases": Case.objects.count(),
        "open_cases": opened,
        "write_seconds": round(write_seconds, 1),
        "first_sweep_seconds": round(first_seconds, 2),
        "first_sweep_queries": first_queries.count,
        "first_sweep_overdue": first.overdue,
        "first_sweep_due_soon": first.due_soon,
        "first_sweep_escalated": first.escalated,
        "first_sweep_ms_per_change": round(
            first_seconds * 1000 / max(1, first.overdue + first.due_soon + first.escalated), 2
        ),
        "steady_sweep_ms": round(second_seconds * 1000, 1),
        "steady_sweep_queries": second_queries.count,
        "steady_sweep_changes": second.overdue + second.due_soon + second.escalated,
        **queue_figures,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    assert figures["steady_sweep_changes"] == 0, "a rerun of the sweep must change nothing"
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
