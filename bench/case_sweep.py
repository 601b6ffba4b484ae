"""Benchmark: the set-based deadline sweep over a growing case table.

    python bench/case_sweep.py [--cases 5000 20000] [--due-share 0.10] [--open-share 0.15]
                               [--counties 2] [--json]
    python bench/case_sweep.py --cases 20000 200000       # the province-sized target run

The database is ``HUIGONG_DATABASE_URL`` (use a fresh, dedicated one, e.g.
``hg_bench_sweep``); without it, a fresh SQLite file ``var/bench/case_sweep.sqlite3``.
The schema is migrated, synthetic counties are generated (``demo --scale``, few
persons) with a cadre at each county and township and a station worker at each township,
and the case table is grown to each ``--cases`` size in turn. Of the cases written at each
step, ``--due-share`` are open and fall due by today (due dates from four weeks ago to
the due-soon horizon), the rest of ``--open-share`` are open and due later, the others
closed. At each size the benchmark runs:

- the *catch-up* sweep, which marks every case that fell due (overdue or due soon, with
  one timeline event and the notifications each), escalates the overdue ones one level
  (chunk by chunk, through the escalation service's ``escalate_many``) and reminds of
  unaccepted ones;
- the *steady* sweep right after — the baseline of the hourly job: it finds nothing.

Printed per size: the changes by kind (a change is one mark, reminder or escalation);
milliseconds per change for the set-based passes (marks and reminders, timed from the
sweep's per-pass log records), per escalation, and for the whole catch-up; statements
sent; the peak growth of the resident memory during the catch-up (sampled every 5 ms,
over the memory held just before it); the steady sweep's time and statements; the load
average. Django's statement log is off, as in production. Then whether the targets are
met, computed from those figures: ≤ 1 ms per change for the set-based passes and for the
whole catch-up, memory flat (the peak growth at the largest size within 1.5× + 8 MiB of
the smallest size's), and whether the largest size reached 200,000 cases.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime
import gc
import json
import logging
import os
import platform
import random
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import database_version, use_fresh_sqlite_unless_given  # noqa: E402

#: Targets of issue 9 (P5).
TARGET_MS_PER_CHANGE = 1.0
FLAT_FACTOR, FLAT_SLACK_MIB = 1.5, 8.0
#: The sweep's marking and reminding passes (the rest: escalations, timed apart).
SET_BASED = (
    "overdue",
    "due_soon",
    "referrals_overdue",
    "acceptance_overdue",
    "supervisions_overdue",
)


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


class _Passes(logging.Handler):
    """Collects the sweep's per-pass records (claimed, seconds) and the queries sent
    during each pass (read from ``counter`` when the record arrives)."""

    def __init__(self, counter: _QueryCounter):
        super().__init__(logging.DEBUG)
        self.counter = counter
        self.passes: dict[str, dict] = {}
        self._queries_before = 0

    def emit(self, record: logging.LogRecord) -> None:
        name = getattr(record, "sweep_pass", None)
        if name is None:
            return
        self.passes[name] = {
            "claimed": record.claimed,
            "seconds": record.seconds,
            "queries": self.counter.count - self._queries_before,
        }
        self._queries_before = self.counter.count


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PeakMemory:
    """The peak growth of the resident set during a block, sampled every 5 ms by a
    thread, over the resident set just before it (after freed memory is given back)."""

    def __enter__(self):
        gc.collect()
        with contextlib.suppress(OSError, AttributeError):  # glibc only
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        self.start = self.peak = _rss_bytes()
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start) / 2**20


def _staff() -> dict[int, tuple]:
    """A cadre at each county and township and a station worker at each township of the
    synthetic city; returns ``{township id: (station worker, cadre)}``."""
    from huigong.accounts.models import Role, RoleAssignment, User
    from huigong.accounts.services import seed_roles
    from huigong.demo.scale import synthetic_city
    from huigong.orgs.models import Organization, OrgKind

    seed_roles()
    roles = {
        r.code: r
        for r in Role.objects.filter(
            code__in=["federation_cadre", "township_cadre", "station_staff"]
        )
    }
    city = synthetic_city()
    below = Organization.objects.filter(path__startswith=city.path)
    people = {}
    for org in below.filter(kind__in=[OrgKind.COUNTY, OrgKind.TOWNSHIP]).order_by("path"):
        if org.kind == OrgKind.COUNTY:
            cadre = User.objects.create(username=f"bench-c{org.pk}", name="县总干部")
            RoleAssignment.objects.create(
                user=cadre, role=roles["federation_cadre"], organization=org
            )
            continue
        cadre = User.objects.create(username=f"bench-t{org.pk}", name="乡镇干部")
        station = User.objects.create(username=f"bench-s{org.pk}", name="站点人员")
        RoleAssignment.objects.create(user=cadre, role=roles["township_cadre"], organization=org)
        RoleAssignment.objects.create(user=station, role=roles["station_staff"], organization=org)
        people[org.pk] = (station, cadre)
    return people


def _write_cases(
    first: int,
    total: int,
    due_share: float,
    open_share: float,
    today: datetime.date,
    people: dict[int, tuple],
    batch: int = 5000,
) -> dict[str, int]:
    """Bulk-write cases ``first`` .. ``total - 1`` over the synthetic unions, each taken
    in by its township's station worker (and, once accepted, handled by its cadre)."""
    from django.utils import timezone

    from huigong.cases.models import Case, CaseCategory, CaseStatus
    from huigong.cases.sweep import DUE_SOON_WORKING_DAYS
    from huigong.common.workdays import add_working_days
    from huigong.demo.scale import synthetic_city
    from huigong.orgs.models import Organization, OrgKind

    rng = random.Random(2026 + first)
    city = synthetic_city()
    province = Organization.objects.get(path=city.path[: Organization.steplen])
    units = list(
        Organization.objects.filter(
            path__startswith=city.path, kind__in=[OrgKind.GRASSROOTS, OrgKind.TOWNSHIP]
        ).only("id", "path", "kind")
    )
    township_of = {o.path: o.pk for o in units if o.kind == OrgKind.TOWNSHIP}
    step = Organization.steplen
    categories = list(CaseCategory.objects.all())
    # Due dates from 20 working days ago (about four weeks back) to 30 working days ahead.
    start = today - datetime.timedelta(days=28)
    due_dates = [add_working_days(start, offset) for offset in range(0, 51)]
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    falling_due = [d for d in due_dates if d <= horizon]
    later = [d for d in due_dates if d > horizon]
    now = timezone.now()
    counts = {"open": 0, "falling_due": 0}
    rows = []
    for index in range(first, total):
        draw = rng.random()
        is_open = draw < open_share
        unit = rng.choice(units)
        station, cadre = people[
            township_of[unit.path if unit.kind == OrgKind.TOWNSHIP else unit.path[:-step]]
        ]
        if is_open:
            due = rng.choice(falling_due if draw < due_share else later)
            counts["open"] += 1
            counts["falling_due"] += draw < due_share
            status = rng.choice([CaseStatus.NEW, CaseStatus.ACCEPTED])
            received = datetime.datetime.combine(
                due - datetime.timedelta(days=7), datetime.time(9), tzinfo=now.tzinfo
            )
            accept_due = min(add_working_days(received.date(), 1), due)
        else:
            received = now - datetime.timedelta(days=rng.randint(1, 360))
            due = accept_due = received.date()
            status = CaseStatus.CLOSED
        rows.append(
            Case(
                province=province,
                organization_id=unit.pk,
                number=f"BN-{index:08d}",
                kind="demand",
                category=rng.choice(categories),
                complexity="ordinary",
                channel="walk_in",
                title="欠薪",
                description="工资拖欠",
                received_at=received,
                received_by=station,
                owner=cadre if status == CaseStatus.ACCEPTED else station,
                assignee=cadre if status == CaseStatus.ACCEPTED else None,
                accept_due=accept_due,
                due_date=due,
                status=status,
                closed_at=None if is_open else received,
            )
        )
        if len(rows) == batch:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    return counts


