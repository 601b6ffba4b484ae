"""Periodic care of import jobs: restart the ones whose worker died, expire checked
files nobody confirmed, and delete what finished jobs kept."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import storage
from .engine import stall_after
from .models import RUNNING_STATES, ImportJob, ImportState


def stalled_jobs(now: datetime.datetime | None = None):
    """Running jobs no worker holds: never claimed for a while, or silent too long."""
    now = now or timezone.now()
    return ImportJob.objects.filter(state__in=RUNNING_STATES).filter(
        Q(lease="", created_at__lt=now - stall_after())
        | Q(lease="", confirmed_at__lt=now - stall_after())
        | Q(heartbeat_at__lt=now - stall_after())
    )


def clean_finished(now: datetime.datetime | None = None) -> int:
    """Checked files not confirmed within IMPORT_PREVIEW_MAX_AGE are cancelled; files,
    keys and row messages of jobs over for that long are deleted (the job's counts stay
    as its record). Returns how many jobs were cleaned."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.IMPORT_PREVIEW_MAX_AGE)
    ImportJob.objects.filter(state=ImportState.CHECKED, lease="", heartbeat_at__lt=cutoff).update(
        state=ImportState.CANCELLED, finished_at=now
    )
    cleaned = 0
    for job in ImportJob.objects.filter(finished_at__lt=cutoff).exclude(stored_name=""):
        storage.discard(job.stored_name)
        job.issues.all().delete()
        job.keys.all().delete()
        ImportJob.objects.filter(pk=job.pk).update(stored_name="")
        cleaned += 1
    return cleaned
