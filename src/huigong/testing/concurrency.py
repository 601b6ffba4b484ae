"""Running one piece of code in several threads at once, for the tests that show a row
lock or an upsert holds under concurrency (PostgreSQL only: SQLite's test database is in
memory and serialises writers anyway)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections, transaction


def draw_concurrently(draw: Callable[[], object], *, threads: int = 8, rounds: int = 5) -> list:
    """Start ``threads`` threads together; each calls ``draw`` ``rounds`` times, each call in
    its own transaction on the thread's own connection. Returns every result (in no
    particular order); an exception in any thread fails the test."""
    results: list = []
    errors: list[Exception] = []
    barrier = threading.Barrier(threads)

    def run():
        try:
            barrier.wait()
            for _i in range(rounds):
                with transaction.atomic():
                    results.append(draw())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    return results
