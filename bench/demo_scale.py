"""Benchmark: bulk generation of synthetic counties (``python -m huigong demo --scale``).

    python bench/demo_scale.py [--counties N] [--townships 25] [--units 40] [--persons 20]
                               [--tracemalloc] [--json]

The database is ``HUIGONG_DATABASE_URL`` (use a dedicated one, e.g. ``hg_bench``: the
synthetic counties are added to it); without it, a fresh SQLite file
``var/bench/demo_scale.sqlite3``. The schema is migrated first. Printed figures: rows
written, seconds, rows per second, peak memory (resident set size; with
``--tracemalloc`` also the peak of Python allocations, which slows the run), the CPU
time of the generating process, and the time of the data-scope queries a county and a
township cadre run on the result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import database_version, use_fresh_sqlite_unless_given  # noqa: E402


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(func) -> tuple[object, float]:
    started = time.perf_counter()
    value = func()
    return value, time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=2)
    parser.add_argument("--townships", type=int, default=25)
    parser.add_argument("--units", type=int, default=40, help="grassroots unions per township")
    parser.add_argument("--persons", type=int, default=20, help="persons per grassroots union")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)

    use_fresh_sqlite_unless_given("demo_scale")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from huigong.demo.scale import generate_counties, synthetic_city
    from huigong.orgs.models import Organization
    from huigong.people.models import Person

    call_command("migrate", verbosity=0)
    if args.tracemalloc:
        tracemalloc.start()
    cpu_before = _cpu_seconds()
    result = generate_counties(
        args.counties,
        townships=args.townships,
        units_per_township=args.units,
        persons_per_unit=args.persons,
    )
    cpu = _cpu_seconds() - cpu_before
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    tracemalloc.stop()

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    city = synthetic_city()
    county = Organization.objects.get_last_child(city)
    township = Organization.objects.get_last_child(county)
    # What Person.objects.visible_to(user) runs for a cadre holding a role at that node.
    county_count, county_seconds = _timed(
        lambda: Person.objects.filter(organization__path__startswith=county.path).count()
    )
    township_count, township_seconds = _timed(
        lambda: Person.objects.filter(organization__path__startswith=township.path).count()
    )
    page, page_seconds = _timed(
        lambda: list(
            Person.objects.filter(organization__path__startswith=township.path)
            .select_related("organization")
            .order_by("-id")[:50]
        )
    )

    figures = {
        "benchmark": "demo_scale",
        "database": database_version(connection),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "counties": result.counties,
        "organizations": result.organizations,
        "persons": result.persons,
        "rows": result.rows,
        "seconds": round(result.seconds, 2),
        "rows_per_second": round(result.rows_per_second),
        # CPU time of this process only (not the database server's): a figure that a
        # busy machine disturbs less than the wall-clock rate.
        "python_cpu_seconds": round(cpu, 2),
        "rows_per_python_cpu_second": round(result.rows / cpu) if cpu else None,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tracemalloc_peak_mib": round(traced_peak / 2**20, 1) if traced_peak else None,
        "total_persons_in_database": Person.objects.count(),
        "county_scope_count": county_count,
        "county_scope_count_ms": round(county_seconds * 1000, 1),
        "township_scope_count": township_count,
        "township_scope_count_ms": round(township_seconds * 1000, 1),
        "township_first_page_ms": round(page_seconds * 1000, 1),
    }
    assert len(page) == min(50, township_count)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        if value is not None:
            print(f"{key:<{width}}  {value}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
