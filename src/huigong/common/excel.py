"""Excel in and out: reading uploads (openpyxl's streaming reader for .xlsx, python-calamine
for .xls and .ods, the csv module for CSV), writing exports (openpyxl), and the import
specification every registry uses.

An import (run by ``huigong.imports``) is two steps. The *check* reads the file in chunks,
normalises every cell (full-width → half-width, Traditional → Simplified, stray spaces)
and validates each row, giving Chinese messages with row and column. The *import*, on the
user's confirmation, writes the valid rows. Columns of the file that no import column
takes are named in the check's result, never dropped without a word.

Every export goes through ``export_value``: numbers stay numbers, and text that a
spreadsheet program would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``)
is written with a leading apostrophe (OWASP "CSV injection"). Reading strips that
apostrophe again, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from .text import clean_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExcelError(Exception):
    """The file as a whole cannot be read (wrong format, empty, too large)."""


# -- reading -----------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """One cell as clean text: numbers as Excel shows them, dates as ISO dates, text
    normalised (``clean_text``) and a formula-escaping apostrophe removed."""
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


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TABLE_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv")


def check_table_name(filename: str) -> None:
    """Raise ``ExcelError`` unless the file name is one the readers take."""
    if not filename.lower().endswith(TABLE_SUFFIXES):
        raise ExcelError(_("只支持 .xlsx、.xls、.ods 或 .csv 文件"))


class Table:
    """The first sheet of a spreadsheet (or a CSV file) on disk, read row by row: the
    header is the first non-empty row, ``rows()`` yields ``(number, cells)`` for every
    non-empty row after it, where ``number`` is the row as the spreadsheet program shows
    it. Memory does not grow with the file for CSV; for spreadsheets it is what the
    reader (python-calamine) holds of the sheet."""

    def __init__(self, path: str, filename: str):
        self.path = path
        self.filename = filename
        check_table_name(filename)
        self.is_csv = filename.lower().endswith(".csv")
        try:
            self.header, self._header_number = self._find_header()
        except ExcelError:
            raise
        except UnicodeDecodeError:
            raise ExcelError(_("CSV 文件请使用 UTF-8 编码保存"))
        except Exception:
            raise ExcelError(_("无法读取该文件,请确认它是完好的 Excel 文件"))

    # -- raw rows, numbered from 1 -----------------------------------------------------------
    def _raw(self) -> Iterator[tuple[int, list[Any]]]:
        if self.is_csv:
            with open(self.path, "rb") as probe:
                start = probe.read(2)
            encoding = "utf-16" if start == b"\xff\xfe" else "utf-8-sig"
            with open(self.path, encoding=encoding, newline="") as handle:
                for number, cells in enumerate(csv.reader(handle), start=1):
                    yield number, cells
            return
        if self.filename.lower().endswith((".xlsx", ".xlsm")):
            yield from self._raw_xlsx()
            return
        workbook = CalamineWorkbook.from_path(self.path)
        try:
            if not workbook.sheet_names:
                raise ExcelError(_("文件中没有工作表"))
            sheet = workbook.get_sheet_by_index(0)
            first = (sheet.start or (0, 0))[0] + 1
            for offset, cells in enumerate(sheet.iter_rows()):
                yield first + offset, cells
        finally:
            workbook.close()

    def _raw_xlsx(self) -> Iterator[tuple[int, list[Any]]]:
        """openpyxl's read-only mode parses the sheet's XML as a stream: memory stays
        flat however many rows the file has (python-calamine, used for the older
        formats, holds the whole sheet)."""
        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise ExcelError(_("文件中没有工作表"))
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers record wrong dimensions; read them all
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        finally:
            workbook.close()

    def _find_header(self) -> tuple[list[str], int]:
        for number, cells in self._raw():
            header = [cell_text(c) for c in cells]
            if any(header):
                return _trim(header), number
        raise ExcelError(_("文件是空的"))

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every non-empty data row, as clean text. Raises ``ExcelError`` if the file
        turns out to be unreadable part-way."""
        try:
            for number, cells in self._raw():
                if number <= self._header_number:
                    continue
                text = [cell_text(c) for c in cells]
                if any(text):
                    yield number, _trim(text)
        except ExcelError:
            raise
        except UnicodeDecodeError:
            raise ExcelError(_("CSV 文件请使用 UTF-8 编码保存"))
        except Exception:
            raise ExcelError(_("无法读取该文件,请确认它是完好的 Excel 文件"))

    def estimated_rows(self) -> int:
        """Data rows, roughly (blank rows included), for a progress bar before the rows
        have been read: the sheet's height, or the CSV file's line count."""
        try:
            if self.is_csv:
                with open(self.path, "rb") as handle:
                    lines = sum(
                        block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")
                    )
                return max(0, lines - self._header_number)
            workbook = CalamineWorkbook.from_path(self.path)
            try:
                sheet = workbook.get_sheet_by_index(0)
                first = (sheet.start or (0, 0))[0] + 1
                return max(0, first + sheet.height - 1 - self._header_number)
            finally:
                workbook.close()
        except Exception:
            return 0


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """A small file in memory as a header row and data rows of clean text (the import
    engine streams files through ``Table`` instead)."""
    check_table_name(filename)
    suffix = "." + filename.rsplit(".", 1)[-1].lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        table = Table(handle.name, filename)
        return table.header, [cells for _number, cells in table.rows()]


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


