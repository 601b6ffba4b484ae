"""Files attached to a case by staff or by the worker."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.kernel.attachments import check_upload, store_upload

from .. import events
from ..models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseStatus,
)
from .base import _lock_to_act


@transaction.atomic
def add_attachment(*, actor, case: Case, file) -> Attachment:
    """Attach a file (jpg, png, pdf, docx, xlsx; at most 10 MB) to a case; staff handling
    it or the worker whose case it is."""
    case = _lock_to_act(
        actor,
        case,
        [*OPEN_STATUSES, CaseStatus.RESOLVED],
        _("上传附件"),
        _("您没有为该诉求上传附件的权限"),
        or_party=True,
    )
    upload = check_upload(file)
    attachment = store_upload(Attachment(case=case, uploaded_by=actor), upload)
    events.attachment_added_event(case=case, actor=actor, attachment=attachment)
    record_change(
        actor=actor,
        obj=attachment,
        action=ChangeAction.CREATE,
        after={"case": case.pk, "original_name": upload.name, "size": upload.size},
    )
    return attachment
