"""``/healthz``: may this process take traffic? ``/readyz``: is the whole deployment ready?

Load balancers and orchestrators probe it by address, often with a ``Host`` header that
is not in ``ALLOWED_HOSTS``, so the probe is answered by a middleware that sits before
anything that validates the host (``CommonMiddleware``, CSRF, sessions). It always
answers JSON: 200 ``{"status": "ok", "checks": {...}}`` when every check passes, 503
with the failing check marked ``"error"`` otherwise (the cause goes to the log, not to
the anonymous prober). Checks:

- ``database``: a round trip to the default database;
- ``cache``: a value written to and read back from the cache (Redis when configured);
- ``broker``: a connection to the Celery broker, when one is configured (``skipped``
  in the embedded default, where tasks run in-process);
- ``encryption``: a sample of stored protected values decrypts with the configured keys
  (``huigong.common.keycheck``; ``skipped`` when the database is down). A pass is
  trusted for ``ENCRYPTION_CHECK_TTL`` seconds; a failure is checked again every time.

``/readyz`` (for a deploy script or an orchestrator's readiness gate) adds two checks of
the deployment around the process:

- ``migrations``: every migration is applied (a pass is trusted for ``MIGRATIONS_CHECK_TTL``
  seconds: migrations change only with a deployment);
- ``workers``: a Celery worker ran the heartbeat task that beat schedules every
  ``kernel-worker-heartbeat`` interval within the last ``WORKER_HEARTBEAT_MAX_AGE`` seconds
  — so beat, the broker and a worker all work (``skipped`` in the embedded default).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from huigong.kernel.tasks import WORKER_HEARTBEAT_KEY

logger = logging.getLogger("huigong.health")

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"

#: Seconds the broker check waits for a connection.
BROKER_TIMEOUT = 3.0

OK, ERROR, SKIPPED = "ok", "error", "skipped"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_cache() -> str:
    key, token = "huigong:healthz", uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return the value just written")
    return OK


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return SKIPPED
    from huigong.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    return OK


#: Seconds a passed encryption check is trusted by this process. The keys only change
#: with a restart; the sample queries, cheap on a small database, may have to skip many
#: rows with an empty column on a large one, and probes come every few seconds.
ENCRYPTION_CHECK_TTL = 300.0
_encryption_passed: dict[tuple[str, ...], float] = {}


def check_encryption() -> str:
    from huigong.common.keycheck import sample_undecryptable

    keys = tuple(settings.ENCRYPTION_KEYS)
    passed_at = _encryption_passed.get(keys)
    if passed_at is not None and time.monotonic() - passed_at < ENCRYPTION_CHECK_TTL:
        return OK
    mismatches = sample_undecryptable()
    if mismatches:
        _encryption_passed.pop(keys, None)
        raise RuntimeError(
            "HUIGONG_ENCRYPTION_KEY(S) does not match the database: "
            + ", ".join(f"{m.column} {m.failed}/{m.sampled}" for m in mismatches)
        )
    _encryption_passed[keys] = time.monotonic()
    return OK


MIGRATIONS_CHECK_TTL = 60.0
_migrations_passed: list[float] = []

#: Seconds after which a missing heartbeat means no worker (or no beat) is running.
WORKER_HEARTBEAT_MAX_AGE = 180.0


def check_migrations() -> str:
    from django.db.migrations.executor import MigrationExecutor

    if _migrations_passed and time.monotonic() - _migrations_passed[0] < MIGRATIONS_CHECK_TTL:
        return OK
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        _migrations_passed.clear()
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending[:5])
        raise RuntimeError(f"{len(pending)} migrations not applied: {names}")
    _migrations_passed[:] = [time.monotonic()]
    return OK


def check_workers() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return SKIPPED
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    if beat is None or time.time() - float(beat) > WORKER_HEARTBEAT_MAX_AGE:
        raise RuntimeError(
            f"no Celery worker heartbeat in the last {WORKER_HEARTBEAT_MAX_AGE:.0f} s "
            "(is the worker running? is beat?)"
        )
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "encryption": check_encryption,
}


#: What ``/readyz`` checks besides the process's own checks.
READINESS_CHECKS: dict[str, Callable[[], str]] = {
    "migrations": check_migrations,
    "workers": check_workers,
}


def run_checks(*, ready: bool = False) -> dict[str, str]:
    """Run every check (with ``ready``, the readiness checks too); a failure is logged
    with its cause and reported as "error"."""
    results: dict[str, str] = {}
    checks = {**CHECKS, **(READINESS_CHECKS if ready else {})}
    for name, check in checks.items():
        if name in ("encryption", "migrations") and results.get("database") != OK:
            results[name] = SKIPPED
            continue
        try:
            results[name] = check()
        except Exception:
            logger.exception("health check %r failed", name)
            results[name] = ERROR
    return results


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before any middleware that validates the
    ``Host`` header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path not in (HEALTHZ_PATH, READYZ_PATH):
            return self.get_response(request)
        checks = run_checks(ready=path == READYZ_PATH)
        healthy = ERROR not in checks.values()
        response = JsonResponse(
            {"status": OK if healthy else ERROR, "checks": checks}, status=200 if healthy else 503
        )
        response["Cache-Control"] = "no-store"
        return response
