"""``/healthz``: may this process take traffic?

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

logger = logging.getLogger("huigong.health")

HEALTHZ_PATH = "/healthz"

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


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "encryption": check_encryption,
}


def run_checks() -> dict[str, str]:
    """Run every check; a failure is logged with its cause and reported as "error"."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "encryption" and results.get("database") != OK:
            results[name] = SKIPPED
            continue
        try:
            results[name] = check()
        except Exception:
            logger.exception("health check %r failed", name)
            results[name] = ERROR
    return results


class HealthCheckMiddleware:
    """Answers ``/healthz`` before any middleware that validates the ``Host`` header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != HEALTHZ_PATH:
            return self.get_response(request)
        checks = run_checks()
        healthy = ERROR not in checks.values()
        response = JsonResponse(
            {"status": OK if healthy else ERROR, "checks": checks}, status=200 if healthy else 503
        )
        response["Cache-Control"] = "no-store"
        return response
