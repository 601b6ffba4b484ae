"""Celery tasks of the cases app (scheduled through ``huigong.kernel.registry``)."""

from __future__ import annotations

import datetime

from celery import shared_task

from .sweep import sweep_case_deadlines


@shared_task(name="huigong.cases.sweep_case_deadlines")
def sweep_case_deadlines_task(today: str | None = None) -> dict:
    """Mark due-soon and overdue cases and escalate per rule; ``today`` as YYYY-MM-DD."""
    day = datetime.date.fromisoformat(today) if today else None
    return vars(sweep_case_deadlines(today=day))
