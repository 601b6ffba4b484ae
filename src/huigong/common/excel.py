"""Excel in and out: reading uploads (python-calamine), writing exports (openpyxl), and
the import specification every registry uses.

An import is two steps. *Preview* parses the file, normalises every cell (full-width →
half-width, Traditional → Simplified, stray spaces) and validates each row, giving Chinese
messages with row and column. *Commit* re-reads the same stored file and saves the valid
rows in one transaction: either all valid rows are written, or none are. Columns of the
file that no import column takes are named in the preview, never dropped without a word.

Every export goes through ``export_value``: numbers stay numbers, and text that a
spreadsheet program would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``)
is written with a leading apostrophe (OWASP "CSV injection"). Reading strips that
apostrophe again, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from .text import clean_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_ROWS = 20_000


class ExcelError(Exception):
    """The file as a whole cannot be read (wrong format, empty, too large)."""


# -- reading -----------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and abs(value) >= 1e15:
        # Excel keeps only 15 significant digits: an 18-digit ID number typed into a number
        # cell has lost its last digits. Show it as Excel does (4.30426197501011E+17) so
        # that importers can recognise the damage instead of reading made-up digits.
        return f"{value:.15G}"
    if isinstance(value, float) and value.is_integer():
        # Excel stores 13800000001 as 13800000001.0; long ID numbers are expected as text.
        value = int(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return unescape_formula(clean_text(str(value)))


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Read the first sheet (or a CSV) into a header row and data rows of clean text."""
    name = filename.lower()
    try:
        if name.endswith(".csv"):
            text = (
                data.decode("utf-8-sig")
                if not data.startswith(b"\xff\xfe")
                else data.decode("utf-16")
            )
            raw = list(csv.reader(io.StringIO(text)))
        elif name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            if not workbook.sheet_names:
                raise ExcelError(_("文件中没有工作表"))
            raw = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
        else:
            raise ExcelError(_("只支持 .xlsx、.xls、.ods 或 .csv 文件"))
    except ExcelError:
        raise
    except UnicodeDecodeError:
        raise ExcelError(_("CSV 文件请使用 UTF-8 编码保存"))
    except Exception:
        raise ExcelError(_("无法读取该文件,请确认它是完好的 Excel 文件"))
    rows = [[_cell_text(c) for c in row] for row in raw]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ExcelError(_("文件是空的"))
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ExcelError(_("单次最多导入 %(n)d 行,请拆分文件") % {"n": MAX_IMPORT_ROWS})
    header, body = rows[0], rows[1:]
    return header, body


# -- writing -----------------------------------------------------------------------------

