"""An import job, the rows it found wrong, and the keys it uses to find duplicates."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    QUEUED = "queued", _("排队检查")
    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("检查完成,待确认")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("导入完成")
    CANCELLED = "cancelled", _("已取消")
    FAILED = "failed", _("无法导入")


#: States a worker is (or should be) busy with; the stall sweep restarts these.
RUNNING_STATES = (ImportState.QUEUED, ImportState.CHECKING, ImportState.IMPORTING)
#: States after which nothing more happens to the job.
FINAL_STATES = (ImportState.DONE, ImportState.CANCELLED, ImportState.FAILED)


class ImportJob(models.Model):
    """One uploaded file of one registry (``kind``), checked and then imported by a
    background worker. Counters and the checkpoint move with each chunk's transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("导入类型"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    filename = models.CharField(_("文件名"), max_length=255)
    #: The uploader's language: headers, choice labels and messages are read and written
    #: in it by the worker, as they would be in the uploader's own request.
    language = models.CharField(max_length=10, blank=True)
    #: The stored upload (encrypted, ``imports.storage``); emptied once the job is over.
    stored_name = models.CharField(max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED
    )
    #: Data rows in the file (known once the check has counted them; 0 before).
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    #: Check phase: data rows read so far (the checkpoint), and what they held.
    checked_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(_("可导入行数"), default=0)
    error_rows = models.PositiveIntegerField(_("有错误行数"), default=0)
    warning_rows = models.PositiveIntegerField(_("有提醒行数"), default=0)
    #: Import phase: data rows gone through (the checkpoint), rows written, and rows that
    #: failed at import although they passed the check (the data changed meanwhile).
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(_("已导入行数"), default=0)
    rejected_rows = models.PositiveIntegerField(_("导入时被拒行数"), default=0)
    #: What stops the whole file (missing columns, unreadable file), in the user's words.
    file_errors = models.JSONField(default=list, blank=True)
    #: Sentences about columns nothing reads (unknown, repeated, data without a header).
    notices = models.JSONField(default=list, blank=True)
    #: Column indexes (0-based) that held data under an empty header, found while reading.
    unnamed_columns = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    #: The worker that holds the job and when it last reported; a job whose heartbeat is
    #: older than IMPORT_STALL_SECONDS is taken over by the next worker.
    lease = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["actor", "kind", "-created_at"], name="import_job_actor_kind"),
            models.Index(fields=["state", "heartbeat_at"], name="import_job_state_beat"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def percent(self) -> int:
        """How far the current phase is, 0–100, for the progress bar."""
        if self.state in (ImportState.CHECKED, *FINAL_STATES):
            return 100
        done = self.processed_rows if self.state == ImportState.IMPORTING else self.checked_rows
        if not self.total_rows:
            return 0
        return min(100, done * 100 // self.total_rows)


class IssueLevel(models.TextChoices):
    ERROR = "error", _("错误")
    WARNING = "warning", _("提醒")


class ImportIssue(models.Model):
    """Why one row is not imported (``error``) or what to look at (``warning``). The
    messages name the row and column; they carry no cell values beyond what the user's
    own file holds, and are deleted with the job."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField()
    level = models.CharField(max_length=7, choices=IssueLevel.choices)
    #: ``check``: found by the check; ``import``: the row passed the check but the
    #: registry refused it at import (the data changed in between).
    phase = models.CharField(max_length=6, default="check")
    messages = models.JSONField(default=list)

    class Meta:
        ordering = ["row_number"]
        indexes = [models.Index(fields=["job", "level", "row_number"], name="import_issue_row")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ImportKey(models.Model):
    """A keyed hash of a row's identity (e.g. the ID number) seen in this file, to find
    duplicates inside a file of any size with one set-based query per chunk."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="keys")
    key_hash = models.CharField(max_length=64)
    row_number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "key_hash"], name="import_key_once_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ImportChunk(models.Model):
    """The checked values of one chunk of rows, kept between the check and the import so
    the import writes them without reading and checking the file again (specs with
    ``stages_rows``). ``end`` is the number of file rows checked up to the chunk's end,
    the import's checkpoint. The payload holds personal data: it is compressed JSON
    encrypted with the first key, and it is deleted when the job ends."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    end = models.PositiveIntegerField()
    payload = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "end"], name="import_chunk_once_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.end}"