def _sweep_at_size(size: int, previous: int, args, today, people) -> dict:
    from django.db import connection

    from huigong.cases.sweep import sweep_case_deadlines

    counts, write_seconds = _timed(
        lambda: _write_cases(previous, size, args.due_share, args.open_share, today, people)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    sweep_logger = logging.getLogger("huigong.cases.sweep")
    first_queries, steady_queries = _QueryCounter(), _QueryCounter()
    passes = _Passes(first_queries)
    level = sweep_logger.level
    sweep_logger.setLevel(logging.DEBUG)
    sweep_logger.addHandler(passes)
    try:
        with connection.execute_wrapper(first_queries), _PeakMemory() as memory:
            first, first_seconds = _timed(lambda: sweep_case_deadlines(today=today))
    finally:
        sweep_logger.removeHandler(passes)
        sweep_logger.setLevel(level)
    with connection.execute_wrapper(steady_queries):
        steady, steady_seconds = _timed(lambda: sweep_case_deadlines(today=today))

    set_based = [passes.passes[name] for name in SET_BASED]
    marks = sum(p["claimed"] for p in set_based)
    marks_seconds = sum(p["seconds"] for p in set_based)
    escalation = passes.passes.get("escalated", {"claimed": 0, "seconds": 0.0, "queries": 0})
    escalated = max(1, escalation["claimed"])
    changes = sum(vars(first).values())
    return {
        "cases": size,
        "written": size - previous,
        "write_seconds": round(write_seconds, 1),
        "fell_due": counts["falling_due"],
        **{f"catchup_{k}": v for k, v in vars(first).items()},
        "catchup_seconds": round(first_seconds, 2),
        "catchup_queries": first_queries.count,
        "catchup_ms_per_change": round(first_seconds * 1000 / max(1, changes), 3),
        "set_based_changes": marks,
        "set_based_seconds": round(marks_seconds, 2),
        "set_based_queries": sum(p["queries"] for p in set_based),
        "set_based_ms_per_change": round(marks_seconds * 1000 / max(1, marks), 3),
        "escalation_seconds": round(escalation["seconds"], 2),
        "escalation_queries": escalation["queries"],
        "escalation_ms_each": round(escalation["seconds"] * 1000 / escalated, 2),
        "escalation_queries_each": round(escalation["queries"] / escalated, 1),
        "catchup_peak_memory_growth_mib": round(memory.growth_mib, 1),
        "steady_sweep_ms": round(steady_seconds * 1000, 1),
        "steady_sweep_queries": steady_queries.count,
        "steady_sweep_changes": sum(vars(steady).values()),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, nargs="+", default=[5000, 20000], help="table sizes, growing"
    )
    parser.add_argument("--due-share", type=float, default=0.10)
    parser.add_argument("--open-share", type=float, default=0.15)
    parser.add_argument("--counties", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.cases))
    if args.due_share > args.open_share:
        parser.error("--due-share is a part of --open-share")

    use_fresh_sqlite_unless_given("case_sweep")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    # As in production: no statement log (with DEBUG, Django keeps the last 9,000
    # statements, which would count as the sweep's memory).
    os.environ.setdefault("HUIGONG_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from huigong.cases.models import OPEN_STATUSES, Case
    from huigong.cases.services import seed_categories
    from huigong.common.workdays import seed_holidays
    from huigong.demo.scale import generate_counties, synthetic_city
    from huigong.orgs.models import Organization

    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        raise SystemExit("the benchmark needs an empty database (it writes synthetic cases)")
    seed_categories()
    seed_holidays()
    generate_counties(args.counties, persons_per_unit=1)
    people = _staff()
    today = timezone.localdate()

    runs, previous = [], 0
    for size in sizes:
        runs.append(_sweep_at_size(size, previous, args, today, people))
        previous = size

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

    small, large = runs[0], runs[-1]
    flat_limit = small["catchup_peak_memory_growth_mib"] * FLAT_FACTOR + FLAT_SLACK_MIB
    targets = {
        f"target_set_based_le_{TARGET_MS_PER_CHANGE:g}ms_per_change": all(
            r["set_based_ms_per_change"] <= TARGET_MS_PER_CHANGE for r in runs
        ),
        f"target_whole_catchup_le_{TARGET_MS_PER_CHANGE:g}ms_per_change": all(
            r["catchup_ms_per_change"] <= TARGET_MS_PER_CHANGE for r in runs
        ),
        "target_memory_flat": (
            None if len(runs) < 2 else large["catchup_peak_memory_growth_mib"] <= flat_limit
        ),
        "target_measured_at_200000_cases": large["cases"] >= 200_000,
    }
    figures = {
        "benchmark": "case_sweep",
        "database": database_version(connection),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": runs,
        **queue_figures,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **targets,
    }
    for run in runs:
        assert run["steady_sweep_changes"] == 0, "a rerun of the sweep must change nothing"

    _print(figures)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return figures


def _print(figures: dict) -> None:
    head = {k: v for k, v in figures.items() if k != "runs"}
    runs = figures["runs"]
    keys = list(runs[0])
    width = max(len(k) for k in [*head, *keys])
    for key in ("benchmark", "database", "python", "cpus"):
        print(f"{key:<{width}}  {head.pop(key)}")
    for key in keys:
        print(f"{key:<{width}}  " + "  ".join(f"{run[key]!s:>12}" for run in runs))
    for key, value in head.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
