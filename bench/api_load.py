"""Benchmark P4: the API under load — worker submissions and a staff case list, against
a trivial authenticated endpoint served by the same gunicorn processes.

    python bench/api_load.py [--seconds 20] [--rounds 4] [--concurrency 8]
                             [--web-workers N] [--cases 20000] [--json]

The database is ``HUIGONG_DATABASE_URL`` and must be PostgreSQL (the production shape:
on SQLite, which ``run_all`` also tries, the benchmark says so and stops); without it,
``postgres://postgres@127.0.0.1:5432/hg_bench_api_load``. It is dropped and created
again, so its name must contain "bench". It is migrated and seeded with the demo county
(``load_demo``), ``--cases`` older cases bulk-written over its unions (employer names
from a small list, so the duplicate check finds some), one worker account per thread
and the township cadre 罗芳 (``huangtupu``).

gunicorn then serves the project as ``scripts/prod.sh`` starts it (``--preload``, two
workers per core unless ``--web-workers``), DEBUG off, on a free port of 127.0.0.1.
The clients sign in the way API clients do: each account gets a bearer token
(``accounts.services.issue_api_token``, what the token page calls; the API has no
password sign-in) and checks it over HTTP (``GET /api/v1/me``). ``--concurrency``
threads (``requests`` sessions) then drive each phase for ``--seconds`` in all, after a
short warm-up; the phases take turns (``--rounds`` slices each), so that the machine's
other load, when it changes, weighs on all of them alike:

- ``baseline``: ``GET /api/v1/cases/categories`` as the cadre — token lookup and one
  small read, the cheapest authenticated endpoint; ``--baseline me`` takes
  ``GET /api/v1/me`` instead, which also reads the scope and the permissions (5 queries);
- ``submit``: ``POST /api/v1/cases/cases`` as the workers (each thread its own worker);
- ``list``: ``GET /api/v1/cases/cases`` as the cadre (first page, 50 cases, with the
  count).

Printed: requests/s, p50 and p95 in ms and errors per phase, each phase's throughput as
a share of the baseline's, and whether the targets are met: submission ≥ 30 % and list
≥ 50 % of the baseline's throughput, p95 < 150 ms, no error. No rate limit applies to
these endpoints, so no setting is overridden.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import database_version  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/hg_bench_api_load"
EMPLOYERS = [f"祁东县{name}有限公司" for name in ("宏达建筑", "顺丰物流", "新发食品", "金桥纺织")]
EMPLOYERS += [f"祁东县第{i}建筑劳务公司" for i in range(1, 21)]
#: Targets: throughput as a share of the baseline's, and the p95 every phase must beat.
TARGET_SHARE = {"submit": 0.30, "list": 0.50}
TARGET_P95_MS = 150.0
#: The trivial authenticated endpoints a baseline can be (``--baseline``).
BASELINES = {"categories": "/api/v1/cases/categories", "me": "/api/v1/me"}
#: Each thread stops after this many requests in a phase, whatever the time left.
MAX_REQUESTS_PER_THREAD = 100_000


# -- the database --------------------------------------------------------------------------


def _recreate_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    if "bench" not in cfg["NAME"]:
        raise SystemExit(
            f"refusing to drop {cfg['NAME']!r}: a benchmark database name contains 'bench'"
        )
    with psycopg.connect(
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = sql.Identifier(cfg["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _background_cases(total: int) -> int:
    """Bulk-write ``total`` cases of the last year over the demo county's unions: 15 %
    open, the others closed, employers from ``EMPLOYERS``."""
    import datetime

    from django.utils import timezone

    from huigong.cases.models import Case, CaseCategory, CaseStatus
    from huigong.demo.services import COUNTY_NAME
    from huigong.orgs.models import Organization, OrgKind

    rng = random.Random(2026)
    county = Organization.objects.get(name=COUNTY_NAME, kind=OrgKind.COUNTY)
    units = list(
        Organization.objects.filter(
            path__startswith=county.path, kind__in=[OrgKind.GRASSROOTS, OrgKind.TOWNSHIP]
        )
    )
    province = Organization.objects.get(path=county.path[: Organization.steplen])
    categories = list(CaseCategory.objects.filter(is_active=True))
    now = timezone.now()
    rows = []
    for index in range(total):
        received = now - datetime.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
        is_open = rng.random() < 0.15
        due = received.date() + datetime.timedelta(days=20)
        rows.append(
            Case(
                province=province,
                organization=rng.choice(units),
                number=f"BN-{index:08d}",
                kind="demand",
                category=rng.choice(categories),
                channel="walk_in",
                title="欠薪",
                description="工资拖欠",
                employer_name=rng.choice(EMPLOYERS) if rng.random() < 0.7 else "",
                received_at=received,
                accept_due=received.date(),
                due_date=due,
                status=rng.choice([CaseStatus.NEW, CaseStatus.ACCEPTED])
                if is_open
                else CaseStatus.CLOSED,
                closed_at=None if is_open else received,
            )
        )
    Case.objects.bulk_create(rows, batch_size=5000)
    return total


@dataclass
class Accounts:
    cadre_key: str
    worker_keys: list[str]
    wage_category: int
    other_category: int


def _seed(cases: int, workers: int) -> Accounts:
    """Migrate, load the demo county and the background cases, and issue the tokens."""
    from django.core.management import call_command
    from django.db import connection

    from huigong.accounts.models import TokenScope, User, UserKind
    from huigong.accounts.services import api_token_lifetimes, issue_api_token
    from huigong.cases.models import CaseCategory
    from huigong.demo.services import COUNTY_NAME, load_demo
    from huigong.people.models import Person

    call_command("migrate", verbosity=0)
    load_demo()
    _background_cases(cases)
    lifetime = api_token_lifetimes()[0]

    def key(user) -> str:
        return issue_api_token(
            actor=user, name="压力测试", lifetime_days=lifetime, scope=TokenScope.WRITE
        )[1]

    persons = Person.objects.filter(
        organization__path__startswith=_county_path(COUNTY_NAME), user__isnull=True
    ).order_by("pk")[:workers]
    worker_keys = []
    for index, person in enumerate(persons):
        user = User.objects.create(
            username=f"bench_worker_{index}", name=person.name, kind=UserKind.WORKER, person=person
        )
        worker_keys.append(key(user))
    if len(worker_keys) < workers:
        raise SystemExit(f"the demo county has only {len(worker_keys)} persons for the workers")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Accounts(
        cadre_key=key(User.objects.get(username="huangtupu")),
        worker_keys=worker_keys,
        wage_category=CaseCategory.objects.get(code="wage_arrears").pk,
        other_category=CaseCategory.objects.get(code="other").pk,
    )


def _county_path(name: str) -> str:
    from huigong.orgs.models import Organization, OrgKind

    return Organization.objects.get(name=name, kind=OrgKind.COUNTY).path


# -- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "HUIGONG_DATABASE_URL": database_url,
        "HUIGONG_DEBUG": "0",
        "HUIGONG_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    command = [
        sys.executable, "-m", "gunicorn", "huigong.wsgi", "--preload",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode})")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# -- the load -------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[
            round(share * 100) - 1
        ]


def _drive(phase: Phase, call, *, threads: int, seconds: float, warmup: float) -> None:
    """Run ``call(session, thread, i) -> response`` in ``threads`` threads: ``warmup``
    seconds unrecorded, then ``seconds`` recorded into ``phase``. A response other than
    2xx, or an exception, is an error (its latency is not recorded)."""
    import requests

    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    start_at: list[float] = []

    def run(thread: int) -> None:
        session = requests.Session()
        barrier.wait()
        record_from, stop_at = start_at[0], start_at[0] + seconds
        latencies, errors, first_error = [], 0, ""
        for i in range(MAX_REQUESTS_PER_THREAD):
            began = time.perf_counter()
            if began >= stop_at:
                break
            try:
                response = call(session, thread, i)
                ok = 200 <= response.status_code < 300
                problem = "" if ok else f"{response.status_code} {response.text[:200]}"
            except requests.RequestException as exc:
                ok, problem = False, repr(exc)
            if began < record_from:
                continue
            if ok:
                latencies.append((time.perf_counter() - began) * 1000)
            else:
                errors += 1
                first_error = first_error or problem
        with lock:
            phase.latencies_ms.extend(latencies)
            phase.errors += errors
            phase.first_error = phase.first_error or first_error

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    start_at.append(time.perf_counter() + warmup)
    barrier.wait()
    for worker in workers:
        worker.join()
    phase.seconds += seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="recorded seconds per phase")
    parser.add_argument("--warmup", type=float, default=3, help="unrecorded seconds first")
    parser.add_argument("--rounds", type=int, default=4, help="turns each phase takes")
    parser.add_argument(
        "--baseline", choices=sorted(BASELINES), default="categories", help="baseline endpoint"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--cases", type=int, default=20_000, help="background cases")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)

    database_url = os.environ.get("HUIGONG_DATABASE_URL") or DEFAULT_DATABASE
    if not database_url.startswith("postgres"):
        print("api_load: needs PostgreSQL (gunicorn's workers on one SQLite file measure its "
              "write lock, not the application); skipped")  # fmt: skip
        return 0
    os.environ["HUIGONG_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    _recreate_database(database_url)
    import django

    django.setup()
    import requests
    from django.db import connection, connections

    from huigong.cases.models import Case, Channel

    started = time.perf_counter()
    accounts = _seed(args.cases, args.concurrency)
    database = database_version(connection)
    seed_seconds = time.perf_counter() - started
    connections.close_all()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_gunicorn(database_url, port, args.web_workers)
    try:
        _wait_until_up(base, server)
        cadre = {"Authorization": f"Bearer {accounts.cadre_key}"}
        workers = [{"Authorization": f"Bearer {k}"} for k in accounts.worker_keys]
        for headers in [cadre, *workers]:
            response = requests.get(f"{base}/api/v1/me", headers=headers, timeout=10)
            if response.status_code != 200:
                raise SystemExit(f"signing in failed: {response.status_code} {response.text}")

        baseline_url = f"{base}{BASELINES[args.baseline]}"

        def baseline(session, thread, i):
            return session.get(baseline_url, headers=cadre, timeout=30)

        def submit(session, thread, i):
            rng = random.Random(thread * 1_000_003 + i)
            body = {
                "category_id": accounts.wage_category if i % 3 else accounts.other_category,
                "description": f"压力测试:拖欠工资 {i} 元",
                "employer_name": rng.choice(EMPLOYERS),
                "amount_claimed": "5000",
            }
            return session.post(
                f"{base}/api/v1/cases/cases", json=body, headers=workers[thread], timeout=30
            )

        def case_list(session, thread, i):
            return session.get(f"{base}/api/v1/cases/cases", headers=cadre, timeout=30)

        # The phases take turns (``--rounds`` slices each), so that a change in the
        # machine's other load weighs on all of them alike.
        calls = {"baseline": baseline, "submit": submit, "list": case_list}
        phases = {name: Phase(name) for name in calls}
        for round_ in range(args.rounds):
            for name, call in calls.items():
                _drive(
                    phases[name],
                    call,
                    threads=args.concurrency,
                    seconds=args.seconds / args.rounds,
                    warmup=args.warmup if round_ == 0 else 0.5,
                )
    finally:
        _stop(server)

    submitted = Case.objects.filter(channel=Channel.API).count()
    base_rps = phases["baseline"].rps
    figures: dict[str, object] = {
        "benchmark": "api_load",
        "database": database,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "web_workers": args.web_workers,
        "concurrency": args.concurrency,
        "baseline_endpoint": BASELINES[args.baseline],
        "background_cases": args.cases,
        "seed_seconds": round(seed_seconds, 1),
        "seconds_per_phase": args.seconds,
    }
    for name, phase in phases.items():
        figures[f"{name}_requests"] = phase.requests
        figures[f"{name}_rps"] = round(phase.rps, 1)
        figures[f"{name}_p50_ms"] = round(phase.percentile(0.50), 1)
        figures[f"{name}_p95_ms"] = round(phase.percentile(0.95), 1)
        figures[f"{name}_errors"] = phase.errors
        if name != "baseline":
            figures[f"{name}_share_of_baseline"] = round(phase.rps / base_rps, 3) if base_rps else 0
    figures["cases_submitted_in_database"] = submitted
    met = {
        **{
            f"{name} ≥ {share:.0%} of baseline": figures[f"{name}_share_of_baseline"] >= share
            for name, share in TARGET_SHARE.items()
        },
        **{
            f"{name} p95 < {TARGET_P95_MS:.0f} ms": phases[name].percentile(0.95) < TARGET_P95_MS
            for name in TARGET_SHARE
        },
        "no errors": all(p.errors == 0 for p in phases.values()),
    }
    width = max(len(k) for k in [*figures, *met])
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    for name, phase in phases.items():
        if phase.first_error:
            print(f"{name} first error: {phase.first_error}")
    print("targets:")
    for label, ok in met.items():
        print(f"  {label:<{width}}  {'met' if ok else 'NOT MET'}")
    if args.json:
        print(json.dumps({**figures, "targets": met}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
