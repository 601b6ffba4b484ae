"""The import engine's Celery tasks. ``run_import_job`` is acknowledged only when it
returns (``acks_late``), so a job whose worker is killed is delivered again; the engine's
lease makes a second delivery of a live job a no-op."""

from __future__ import annotations

from celery import shared_task

from . import engine, upkeep


@shared_task(name="huigong.imports.run_job", acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: str) -> str | None:
    state = engine.run(job_id)
    return str(state) if state else None


@shared_task(name="huigong.imports.resume_stalled")
def resume_stalled() -> int:
    """Queue every job whose worker died again; returns how many."""
    ids = [str(pk) for pk in upkeep.stalled_jobs().values_list("pk", flat=True)]
    for job_id in ids:
        run_import_job.delay(job_id)
    return len(ids)


@shared_task(name="huigong.imports.clean_finished")
def clean_finished() -> int:
    return upkeep.clean_finished()
