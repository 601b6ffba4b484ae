"""The kernel's Celery task: run one registered sweep (the beat schedule names it)."""

from __future__ import annotations

import datetime

from celery import shared_task

from .registry import RUN_SWEEP_TASK, run_sweep


@shared_task(name=RUN_SWEEP_TASK)
def run_sweep_task(name: str, today: str | None = None) -> dict:
    """Run the sweep ``name``; ``today`` as YYYY-MM-DD (default: today)."""
    day = datetime.date.fromisoformat(today) if today else None
    return run_sweep(name, today=day)
