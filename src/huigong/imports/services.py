"""Starting, confirming and cancelling an import job (the only writes outside the
engine). Errors are ``ValidationError`` with a stable code, in the user's words."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from huigong.common.excel import ExcelError, check_table_name

from . import storage
from .models import ImportJob, ImportState
from .registry import get_kind
from .tasks import run_import_job
from .upkeep import clean_finished


def _enqueue(job: ImportJob) -> None:
    job_id = str(job.pk)
    transaction.on_commit(lambda: run_import_job.delay(job_id))


def start_import(*, actor, kind_key: str, upload) -> ImportJob:
    """Store the uploaded file (encrypted) and queue its check."""
    kind = get_kind(kind_key)
    if not actor.has_perm(kind.permission):
        raise PermissionDenied(_("您没有导入%(title)s的权限") % {"title": kind.title})
    try:
        check_table_name(upload.name)
    except ExcelError as exc:
        raise ValidationError({"file": [ValidationError(str(exc), code="file_type")]})
    if upload.size > settings.IMPORT_MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _("文件不能超过 %(size)s,请拆分后分别导入")
                        % {"size": filesizeformat(settings.IMPORT_MAX_FILE_BYTES)},
                        code="file_too_large",
                    )
                ]
            }
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded default runs no beat: expire and clean old jobs on each upload.
        clean_finished()
    upload.seek(0)
    stored = storage.store(upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind.key,
            actor=actor,
            filename=upload.name[-255:],
            stored_name=stored,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        _enqueue(job)
    return job


def _locked_own(actor, job: ImportJob) -> ImportJob:
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.actor_id != actor.pk:
        raise PermissionDenied
    return locked


def confirm_import(*, actor, job: ImportJob) -> ImportJob:
    """Import the checked file's valid rows (in the background)."""
    with transaction.atomic():
        locked = _locked_own(actor, job)
        if locked.state != ImportState.CHECKED:
            raise ValidationError(
                _("该导入当前状态为“%(state)s”,不能确认") % {"state": locked.get_state_display()},
                code="not_checked",
            )
        if not locked.valid_rows:
            raise ValidationError(_("文件中没有可导入的行"), code="nothing_to_import")
        max_age = settings.IMPORT_PREVIEW_MAX_AGE
        if locked.heartbeat_at and locked.heartbeat_at < timezone.now() - timedelta(
            seconds=max_age
        ):
            raise ValidationError(
                _("检查结果已超过 %(minutes)d 分钟未确认,已失效;请重新上传文件")
                % {"minutes": max(1, max_age // 60)},
                code="expired",
            )
        locked.state = ImportState.IMPORTING
        locked.confirmed_at = timezone.now()
        locked.lease = ""
        locked.save(update_fields=["state", "confirmed_at", "lease"])
        _enqueue(locked)
    return locked


def cancel_import(*, actor, job: ImportJob) -> ImportJob:
    """Stop the job. Before the import starts nothing has been written and the file is
    deleted at once; a running import stops after the chunk it is writing, and the rows
    written so far stay (the job page says how many)."""
    with transaction.atomic():
        locked = _locked_own(actor, job)
        if locked.is_final:
            raise ValidationError(_("该导入已经结束"), code="finished")
        if locked.state in (ImportState.QUEUED, ImportState.CHECKED) and not locked.lease:
            locked.state = ImportState.CANCELLED
            locked.finished_at = timezone.now()
            name, locked.stored_name = locked.stored_name, ""
            locked.save(update_fields=["state", "finished_at", "stored_name"])
            locked.issues.all().delete()
            locked.keys.all().delete()
            transaction.on_commit(lambda: storage.discard(name))
        else:
            locked.cancel_requested = True
            locked.save(update_fields=["cancel_requested"])
    return locked
