"""Celery tasks of the cases app (scheduled by ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import datetime

from celery import shared_task

from .attachment_cleanup import clean_attachment_files
from .sweep import send_daily_digests, sweep_case_deadlines


@shared_task(name="huigong.cases.sweep_case_deadlines")
def sweep_case_deadlines_task(today: str | None = None) -> dict:
    """Mark due-soon and overdue cases and escalate per rule; ``today`` as YYYY-MM-DD."""
    day = datetime.date.fromisoformat(today) if today else None
    return vars(sweep_case_deadlines(today=day))


@shared_task(name="huigong.cases.send_daily_digests")
def send_daily_digests_task() -> int:
    """Send each user one message with the day's case notifications."""
    return send_daily_digests()


@shared_task(name="huigong.cases.clean_attachment_files")
def clean_attachment_files_task() -> int:
    """Delete orphaned attachment files older than a day; returns how many."""
    return len(clean_attachment_files().removed)
