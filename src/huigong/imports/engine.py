"""Running an import job: the check phase and the import phase, chunk by chunk.

Each chunk is read, parsed and checked outside any transaction, then written in one
transaction together with the job's counters and checkpoint, while the job row is locked
and the worker still holds the job's lease. A worker killed anywhere loses at most the
chunk it had not committed, and the next worker starts from the checkpoint: every row is
checked and imported exactly once.
"""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import secrets
import zlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.common.bulk import insert_many
from huigong.common.crypto import decrypt_bytes, encrypt_bytes, lookup_hash
from huigong.common.excel import ExcelError, ImportSpec, RowRejected, RowResult, Table

from . import storage
from .models import (
    RUNNING_STATES,
    ImportChunk,
    ImportIssue,
    ImportJob,
    ImportKey,
    ImportState,
    IssueLevel,
)
from .registry import ImportKind, get_kind

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the job over (this one was thought dead): stop quietly."""


class Cancelled(Exception):
    """The user cancelled the job; it stopped after the last committed chunk."""


def chunk_rows() -> int:
    return settings.IMPORT_CHUNK_ROWS


def stall_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.IMPORT_STALL_SECONDS)


def suffix_of(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def claim(job_id) -> ImportJob | None:
    """Take the job if it is waiting for a worker or its worker stopped reporting."""
    token = secrets.token_hex(16)
    now = timezone.now()
    taken = (
        ImportJob.objects.filter(pk=job_id, state__in=RUNNING_STATES)
        .filter(Q(lease="") | Q(heartbeat_at__lt=now - stall_after()))
        .update(lease=token, heartbeat_at=now)
    )
    if not taken:
        return None
    return ImportJob.objects.select_related("actor").get(pk=job_id)


def run(job_id) -> ImportState | None:
    """Do whatever the job waits for (check or import). Returns the state it left the
    job in, or ``None`` when the job was not this worker's to run."""
    job = claim(job_id)
    if job is None:
        return None
    kind = get_kind(job.kind)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run(job, kind)


def _run(job: ImportJob, kind: ImportKind) -> ImportState | None:
    try:
        if job.state == ImportState.IMPORTING and kind.spec_class.stages_rows:
            _import(job, kind, None)  # writes what the check staged: no file to read
        else:
            with storage.plain_copy(job.stored_name, suffix_of(job.filename)) as path:
                table = Table(path, job.filename)
                if job.state == ImportState.IMPORTING:
                    _import(job, kind, table)
                else:
                    _check(job, kind, table)
    except LeaseLost:
        log.warning("import %s: lease lost, another worker goes on", job.pk)
        return None
    except Cancelled:
        _finish(job, ImportState.CANCELLED)
    except ExcelError as exc:
        _finish(job, ImportState.FAILED, file_errors=[str(exc)])
    except Exception:
        log.exception("import %s failed", job.pk)
        _finish(job, ImportState.FAILED, file_errors=[_unexpected()])
    return job.state


def _unexpected() -> str:
    return _("导入因系统错误中止,已导入的行保留;请联系管理员后重新上传剩余的行")


# -- the two phases ---------------------------------------------------------------------------


def _spec(job: ImportJob, kind: ImportKind) -> ImportSpec:
    spec = kind.spec_class(actor=job.actor)
    spec.begin()
    return spec


def _check(job: ImportJob, kind: ImportKind, table: Table) -> None:
    spec = _spec(job, kind)
    mapping = spec.map_header(table.header)
    if mapping.file_errors:
        job.notices = mapping.notices()[1]
        _finish(job, ImportState.FAILED, file_errors=mapping.file_errors, fields=("notices",))
        return
    if job.state == ImportState.QUEUED or (kind.check_restarts and job.checked_rows):
        _restart_check(job, table)
    unnamed = set(job.unnamed_columns)
    rows = itertools.islice(table.rows(), job.checked_rows, None)
    for chunk in _batches(rows, chunk_rows()):
        results = [spec.parse_row(number, cells, mapping) for number, cells in chunk]
        for _number, cells in chunk:
            unnamed |= mapping.unread(cells)
        spec.check_chunk(results)
        keys = {row.number: k for row in results if (k := spec.row_key(row))}
        with _locked(job) as locked:
            _mark_duplicates(locked, spec, results, keys)
            _record_issues(locked, results, phase="check")
            bad = sum(1 for row in results if not row.ok)
            locked.checked_rows += len(results)
            locked.error_rows += bad
            locked.valid_rows += len(results) - bad
            locked.warning_rows += sum(1 for row in results if row.ok and row.warnings)
            locked.total_rows = max(locked.total_rows, locked.checked_rows)
            locked.unnamed_columns = sorted(unnamed)
            if spec.stages_rows:
                _stage(locked, spec, results)
            _save_progress(
                locked,
                "checked_rows",
                "error_rows",
                "valid_rows",
                "warning_rows",
                "total_rows",
                "unnamed_columns",
            )
    _ignored, notices = mapping.notices(unnamed)
    job.notices = notices
    job.total_rows = job.checked_rows
    _finish(job, ImportState.CHECKED, fields=("notices", "total_rows"))


