"""Who sees which import jobs: a job and its file are its uploader's alone."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from .models import ImportJob


def jobs_of(user, kind: str | None = None):
    jobs = ImportJob.objects.filter(actor=user)
    return jobs.filter(kind=kind) if kind else jobs


def get_job_or_404(user, pk) -> ImportJob:
    return get_object_or_404(jobs_of(user), pk=pk)
