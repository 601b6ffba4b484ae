"""Files attached to a case by staff or by the worker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change

from .. import events
from ..models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseStatus,
)
from .base import (
    _lock,
    _require_handler_or_party,
    _require_status,
)

#: Attachments: at most 10 MB, of these types (extension → accepted content types, magic).
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


@transaction.atomic
def add_attachment(*, actor, case: Case, file) -> Attachment:
    """Attach a file (jpg, png, pdf, docx, xlsx; at most 10 MB) to a case; staff handling
    it or the worker whose case it is."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有为该诉求上传附件的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("上传附件"))
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
    attachment = Attachment(
        case=case,
        original_name=name,
        size=size,
        content_type=next(iter(sorted(content_types))),
        uploaded_by=actor,
    )
    # Stored in the private storage under a random name (Attachment.file); the original
    # name stays in the row for display and for the download's Content-Disposition.
    attachment.file.save(name, file, save=False)
    attachment.save()
    # The file is written before the row; a transaction rolled back after this point
    # leaves an orphan file in the private storage (not referenced by any row, never
    # served, deleted by attachment_cleanup after a day).
    events.attachment_added_event(case=case, actor=actor, attachment=attachment)
    record_change(
        actor=actor,
        obj=attachment,
        action=ChangeAction.CREATE,
        after={"case": case.pk, "original_name": name, "size": size},
    )
    return attachment
