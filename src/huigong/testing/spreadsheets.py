"""Assertions on exported workbooks: hostile text comes out as text, never as a formula."""

from __future__ import annotations

import io

from openpyxl import load_workbook

#: Text a spreadsheet program would run if an export wrote it as it is.
HOSTILE_NAME = '=HYPERLINK("http://x","点我")'


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_exported_as_text(response, text: str = HOSTILE_NAME) -> None:
    """The export holds ``text`` (which starts like a formula) as a quote-prefixed string
    cell, and no formula at all."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response_bytes(response))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == [], f"formula cells in the export: {formulas}"
    found = [cell for cell in cells if isinstance(cell.value, str) and text in cell.value]
    assert found, f"{text!r} is not in the export"
    for cell in found:
        assert cell.data_type == "s"
        assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    # The cell that holds just the text has it behind an apostrophe, still readable.
    assert "'" + text in [cell.value for cell in found]
