"""Celery tasks of the statistics app (scheduled by ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from huigong.kernel.periods import parse_period

from .rollups import rollup_indicators


@shared_task(name="huigong.stats.rollup_indicators")
def rollup_indicators_task(period_keys: list[str] | None = None, full: bool = False) -> dict:
    """Bring the indicator snapshots up to date (incrementally unless a full run is due
    or ``full``); ``period_keys`` recompute those periods instead. Returns what the run
    did (nothing when another run was already under way)."""
    periods = [parse_period(key) for key in period_keys] if period_keys else None
    run = rollup_indicators(periods, full=full)
    if run is None:
        return {"mode": "skipped"}
    return {
        "mode": run.mode,
        "reason": run.reason,
        "organizations": run.organizations,
        "rows_written": run.rows_written,
        "seconds": run.seconds,
    }