def _restart_check(job: ImportJob, table: Table) -> None:
    with _locked(job) as locked:
        locked.issues.all().delete()
        locked.keys.all().delete()
        locked.chunks.all().delete()
        locked.state = ImportState.CHECKING
        locked.total_rows = table.estimated_rows()
        locked.checked_rows = locked.valid_rows = locked.error_rows = locked.warning_rows = 0
        locked.unnamed_columns = []
        _save_progress(
            locked,
            "state",
            "total_rows",
            "checked_rows",
            "valid_rows",
            "error_rows",
            "warning_rows",
            "unnamed_columns",
        )


def _import(job: ImportJob, kind: ImportKind, table: Table | None) -> None:
    spec = _spec(job, kind)
    if table is None:
        _import_staged(job, spec)
    else:
        _import_rows(job, spec, table)
    record_change(
        actor=job.actor,
        obj=job,
        action=ChangeAction.CREATE,
        after={
            "kind": job.kind,
            "filename": job.filename,
            "imported_rows": job.imported_rows,
            "rejected_rows": job.rejected_rows,
            "error_rows": job.error_rows,
        },
        note=str(kind.title),
    )
    _finish(job, ImportState.DONE)


def _import_staged(job: ImportJob, spec: ImportSpec) -> None:
    """Write what the check staged, chunk by chunk from the checkpoint: no row is read
    or checked again; the spec only looks for what changed since the check."""
    for chunk in job.chunks.filter(end__gt=job.processed_rows).order_by("end").iterator(1):
        staged = _unstage(chunk)
        with _locked(job) as locked:
            refused = spec.write_staged(staged) if staged else {}
            _record_issues(
                locked,
                [
                    RowResult(number=number, raw={}, errors=list(messages))
                    for number, messages in sorted(refused.items())
                ],
                phase="import",
            )
            locked.processed_rows = chunk.end
            locked.imported_rows += len(staged) - len(refused)
            locked.rejected_rows += len(refused)
            _save_progress(locked, "processed_rows", "imported_rows", "rejected_rows")


def _stage(job: ImportJob, spec: ImportSpec, results: list[RowResult]) -> None:
    """Keep the chunk's valid rows for the import (in the chunk's transaction)."""
    values = [spec.stage(row) for row in results if row.ok]
    data = json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    ImportChunk.objects.create(
        job=job, end=job.checked_rows, payload=encrypt_bytes(zlib.compress(data, 1))
    )


def _unstage(chunk: ImportChunk) -> list[dict]:
    return json.loads(zlib.decompress(decrypt_bytes(bytes(chunk.payload))))


def _import_rows(job: ImportJob, spec: ImportSpec, table: Table) -> None:
    """Read and check the file again, then write: for specs whose rows depend on what
    earlier rows of the same import wrote."""
    mapping = spec.map_header(table.header)
    rows = itertools.islice(table.rows(), job.processed_rows, None)
    for chunk in _batches(rows, chunk_rows()):
        refused = set(
            ImportIssue.objects.filter(
                job=job,
                level=IssueLevel.ERROR,
                row_number__gte=chunk[0][0],
                row_number__lte=chunk[-1][0],
            ).values_list("row_number", flat=True)
        )
        results = [
            spec.parse_row(number, cells, mapping)
            for number, cells in chunk
            if number not in refused
        ]
        spec.check_chunk(results)
        valid = [row for row in results if row.ok]
        refused_now = [row for row in results if not row.ok]
        with _locked(job) as locked:
            written, rejected = _write(spec, valid)
            failed = refused_now + rejected
            _record_issues(locked, failed, phase="import")
            locked.processed_rows += len(chunk)
            locked.imported_rows += written
            locked.rejected_rows += len(failed)
            _save_progress(locked, "processed_rows", "imported_rows", "rejected_rows")