@dataclass
class HeaderMap:
    """Which file column each import column reads (``index``), and what the header lacks
    or holds beyond the template."""

    index: dict[str, int]
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)

    @property
    def file_errors(self) -> list[str]:
        if not self.missing:
            return []
        return [_("缺少必填列:%(cols)s") % {"cols": _("、").join(self.missing)}]

    def unread(self, cells: list[str]) -> set[int]:
        """Indexes of the non-empty cells of a row that no column reads and that have
        no header (data under an empty header)."""
        used = set(self.index.values())
        return {
            i
            for i, text in enumerate(cells)
            if text and i not in used and (i >= len(self.header) or not self.header[i])
        }

    def notices(self, unnamed: Iterable[int] = ()) -> tuple[list[str], list[str]]:
        """The columns nothing reads (by header, or by letter when data stands under an
        empty header) and the sentences that tell the user about them."""
        unknown = [
            *self.unknown,
            *(
                _("第 %(letter)s 列(无表头)") % {"letter": get_column_letter(i + 1)}
                for i in sorted(unnamed)
            ),
        ]
        notices = []
        if unknown:
            notices.append(_("以下列不在模板中,已忽略:%(cols)s") % {"cols": _("、").join(unknown)})
        if self.repeated:
            notices.append(
                _("以下列与前面的同名列重复,只读取了前面一列:%(cols)s")
                % {"cols": _("、").join(self.repeated)}
            )
        return unknown + self.repeated, notices


