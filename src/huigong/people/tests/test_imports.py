import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from huigong.audit.models import ChangeLog
from huigong.people.imports import PersonImportSpec
from huigong.people.models import Person
from huigong.testing.factories import OrganizationFactory, make_id_number

from .conftest import MINE_ID, OLD_ID, THEIRS_ID

URL = reverse("people:import")
HEADER = [
    "姓名*",
    "身份证号码*",
    "手机号",
    "所属工会*",
    "工作单位",
    "统一社会信用代码",
    "用工形式",
    "新就业形态类别",
    "住址",
    "是否会员",
    "性别",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("职工.xlsx", out.getvalue())


def row(name, id_number, org="新发食品有限公司工会", **extra):
    values = {
        "phone": "",
        "employer": "",
        "code": "",
        "form": "",
        "new_form": "",
        "address": "",
        "member": "",
    }
    values.update(extra)
    return [
        name,
        id_number,
        values["phone"],
        org,
        values["employer"],
        values["code"],
        values["form"],
        values["new_form"],
        values["address"],
        values["member"],
    ]


def preview(client, rows, **kwargs):
    response = client.post(URL, {"file": xlsx(rows, **kwargs)})
    assert response.status_code == 200
    return response


def errors_by_row(parsed) -> dict[int, list[str]]:
    return {r.number: r.errors for r in parsed.rows if r.errors}


def ids(n: int) -> list[str]:
    return [make_id_number(birth=datetime.date(1980 + i, 1, 1)) for i in range(n)]


def test_template_download_has_the_columns(tree, login, township_cadre):
    response = login(township_cadre).get(URL, {"template": 1})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert sheet.to_python()[0] == HEADER


def test_preview_reports_row_errors_and_writes_nothing(tree, login, township_cadre, mine, theirs):
    a, b, c = ids(3)
    client = login(township_cadre)
    response = preview(
        client,
        [
            row("甲", a, phone="13900000001", member="是"),  # 2: fine
            row("乙", MINE_ID),  # 3: already registered in scope
            row("丙", THEIRS_ID),  # 4: registered elsewhere
            row("丁", a),  # 5: duplicate of row 2
            row("戊", b, org="不存在的工会"),  # 6
            row("己", c, org="流泉村工会"),  # 7: out of scope
            row("庚", "4.30426E+17"),  # 8: Excel damage (as text, e.g. from CSV)
            row("辛", ids(1)[0], form="新就业形态"),  # 9: missing category
            row("壬", ids(1)[0], member="也许"),  # 10
            row("", ids(1)[0]),  # 11: missing name
        ],
    )
    parsed = response.context["parsed"]
    errors = errors_by_row(parsed)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "刘德华" in errors[3][0]
    assert errors[4] == ["第 4 行“身份证号码”:该身份证号码已在其他单位登记,请联系上级工会"]
    assert errors[5] == ["第 5 行:身份证号码与第 2 行重复"]
    assert "未找到工会" in errors[6][0]
    assert "未找到工会" in errors[7][0]
    assert "Excel" in errors[8][0] and "文本" in errors[8][0]
    assert "新就业形态类别" in errors[9][0]
    assert "是否会员" in errors[10][0]
    assert errors[11] == ["第 11 行“姓名”:必填"]
    assert [r.number for r in parsed.valid_rows] == [2]
    assert Person.objects.count() == 2  # only mine and theirs
    body = response.content.decode()
    assert THEIRS_ID in body  # the importer's own input is echoed back
    assert "王建国" not in body  # but not who holds the number elsewhere


def test_numeric_id_cell_is_recognised_as_damaged(tree, login, township_cadre):
    # What Excel keeps of an 18-digit number cell (a number ending in X cannot be one).
    damaged = float(int(next(i for i in ids(20) if i[-1] != "X")))
    response = preview(login(township_cadre), [row("甲", damaged)])
    errors = errors_by_row(response.context["parsed"])
    assert list(errors) == [2]
    assert "4.30426" in errors[2][0]
    assert "文本" in errors[2][0]


def test_confirm_imports_valid_rows_through_the_service(tree, login, township_cadre):
    a, b = ids(2)
    client = login(township_cadre)
    rows = [
        row(
            "劉 德 華",
            f" {a.lower()} ",
            phone="１３９００００１２３４",
            form="新就业形态",
            new_form="外卖骑手",
            member="是",
            address="黃土鋪鎮",
        ),
        row("李秀英", b, org="祁东县总工会/黄土铺镇工会联合会/新发食品有限公司工会"),
        row("错误行", "123"),
        row("老人", OLD_ID),
    ]
    response = preview(client, rows)
    parsed = response.context["parsed"]
    assert len(parsed.valid_rows) == 3
    assert any("430426" in w for r in parsed.rows for w in r.warnings)
    assert not Person.objects.exists()

    response = client.post(URL, {"confirm": "1", "token": response.context["token"]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("people:list")
    people = {p.name: p for p in Person.objects.all()}
    assert set(people) == {"刘 德 华", "李秀英", "老人"}
    rider = people["刘 德 华"]
    assert (rider.id_number, rider.phone) == (a, "13900001234")
    assert (rider.employment_form, rider.new_form_type, rider.is_member) == (
        "new_form",
        "rider",
        True,
    )
    assert rider.address == "黄土铺镇"
    assert people["李秀英"].organization == tree.xinfa
    assert ChangeLog.objects.filter(action="create", object_type="people.person").count() == 3
    messages = [str(m) for m in response.context["messages"]]
    assert any("已导入 3 行" in m and "1 行" in m for m in messages)


def test_confirm_rechecks_rows_changed_since_the_preview(tree, login, township_cadre):
    from huigong.people import services

    a, b = ids(2)
    client = login(township_cadre)
    response = preview(client, [row("甲", a), row("乙", b)])
    token = response.context["token"]
    # Someone registers the second number between preview and confirm.
    services.register_person(
        actor=township_cadre, organization=tree.xinfa, name="抢先", id_number=b
    )
    response = client.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert set(Person.objects.values_list("name", flat=True)) == {"抢先", "甲"}
    messages = [str(m) for m in response.context["messages"]]
    assert any("已导入 1 行" in m and "跳过有错误的 1 行" in m for m in messages)


def test_confirm_needs_the_previewed_token(tree, login, township_cadre):
    client = login(township_cadre)
    preview(client, [row("甲", ids(1)[0])])
    response = client.post(URL, {"confirm": "1", "token": "forged"}, follow=True)
    assert "导入文件已失效" in response.content.decode()
    assert not Person.objects.exists()


def test_ambiguous_organization_name_asks_for_the_path(tree, login, county_cadre):
    OrganizationFactory.child(tree.baidishi, name="新发食品有限公司工会", kind="grassroots")
    response = preview(login(county_cadre), [row("甲", ids(1)[0])])
    error = errors_by_row(response.context["parsed"])[2][0]
    assert "2 个" in error and "完整路径" in error
    response = preview(
        login(county_cadre), [row("甲", ids(1)[0], org="黄土铺镇工会联合会/新发食品有限公司工会")]
    )
    assert response.context["parsed"].valid_rows


def test_credit_code_links_a_unionised_employer(tree, login, township_cadre):
    tree.xinfa.credit_code = "91110000600037341L"
    tree.xinfa.save()
    client = login(township_cadre)
    response = preview(client, [row("甲", ids(1)[0], employer="新发", code="91110000600037341L")])
    client.post(URL, {"confirm": "1", "token": response.context["token"]})
    person = Person.objects.get()
    assert person.employer == tree.xinfa
    assert person.employer_name == ""


def test_import_permission_matrix(client, login, tree, station_staff, sibling_cadre):
    assert client.get(URL).status_code == 302
    assert login(station_staff).get(URL).status_code == 403
    assert login(station_staff).post(URL, {"file": xlsx([row("甲", ids(1)[0])])}).status_code == 403
    # A sibling township can import, but not into 黄土铺镇.
    response = preview(login(sibling_cadre), [row("甲", ids(1)[0])])
    assert "未找到工会" in errors_by_row(response.context["parsed"])[2][0]
    assert not Person.objects.exists()


def test_missing_required_column_is_a_file_error(tree, login, township_cadre):
    response = preview(login(township_cadre), [["甲", "x"]], header=["姓名", "手机号"])
    assert "身份证号码" in response.context["parsed"].file_errors[0]


def test_spec_accepts_choice_labels_codes_and_short_forms(tree, township_cadre):
    spec = PersonImportSpec(actor=township_cadre)
    parse_form = next(c.parse for c in spec.columns if c.key == "employment_form")
    parse_type = next(c.parse for c in spec.columns if c.key == "new_form_type")
    assert parse_form("劳务派遣") == "dispatched"
    assert parse_form("NEW_FORM") == "new_form"
    assert parse_type("网约配送员(外卖骑手)") == "rider"
    assert parse_type("网约配送员（外卖骑手）") == "rider"
    assert parse_type("外卖骑手") == "rider"
    assert parse_type("快遞員") == "courier"


def test_spec_accepts_the_english_labels_its_english_messages_name(tree, township_cadre):
    spec = PersonImportSpec(actor=township_cadre)
    parse_form = next(c.parse for c in spec.columns if c.key == "employment_form")
    parse_type = next(c.parse for c in spec.columns if c.key == "new_form_type")
    with translation.override("en"):
        assert parse_form("Agency work") == "dispatched"
        assert parse_form("new form of employment") == "new_form"
        assert parse_form("劳务派遣") == "dispatched"
        assert parse_type("food delivery rider") == "rider"
        assert parse_type("Courier") == "courier"
        with pytest.raises(ValidationError) as exc:
            parse_form("temp")
    assert "Please enter one of: Labour contract, Agency work, " in exc.value.messages[0]
