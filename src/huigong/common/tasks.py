"""Celery tasks of the common package (scheduled by ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from .previews import clean_import_previews


@shared_task(name="huigong.common.clean_import_previews")
def clean_import_previews_task() -> int:
    """Delete import previews older than ``IMPORT_PREVIEW_MAX_AGE``; returns how many."""
    return len(clean_import_previews().removed)