#: How a cell that a spreadsheet program runs as a formula begins: ``=``, ``+``, ``-`` and
#: ``@`` start formulas; some programs drop a leading tab or carriage return and then read
#: the character after it (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: A signed number as text (``-12``, ``+3.5``, ``-40%``): evaluating it runs nothing.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def escape_formula(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates: text that begins like a
    formula gets a leading apostrophe (``'=HYPERLINK(...)``). A plain signed number is
    kept as it is."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """The inverse of ``escape_formula`` for imports: ``'=1+1`` reads as ``=1+1``."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def export_value(value: Any) -> Any:
    """One cell of an export. Numbers (``int``, ``float``, ``Decimal``, negative ones too)
    and booleans stay as they are; ``None`` is an empty cell; anything else is written as
    formula-safe text without the control characters an .xlsx cannot hold."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def workbook_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1"
) -> bytes:
    """An .xlsx with a bold, frozen header row and readable column widths. Every cell goes
    through ``export_value``, and text is stored as text: never a formula, nor an error
    value such as ``#N/A``."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = str(title)[:31]
    _append_text_safe(ws, 1, [export_value(str(h)) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [max(6, len(str(h)) * 2) for h in headers]
    for row_number, row in enumerate(rows, start=2):
        values = [export_value(v) for v in row]
        _append_text_safe(ws, row_number, values)
        for i, v in enumerate(values[: len(widths)]):
            widths[i] = min(60, max(widths[i], len(str(v)) + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _append_text_safe(ws, row_number: int, values: list[Any]) -> None:
    ws.append(values)
    for column, value in enumerate(values, start=1):
        # openpyxl takes "=…" for a formula and "#N/A" for an error value; ours are text.
        if isinstance(value, str) and value.startswith(("=", "#")):
            ws.cell(row=row_number, column=column).data_type = "s"


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """Download response; the file name may be Chinese (RFC 6266 filename*)."""
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(workbook_bytes(headers, rows), content_type=XLSX_MIME)
    response["Content-Disposition"] = (
        f"attachment; filename=export.xlsx; filename*=UTF-8''{quote(filename)}"
    )
    return response


# -- import specifications -----------------------------------------------------------------


@dataclass
class Column:
    """One import column: ``key`` in the parsed row, the Chinese header, accepted aliases,
    and an optional parser that returns the Python value or raises ``ValidationError``."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    parse: Callable[[str], Any] | None = None
    help: str = ""

    def matches(self, header: str) -> bool:
        """True for the header in the active language or in Chinese (a translated header
        is lazy), an alias or the key; spaces, case and the required mark are ignored."""
        with translation.override(settings.LANGUAGE_CODE):
            source_header = str(self.header)
        names = {str(self.header), source_header, *self.aliases, self.key}
        return _header_key(header) in {_header_key(name) for name in names}


def _header_key(header: str) -> str:
    return header.replace(" ", "").rstrip("*").casefold()


@dataclass
class RowResult:
    number: int  # row number as Excel shows it (header is row 1)
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedImport:
    columns: list[Column]
    rows: list[RowResult]
    file_errors: list[str] = field(default_factory=list)
    #: Columns of the file that no import column reads, by header (or by letter when the
    #: header is empty), and the sentences the preview shows about them.
    ignored_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


class ImportSpec(ABC):
    """Base class for a registry's import. Subclasses set ``columns`` and implement
    ``validate_row`` (cross-field checks, look-ups within the actor's scope) and
    ``save_row`` (calls the app's service). ``title`` names the template download."""

    title: str = gettext_lazy("导入")
    columns: list[Column] = []

    def __init__(self, *, actor):
        self.actor = actor

    def template_response(self) -> HttpResponse:
        headers = [c.header + ("*" if c.required else "") for c in self.columns]
        return xlsx_response(_("%(title)s模板") % {"title": self.title}, headers, [])

    def parse(self, header: list[str], body: list[list[str]]) -> ParsedImport:
        index: dict[str, int] = {}
        for col in self.columns:
            for i, h in enumerate(header):
                if col.matches(h):
                    index[col.key] = i
                    break
        ignored, notices = self._unread_columns(header, body, set(index.values()))
        missing = [str(c.header) for c in self.columns if c.required and c.key not in index]
        if missing:
            return ParsedImport(
                self.columns,
                [],
                [_("缺少必填列:%(cols)s") % {"cols": _("、").join(missing)}],
                ignored_columns=ignored,
                notices=notices,
            )
        results = []
        for offset, cells in enumerate(body):
            number = offset + 2
            raw = {
                c.key: (cells[index[c.key]] if c.key in index and index[c.key] < len(cells) else "")
                for c in self.columns
            }
            row = RowResult(number=number, raw=raw)
            for col in self.columns:
                text = raw[col.key]
                if not text:
                    if col.required:
                        row.errors.append(
                            _("第 %(row)d 行“%(col)s”:必填") % {"row": number, "col": col.header}
                        )
                    row.values[col.key] = None
                    continue
                try:
                    row.values[col.key] = col.parse(text) if col.parse else text
                except ValidationError as exc:
                    for m in _messages(exc):
                        row.errors.append(
                            _("第 %(row)d 行“%(col)s”:%(msg)s")
                            % {"row": number, "col": col.header, "msg": m}
                        )
            if row.ok:
                try:
                    self.validate_row(row)
                except ValidationError as exc:
                    row.errors.extend(
                        _("第 %(row)d 行:%(msg)s") % {"row": number, "msg": m}
                        for m in _messages(exc)
                    )
            results.append(row)
        self.validate_rows(results)
        return ParsedImport(self.columns, results, ignored_columns=ignored, notices=notices)

    def _unread_columns(
        self, header: list[str], body: list[list[str]], used: set[int]
    ) -> tuple[list[str], list[str]]:
        """Name every column of the file that nothing reads: a header the template does
        not have, a second column for the same field, or data under an empty header."""
        unknown: list[str] = []
        repeated: list[str] = []
        width = max([len(header), *(len(cells) for cells in body)])
        for i in range(width):
            if i in used:
                continue
            name = header[i] if i < len(header) else ""
            if not name:
                if any(i < len(cells) and cells[i] for cells in body):
                    unknown.append(
                        _("第 %(letter)s 列(无表头)") % {"letter": get_column_letter(i + 1)}
                    )
            elif any(col.matches(name) for col in self.columns):
                repeated.append(name)
            else:
                unknown.append(name)
        notices = []
        if unknown:
            notices.append(_("以下列不在模板中,已忽略:%(cols)s") % {"cols": _("、").join(unknown)})
        if repeated:
            notices.append(
                _("以下列与前面的同名列重复,只读取了前面一列:%(cols)s")
                % {"cols": _("、").join(repeated)}
            )
        return unknown + repeated, notices

    def validate_row(self, row: RowResult) -> None:
        """Cross-field and look-up checks; raise ValidationError, or add ``row.warnings``."""

    def validate_rows(self, rows: list[RowResult]) -> None:
        """Checks across rows (duplicates inside the file); append to ``row.errors``."""

    @abstractmethod
    def save_row(self, row: RowResult) -> Any:
        """Create or update one object from a valid row through the app's service."""
