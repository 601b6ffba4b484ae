import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from huigong.common.excel import (
    Column,
    ExcelError,
    ImportSpec,
    read_table,
    workbook_bytes,
    xlsx_response,
)


def _xlsx(rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_read_table_normalises_cells():
    data = _xlsx([["姓名", "电话"], ["  黃華清 ", 13800000001.0], [None, None], ["ＬＩ", "139"]])
    header, body = read_table(data, "名册.xlsx")
    assert header == ["姓名", "电话"]
    assert body == [["黄华清", "13800000001"], ["LI", "139"]]


def test_read_table_csv_with_bom():
    header, body = read_table("姓名,电话\n張偉,13800000001\n".encode("utf-8-sig"), "a.csv")
    assert header == ["姓名", "电话"] and body == [["张伟", "13800000001"]]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not an excel file", "a.xlsx", "无法读取"),
        (b"whatever", "a.docx", "只支持"),
        (b"", "a.csv", "文件是空的"),
        ("姓名".encode("gbk"), "a.csv", "UTF-8"),
    ],
)
def test_read_table_rejects_bad_files_with_chinese_message(data, name, message):
    with pytest.raises(ExcelError, match=message):
        read_table(data, name)


def _positive(text):
    if not text.isdigit():
        raise ValidationError("必须是整数")
    return int(text)


class _Spec(ImportSpec):
    title = "测试"
    columns = [
        Column("name", "名称", required=True),
        Column("count", "人数", aliases=("职工人数",), parse=_positive),
    ]

    def validate_rows(self, rows):
        seen = set()
        for row in rows:
            if row.values.get("name") in seen:
                row.errors.append(f"第 {row.number} 行:名称重复")
            seen.add(row.values.get("name"))

    def save_row(self, row):
        self.saved.append(row.values)


def test_import_spec_reports_errors_with_row_and_column():
    spec = _Spec(actor=None)
    parsed = spec.parse(["名称*", "职工人数"], [["甲", "12"], ["", "3"], ["乙", "三"], ["甲", "1"]])
    assert [r.values for r in parsed.valid_rows] == [{"name": "甲", "count": 12}]
    errors = [e for r in parsed.error_rows for e in r.errors]
    assert errors == ["第 3 行“名称”:必填", "第 4 行“人数”:必须是整数", "第 5 行:名称重复"]


def test_import_spec_missing_required_column_is_a_file_error():
    parsed = _Spec(actor=None).parse(["人数"], [["1"]])
    assert parsed.rows == [] and "名称" in parsed.file_errors[0]


def test_export_workbook_round_trips_and_names_file_in_chinese():
    response = xlsx_response("职工名册", ["姓名", "人数"], [["王建国", 3], ["李秀英", None]])
    assert (
        "filename*=UTF-8''%E8%81%8C%E5%B7%A5%E5%90%8D%E5%86%8C.xlsx"
        in response["Content-Disposition"]
    )
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["姓名", "人数"],
        ["王建国", 3],
        ["李秀英", None],
    ]
    assert read_table(workbook_bytes(["a"], [["b"]]), "x.xlsx") == (["a"], [["b"]])
