"""The rows a job did not import, as a workbook to correct and upload again: the file's
own header and cells, and a last column with the reasons. The file and the job's row
messages are both read in row order and merged, so memory stays flat for any size."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from huigong.common.excel import Table, export_value

from . import storage
from .engine import suffix_of
from .models import ImportJob, IssueLevel


def rejected_rows_workbook(job: ImportJob) -> bytes:
    issues = (
        job.issues.filter(level=IssueLevel.ERROR)
        .order_by("row_number")
        .values_list("row_number", "messages")
        .iterator(chunk_size=2000)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("未导入的行"))
    with storage.plain_copy(job.stored_name, suffix_of(job.filename)) as path:
        table = Table(path, job.filename)
        sheet.append([export_value(h) for h in [*table.header, _("未导入原因"), _("原行号")]])
        width = len(table.header)
        pending = next(issues, None)
        for number, cells in table.rows():
            if pending is None:
                break
            if number < pending[0]:
                continue
            if number == pending[0]:
                padded = (cells + [""] * width)[:width]
                sheet.append(
                    [export_value(c) for c in padded]
                    + [export_value(_("；").join(pending[1])), number]
                )
            while pending is not None and pending[0] <= number:
                pending = next(issues, None)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