def _write(spec: ImportSpec, rows: list[RowResult]) -> tuple[int, list[RowResult]]:
    """Write the chunk's valid rows in one go; if the registry refuses one, write them
    one by one instead, each in its own savepoint, and return the refused rows."""
    if not rows:
        return 0, []
    try:
        with transaction.atomic():
            spec.write_chunk(rows)
        return len(rows), []
    except RowRejected:
        pass
    written, rejected = 0, []
    for row in rows:
        try:
            with transaction.atomic():
                spec.write_chunk([row])
            written += 1
        except RowRejected as exc:
            row.errors.extend(
                _("第 %(row)d 行:%(msg)s") % {"row": row.number, "msg": message}
                for message in exc.messages
            )
            rejected.append(row)
    return written, rejected


# -- per chunk ---------------------------------------------------------------------------------


class _locked:
    """The job row locked for one chunk's transaction, if this worker still holds it; on
    commit the worker's own copy of the job takes the committed values."""

    def __init__(self, job: ImportJob):
        self.job = job

    def __enter__(self) -> ImportJob:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            self.locked = ImportJob.objects.select_for_update().get(pk=self.job.pk)
            if self.locked.lease != self.job.lease:
                raise LeaseLost
            if self.locked.cancel_requested:
                raise Cancelled
        except BaseException as exc:
            self._atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self.locked

    def __exit__(self, exc_type, exc, tb):
        self._atomic.__exit__(exc_type, exc, tb)
        if exc_type is None:
            for f in ImportJob._meta.concrete_fields:
                setattr(self.job, f.attname, getattr(self.locked, f.attname))
        return False


def _save_progress(locked: ImportJob, *fields: str) -> None:
    locked.heartbeat_at = timezone.now()
    locked.save(update_fields=[*fields, "heartbeat_at"])


def _mark_duplicates(
    job: ImportJob, spec: ImportSpec, results: list[RowResult], keys: dict[int, str]
) -> None:
    """Rows whose key an earlier row of the file had: set-based, one query per chunk."""
    if not keys:
        return
    hashed = {number: lookup_hash(f"import-key:{key}") for number, key in keys.items()}
    first: dict[str, int] = dict(
        ImportKey.objects.filter(job=job, key_hash__in=set(hashed.values())).values_list(
            "key_hash", "row_number"
        )
    )
    new_keys = []
    for row in results:
        key_hash = hashed.get(row.number)
        if key_hash is None:
            continue
        if key_hash in first:
            row.errors.append(spec.duplicate_message(row, first[key_hash]))
        else:
            first[key_hash] = row.number
            new_keys.append(ImportKey(job=job, key_hash=key_hash, row_number=row.number))
    insert_many(ImportKey, new_keys)


def _record_issues(job: ImportJob, rows: list[RowResult], *, phase: str) -> None:
    """A row's errors (why it is not imported) or, at the check, its warnings."""
    issues = []
    for row in rows:
        if row.errors:
            level, messages = IssueLevel.ERROR, row.errors
        elif row.warnings and phase == "check":
            level, messages = IssueLevel.WARNING, row.warnings
        else:
            continue
        issues.append(
            ImportIssue(
                job=job,
                row_number=row.number,
                level=level,
                phase=phase,
                messages=[str(m) for m in messages],
            )
        )
    insert_many(ImportIssue, issues)


def _finish(
    job: ImportJob,
    state: ImportState,
    *,
    file_errors: list[str] | None = None,
    fields: Iterable[str] = (),
) -> None:
    """Leave the phase: CHECKED waits for the user; the others are final."""
    job.state = state
    job.lease = ""
    changed = ["state", "lease", *fields]
    if file_errors is not None:
        job.file_errors = file_errors
        changed.append("file_errors")
    if state != ImportState.CHECKED:
        job.finished_at = timezone.now()
        changed.append("finished_at")
    ImportJob.objects.filter(pk=job.pk).update(**{name: getattr(job, name) for name in changed})
    if state != ImportState.CHECKED:
        # The staged values hold personal data: they live only as long as the job runs.
        ImportChunk.objects.filter(job=job.pk).delete()
