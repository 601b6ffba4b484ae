"""Attachments: files that staff or workers attach to an object (photos, contracts, pay
slips, certificates). A model opts in by subclassing ``AttachmentBase`` with a foreign
key to its subject and an ``upload_dir``; its service checks the upload with
``check_upload`` and stores it with ``store_upload``, then writes its timeline and
audit. Files live in the private storage under random names
(``<upload_dir>/<yyyy>/<mm>/<uuid>.<ext>``) and go out only through
``attachment_response`` from a view that has checked scope and permission.

``clean_orphan_files`` removes files whose transaction rolled back (no row refers to
them) for every attachment model at once; the kernel schedules it nightly.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.common.files import modified_before, private_file_response, private_storage
from huigong.common.models import user_link

#: At most 10 MB, of these types (extension → accepted content types, magic bytes).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
ATTACHMENT_TYPES: dict[str, tuple[set[str], bytes]] = {
    "jpg": ({"image/jpeg", "image/pjpeg"}, b"\xff\xd8\xff"),
    "jpeg": ({"image/jpeg", "image/pjpeg"}, b"\xff\xd8\xff"),
    "png": ({"image/png"}, b"\x89PNG"),
    "pdf": ({"application/pdf"}, b"%PDF"),
    "docx": (
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        _ZIP,
    ),
    "xlsx": ({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, _ZIP),
}
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")


def stored_name(upload_dir: str, original_name: str, when=None) -> str:
    """``<upload_dir>/<yyyy>/<mm>/<uuid4 hex><.ext>``: the month of ``when`` (default now,
    China time) and the lower-cased extension of the original name; nothing else of it."""
    when = timezone.localtime(when or timezone.now())
    match = _EXTENSION.search(original_name or "")
    extension = f".{match.group(1).lower()}" if match else ""
    return f"{upload_dir}/{when:%Y}/{when:%m}/{uuid.uuid4().hex}{extension}"


def stored_name_pattern(upload_dir: str) -> re.Pattern:
    """What a stored name under ``upload_dir`` looks like (random, nothing guessable)."""
    return re.compile(
        rf"^{re.escape(upload_dir)}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}(\.[a-z0-9]{{1,10}})?$"
    )


def upload_to(instance: AttachmentBase, filename: str) -> str:
    return stored_name(instance.upload_dir, filename)


class AttachmentBase(models.Model):
    """A file attached to something. Subclasses add the foreign key to their subject and
    set ``upload_dir``; ``original_name`` is what people see and download it as."""

    upload_dir: ClassVar[str] = ""

    # Never served by URL: see huigong.common.files and ``attachment_response``.
    file = models.FileField(gettext_lazy("文件"), upload_to=upload_to, storage=private_storage)
    original_name = models.CharField(gettext_lazy("原文件名"), max_length=200)
    size = models.PositiveIntegerField(gettext_lazy("大小(字节)"))
    content_type = models.CharField(gettext_lazy("类型"), max_length=100)
    uploaded_by = user_link(gettext_lazy("上传人"), blank=False)
    uploaded_at = models.DateTimeField(gettext_lazy("上传时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


@dataclass(frozen=True)
class Upload:
    """A checked upload: the name to show, its size and its content type."""

    file: object
    name: str
    size: int
    content_type: str


def check_upload(file) -> Upload:
    """Check an uploaded file (jpg, png, pdf, docx, xlsx; at most 10 MB; the content
    matches the extension) or raise ``ValidationError`` on ``file`` saying what is wrong."""
    if file is None:
        raise ValidationError({"file": [_("请选择要上传的文件")]})
    name = str(getattr(file, "name", "") or "")[-200:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = getattr(file, "size", None) or 0
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError({"file": [_("只能上传 jpg、png、pdf、docx、xlsx 文件")]})
    if size <= 0:
        raise ValidationError({"file": [_("文件是空的,请重新选择")]})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("文件不能超过 10 MB")]})
    content_types, magic = ATTACHMENT_TYPES[extension]
    declared = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    if declared and declared not in content_types and declared != "application/octet-stream":
        raise ValidationError({"file": [_("文件类型与扩展名不符")]})
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(magic):
        raise ValidationError({"file": [_("文件内容与扩展名不符,请确认文件未损坏")]})
    return Upload(file, name, size, next(iter(sorted(content_types))))


def store_upload(attachment: AttachmentBase, upload: Upload) -> AttachmentBase:
    """Write the file to the private storage under a random name and save the row.
    The file is written before the row: a transaction rolled back after this leaves an
    orphan file (never referenced, never served), removed by ``clean_orphan_files``."""
    attachment.original_name = upload.name
    attachment.size = upload.size
    attachment.content_type = upload.content_type
    attachment.file.save(upload.name, upload.file, save=False)
    attachment.save()
    return attachment


def attachment_response(attachment: AttachmentBase) -> HttpResponse:
    """The file of an attachment the caller has authorised, under its original name."""
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


def attachment_models() -> list[type[AttachmentBase]]:
    """Every installed attachment model."""
    return [m for m in apps.get_models() if issubclass(m, AttachmentBase) and m.upload_dir]


# -- orphan files ---------------------------------------------------------------------------------

#: Files younger than this are never removed: an upload in progress has no row yet.
DEFAULT_GRACE = datetime.timedelta(hours=24)
_BATCH = 500


@dataclass
class CleanupResult:
    scanned: int = 0
    removed: list[str] = field(default_factory=list)
    bytes_removed: int = 0
    dry_run: bool = False


def _walk(storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for sub in sorted(directories):
        yield from _walk(storage, f"{directory}/{sub}")


def clean_orphan_files(
    *,
    grace: datetime.timedelta = DEFAULT_GRACE,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> CleanupResult:
    """Delete files under each attachment model's ``upload_dir`` that no row of it
    references and that are older than ``grace``; ``dry_run`` only lists them."""
    cutoff = (now or timezone.now()) - grace
    result = CleanupResult(dry_run=dry_run)
    for model in attachment_models():
        storage = model._meta.get_field("file").storage
        batch: list[str] = []

        def flush(model=model, storage=storage, batch=batch) -> None:
            referenced = set(model.objects.filter(file__in=batch).values_list("file", flat=True))
            for name in batch:
                if name in referenced or not modified_before(storage, name, cutoff):
                    continue
                try:
                    size = storage.size(name)
                except OSError:
                    continue
                if not dry_run:
                    storage.delete(name)
                result.removed.append(name)
                result.bytes_removed += size
            batch.clear()

        for name in _walk(storage, model.upload_dir):
            result.scanned += 1
            batch.append(name)
            if len(batch) >= _BATCH:
                flush()
        if batch:
            flush()
    return result
