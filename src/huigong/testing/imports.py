"""An import run through its pages, as its uploader sees it: upload a file on the import
page of a kind, let the worker check it, read the job page, confirm or cancel.

The worker is Celery, eager in tests and queued with ``transaction.on_commit``: the
fixture ``run_import`` (``testing/fixtures.py``) captures those callbacks and runs them
in the server's default language, as a worker process does, whatever language the
upload request left active in the test's thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation

from huigong.imports.models import ImportJob, IssueLevel


def start_url(kind: str) -> str:
    """The upload page of an import kind (``people.person``, ``orgs.organization``)."""
    return reverse("imports:start", kwargs={"kind": kind})


def job_url(name: str, job: ImportJob) -> str:
    return reverse(f"imports:{name}", kwargs={"pk": job.pk})


def post_then_work(client: Client, capture, url: str, data: dict | None = None):
    """POST ``data`` to ``url``, then run the worker tasks the request queued."""
    with capture() as callbacks:
        response = client.post(url, data or {})
    with translation.override(settings.LANGUAGE_CODE):
        for callback in callbacks:
            callback()
    return response


@dataclass
class ImportRun:
    """A job and its page. ``texts(testid)`` reads what the page lists under a
    ``data-testid``: ``row-errors``, ``row-warnings``, ``file-error``, ``ignored-columns``,
    ``valid-rows``…"""

    client: Client
    capture: Any  # pytest-django's django_capture_on_commit_callbacks
    job: ImportJob
    page: Any = None

    @property
    def html(self) -> str:
        return self.page.content.decode()

    def texts(self, testid: str) -> list[str]:
        """The text of each element marked ``testid``; of each item for a list."""
        found = []
        pattern = rf'<(\w+)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>'
        for tag, inner in re.findall(pattern, self.html, re.S):
            items = re.findall(r"<li[^>]*>(.*?)</li>", inner, re.S) if tag == "ul" else [inner]
            found += [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]
        return found

    def row_errors(self) -> dict[int, list[str]]:
        """The job's error messages by row, once checked that the page lists them all."""
        issues = self.job.issues.filter(level=IssueLevel.ERROR).order_by("row_number")
        errors = {issue.row_number: issue.messages for issue in issues}
        assert self.texts("row-errors") == [m for messages in errors.values() for m in messages]
        return errors

    def count(self, testid: str) -> int:
        """A number of the job page's counts (``valid-rows``, ``error-rows``…)."""
        (text,) = self.texts(testid)
        return int(text)

    def confirm(self) -> ImportRun:
        post_then_work(self.client, self.capture, job_url("confirm", self.job))
        return self.reload()

    def cancel(self) -> ImportRun:
        post_then_work(self.client, self.capture, job_url("cancel", self.job))
        return self.reload()

    def reload(self) -> ImportRun:
        self.job.refresh_from_db()
        self.page = self.client.get(job_url("job", self.job))
        return self


class ImportRunner:
    """``run_import(kind, file)``: upload ``file`` with the test client (logged in
    first), let the worker check it and return the ``ImportRun``."""

    def __init__(self, client: Client, capture):
        self.client = client
        self.capture = capture

    def __call__(self, kind: str, file) -> ImportRun:
        response = post_then_work(self.client, self.capture, start_url(kind), {"file": file})
        assert response.status_code == 302, response.content.decode()[:2000]
        job = ImportJob.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
        return ImportRun(self.client, self.capture, job).reload()
