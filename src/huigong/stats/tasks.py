"""Celery tasks of the statistics app (scheduled by ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from huigong.kernel.periods import parse_period

from .services import rollup_indicators


@shared_task(name="huigong.stats.rollup_indicators")
def rollup_indicators_task(period_keys: list[str] | None = None) -> int:
    """Materialize indicator values; ``period_keys`` default to the current periods."""
    periods = [parse_period(key) for key in period_keys] if period_keys else None
    return rollup_indicators(periods)
