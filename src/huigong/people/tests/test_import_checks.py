"""What the person import must not let pass silently: columns it does not read, a
declared sex that the ID number contradicts, and formula-like text (which is stored as
text and exported escaped)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from huigong.people.models import Person
from huigong.testing.factories import make_id_number

from .test_imports import HEADER, KIND, row

WOMAN = make_id_number(birth=datetime.date(1990, 3, 1), sex="F")
MAN = make_id_number(birth=datetime.date(1991, 4, 2), sex="M")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(run_import, header, rows):
    """Upload an .xlsx (text cells, so "=…" is text, not a formula); the job once checked."""
    wb = Workbook()
    wb.active.append(header)
    for cells in rows:
        wb.active.append(cells)
    for cells in wb.active.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" as a text cell, not a formula
    out = io.BytesIO()
    wb.save(out)
    return run_import(KIND, SimpleUploadedFile("职工.xlsx", out.getvalue()))


def with_sex(name, number, sex):
    return [*row(name, number), sex]


def test_preview_names_the_columns_it_ignores(tree, login, township_cadre, run_import):
    login(township_cadre)
    header = [*HEADER, "民族", "备注"]
    run = upload(run_import, header, [[*with_sex("甲", WOMAN, "女"), "汉族", "老职工"]])
    notice = "以下列不在模板中,已忽略:民族、备注"
    assert run.job.notices == [notice]
    assert run.texts("ignored-columns") == [notice]
    assert run.count("valid-rows") == 1


def test_sex_that_contradicts_the_id_number_warns_on_the_row(
    tree, login, township_cadre, run_import
):
    login(township_cadre)
    run = upload(
        run_import,
        HEADER,
        [
            with_sex("甲", WOMAN, "男"),  # 2: contradicts
            with_sex("乙", MAN, "男性"),  # 3: agrees
            with_sex("丙", make_id_number(birth=datetime.date(1992, 1, 1)), ""),  # 4: none
            with_sex("丁", make_id_number(birth=datetime.date(1993, 1, 1)), "未知"),  # 5
        ],
    )
    assert (run.count("valid-rows"), run.count("error-rows")) == (4, 0)
    warnings = {
        issue.row_number: [m for m in issue.messages if "性别" in m]
        for issue in run.job.issues.filter(level="warning")
    }
    assert warnings[2] == ["“性别”列填写为男,身份证号码显示为女;将以身份证号码为准,请核对"]
    assert not warnings.get(3) and not warnings.get(4)
    assert "无法识别" in warnings[5][0]
    assert "第 2 行:" + warnings[2][0] in run.texts("row-warnings")

    # A warning does not stop the row; the sex stored is the ID number's.
    run.confirm()
    assert Person.objects.get(name="甲").sex == "F"
    assert Person.objects.count() == 4


def test_formula_like_names_are_stored_as_text_and_exported_escaped(
    tree, login, township_cadre, run_import
):
    client = login(township_cadre)
    # The second name is what our own export wrote for "=1+1": it reads back unescaped.
    run = upload(
        run_import,
        HEADER,
        [
            with_sex('=HYPERLINK("http://x","点我")', WOMAN, ""),
            with_sex("'=1+1", MAN, ""),
        ],
    )
    run.confirm()
    assert set(Person.objects.values_list("name", flat=True)) == {
        '=HYPERLINK("http://x","点我")',
        "=1+1",
    }
    export = client.get(reverse("people:list"), {"export": "xlsx", "sort": "name"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [r[0] for r in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == ["'=1+1", '\'=HYPERLINK("http://x","点我")']
    assert all(c.data_type == "s" for c in cells)
