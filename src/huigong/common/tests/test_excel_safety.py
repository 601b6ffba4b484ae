"""Exports never carry a live formula, imports read them back unchanged, and an import
names every column of the file that it does not read."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from huigong.common.excel import (
    Column,
    ImportSpec,
    escape_formula,
    export_value,
    read_table,
    unescape_formula,
    workbook_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://x","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize(
    "text", ["张三", "430426199005121234", "'已加引号", "a=b", "", "-12", "+3.5%"]
)
def test_ordinary_text_and_signed_numbers_as_text_are_kept(text):
    assert escape_formula(text) == text


def test_export_value_keeps_numbers_and_cleans_text():
    assert export_value(-5) == -5
    assert export_value(-1.5) == -1.5
    assert export_value(Decimal("-12.30")) == Decimal("-12.30")
    assert export_value(True) is True
    assert export_value(None) == ""
    assert export_value(datetime.date(2024, 5, 1)) == "2024-05-01"
    assert export_value("=1+1") == "'=1+1"
    # Control characters an .xlsx cannot hold are dropped, then the text is checked again.
    assert export_value("\x01=1+1") == "'=1+1"


def _cells(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_workbook_stores_hostile_text_as_text_and_numbers_as_numbers():
    data = workbook_bytes(
        ["名称", "数值"],
        [[text, -3] for text in HOSTILE] + [["#N/A", Decimal("-2.50")], ["=A1", 1.25]],
    )
    rows = _cells(data)[1:]
    # (XML reads a carriage return back as a line feed.)
    expected = ["'" + text.replace("\r", "\n") for text in HOSTILE] + ["#N/A", "'=A1"]
    assert [r[0].value for r in rows] == expected
    assert all(r[0].data_type == "s" for r in rows)
    numbers = [r[1] for r in rows]
    assert all(c.data_type == "n" for c in numbers)
    assert [c.value for c in numbers] == [-3] * len(HOSTILE) + [-2.5, 1.25]
    # python-calamine (what imports use) reads the same cells as text, not formulas.
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    assert sheet.to_python()[1][0] == "'" + HOSTILE[0]


def test_exported_file_reads_back_as_the_original_text():
    names = ['=HYPERLINK("http://x","点我")', "@用户", "-", "普通姓名"]
    data = workbook_bytes(["姓名"], [[n] for n in names])
    _header, body = read_table(data, "导出.xlsx")
    assert [row[0] for row in body] == names


def test_imported_quote_prefixed_cell_reads_as_plain_text():
    header, body = read_table("姓名,备注\n'=1+1,'+86\n".encode(), "a.csv")
    assert body == [["=1+1", "+86"]]


class _Spec(ImportSpec):
    title = "测试"
    columns = [
        Column("name", "名称", required=True),
        Column("count", "人数", aliases=("职工人数",)),
    ]

    def save_row(self, row):
        raise AssertionError("not saved in these tests")


def test_preview_names_every_column_it_ignores():
    parsed = _Spec(actor=None).parse(
        ["名称", "性别", "人数", "备注", "职工人数", ""],
        [["甲", "男", "3", "", "4", "孤立的值"], ["乙", "女", "5", "x", "6", ""]],
    )
    assert [r.values for r in parsed.rows] == [
        {"name": "甲", "count": "3"},
        {"name": "乙", "count": "5"},
    ]
    assert parsed.ignored_columns == ["性别", "备注", "第 F 列(无表头)", "职工人数"]
    assert parsed.notices == [
        "以下列不在模板中,已忽略:性别、备注、第 F 列(无表头)",
        "以下列与前面的同名列重复,只读取了前面一列:职工人数",
    ]


def test_ignored_columns_are_named_even_when_a_required_column_is_missing():
    parsed = _Spec(actor=None).parse(["姓名", "人数"], [["甲", "1"]])
    assert parsed.file_errors == ["缺少必填列:名称"]
    assert parsed.notices == ["以下列不在模板中,已忽略:姓名"]


def test_a_file_with_only_template_columns_has_no_notice():
    parsed = _Spec(actor=None).parse(["名称*", "人数", ""], [["甲", "1", ""]])
    assert parsed.ignored_columns == [] and parsed.notices == []
