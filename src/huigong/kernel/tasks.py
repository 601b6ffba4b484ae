"""The kernel's Celery tasks: run one registered sweep (the beat schedule names it),
remove orphaned attachment files, send the digests and deliver notifications."""

from __future__ import annotations

import datetime
import time

from celery import shared_task
from django.core.cache import cache

from .attachments import clean_orphan_files
from .delivery import DELIVER_TASK, deliver_due
from .notifications import send_daily_digests
from .registry import RUN_SWEEP_TASK, run_sweep


@shared_task(name=RUN_SWEEP_TASK)
def run_sweep_task(name: str, today: str | None = None) -> dict:
    """Run the sweep ``name``; ``today`` as YYYY-MM-DD (default: today)."""
    day = datetime.date.fromisoformat(today) if today else None
    return run_sweep(name, today=day)


@shared_task(name="huigong.kernel.clean_attachment_files")
def clean_attachment_files_task() -> int:
    """Delete orphaned attachment files older than a day; returns how many."""
    return len(clean_orphan_files().removed)


@shared_task(name="huigong.kernel.send_daily_digests")
def send_daily_digests_task() -> int:
    """Send each user one message with the day's notifications."""
    return send_daily_digests()


@shared_task(name=DELIVER_TASK)
def deliver_notifications_task() -> dict:
    """Send the notifications due on SMS and WeChat (new ones, retries, the end of
    quiet hours)."""
    return deliver_due()


#: Where the heartbeat task notes when a worker last ran it (read by ``/readyz``).
WORKER_HEARTBEAT_KEY = "huigong:worker-heartbeat"


@shared_task(name="huigong.kernel.worker_heartbeat")
def worker_heartbeat() -> float:
    """Note in the cache that a worker ran a task beat scheduled (``/readyz``)."""
    now = time.time()
    cache.set(WORKER_HEARTBEAT_KEY, now, timeout=3600)
    return now