class ImportSpec(ABC):
    """Base class for a registry's import. Subclasses set ``columns`` and implement
    ``validate_row`` (cross-field checks, look-ups within the actor's scope) and
    ``save_row`` (calls the app's service); ``row_key`` names what makes two rows of one
    file the same. ``title`` names the template download.

    The import engine (``huigong.imports``) calls, per file, ``map_header`` once, then per
    chunk of rows ``parse_row`` for each row, ``check_chunk`` on the chunk and, at import,
    ``write_chunk`` on its valid rows. A spec that can check or write a whole chunk with
    a few queries overrides those two; the defaults go row by row."""

    title: str = gettext_lazy("导入")
    columns: list[Column] = []

    def __init__(self, *, actor):
        self.actor = actor

    def template_response(self) -> HttpResponse:
        headers = [c.header + ("*" if c.required else "") for c in self.columns]
        return xlsx_response(_("%(title)s模板") % {"title": self.title}, headers, [])

    # -- the engine's steps -------------------------------------------------------------------
    def begin(self) -> None:
        """Called before a file's rows are read (each phase, each resumed run): reset
        what the spec remembers of earlier rows."""

    def map_header(self, header: list[str]) -> HeaderMap:
        index: dict[str, int] = {}
        for col in self.columns:
            for i, h in enumerate(header):
                if col.matches(h):
                    index[col.key] = i
                    break
        used = set(index.values())
        unknown: list[str] = []
        repeated: list[str] = []
        for i, name in enumerate(header):
            if i in used or not name:
                continue
            if any(col.matches(name) for col in self.columns):
                repeated.append(name)
            else:
                unknown.append(name)
        missing = [str(c.header) for c in self.columns if c.required and c.key not in index]
        return HeaderMap(index, missing, unknown, repeated, header=header)

    def parse_row(self, number: int, cells: list[str], mapping: HeaderMap) -> RowResult:
        """One row's cells through each column's parser; required cells checked."""
        index = mapping.index
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
        return row

    def check_chunk(self, rows: list[RowResult]) -> None:
        """Cross-field and database checks of a chunk's parsed rows (``validate_row`` on
        each row that parsed)."""
        for row in rows:
            if row.ok:
                try:
                    self.validate_row(row)
                except ValidationError as exc:
                    row.errors.extend(
                        _("第 %(row)d 行:%(msg)s") % {"row": row.number, "msg": m}
                        for m in _messages(exc)
                    )

    def write_chunk(self, rows: list[RowResult]) -> None:
        """Write a chunk's valid rows (``save_row`` on each). Raise ``ValidationError``
        naming the row (``RowRejected``) when the registry refuses one."""
        for row in rows:
            try:
                self.save_row(row)
            except ValidationError as exc:
                raise RowRejected(row, _messages(exc)) from exc
            except PermissionDenied as exc:
                raise RowRejected(row, [str(exc) or _("您没有执行此操作的权限")]) from exc

    #: A spec that keeps each checked row's values (``stage``) and writes them back
    #: (``write_staged``) checks every row once: the import writes what the check kept,
    #: without reading the file again. Specs whose rows depend on rows written earlier
    #: in the same import (organizations under a parent created by the file) leave it off.
    stages_rows: bool = False

    def stage(self, row: RowResult) -> dict[str, Any]:
        """A valid checked row as JSON-serialisable values for ``write_staged``."""
        raise NotImplementedError

    def write_staged(self, rows: list[dict[str, Any]]) -> dict[int, list[str]]:
        """Write a chunk of staged rows; return the rows refused meanwhile (a number
        registered since the check, a permission withdrawn) as {row number: messages}."""
        raise NotImplementedError

    def row_key(self, row: RowResult) -> str | None:
        """What makes two rows of a file the same record (normalised), or ``None``."""
        return None

    def duplicate_message(self, row: RowResult, first: int) -> str:
        return _("第 %(row)d 行:与第 %(first)d 行重复") % {"row": row.number, "first": first}

    # -- a whole small file at once (tests, the API) ----------------------------------------------
    def parse(self, header: list[str], body: list[list[str]]) -> ParsedImport:
        self.begin()
        mapping = self.map_header(header)
        unnamed: set[int] = set()
        for cells in body:
            unnamed |= mapping.unread(cells)
        ignored, notices = mapping.notices(unnamed)
        if mapping.file_errors:
            return ParsedImport(
                self.columns, [], mapping.file_errors, ignored_columns=ignored, notices=notices
            )
        results = [self.parse_row(offset + 2, cells, mapping) for offset, cells in enumerate(body)]
        self.check_chunk(results)
        self.validate_rows(results)
        return ParsedImport(self.columns, results, ignored_columns=ignored, notices=notices)

    def validate_row(self, row: RowResult) -> None:
        """Cross-field and look-up checks; raise ValidationError, or add ``row.warnings``."""

    def validate_rows(self, rows: list[RowResult]) -> None:
        """Duplicates inside the file (by ``row_key``); appended to ``row.errors``."""
        first_seen: dict[str, int] = {}
        for row in rows:
            key = self.row_key(row)
            if not key:
                continue
            if key in first_seen:
                row.errors.append(self.duplicate_message(row, first_seen[key]))
            else:
                first_seen[key] = row.number

    @abstractmethod
    def save_row(self, row: RowResult) -> Any:
        """Create or update one object from a valid row through the app's service."""


class RowRejected(Exception):
    """The registry refused a row at import that passed the check (the data changed in
    between, e.g. the same person was registered meanwhile)."""

    def __init__(self, row: RowResult, messages: list[str]):
        super().__init__(row.number, messages)
        self.row = row
        self.messages = messages
