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
from huigong.imports.models import ImportJob, ImportState
from huigong.people.imports import PersonImportSpec
from huigong.people.models import Person
from huigong.testing.factories import OrganizationFactory, make_id_number
from huigong.testing.imports import job_url, start_url

from .conftest import MINE_ID, OLD_ID, THEIRS_ID

URL = reverse("people:import")
KIND = "people.person"
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


def check(run_import, rows, **kwargs):
    """Upload the rows with the logged-in client; the job once checked, with its page."""
    return run_import(KIND, xlsx(rows, **kwargs))


def ids(n: int) -> list[str]:
    return [make_id_number(birth=datetime.date(1980 + i, 1, 1)) for i in range(n)]


def test_the_import_page_leads_to_the_engine_and_offers_the_template(tree, login, township_cadre):
    client = login(township_cadre)
    assert client.get(URL)["Location"] == start_url(KIND)
    response = client.get(start_url(KIND), {"template": 1})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert sheet.to_python()[0] == HEADER


def test_check_reports_row_errors_and_writes_nothing(
    tree, login, township_cadre, mine, theirs, run_import
):
    a, b, c = ids(3)
    login(township_cadre)
    run = check(
        run_import,
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
    errors = run.row_errors()
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
    assert (run.count("valid-rows"), run.count("error-rows")) == (1, 9)
    assert Person.objects.count() == 2  # only mine and theirs
    rejected = run.client.get(job_url("rejected", run.job))
    cells = CalamineWorkbook.from_filelike(io.BytesIO(rejected.content)).get_sheet_by_index(0)
    assert THEIRS_ID in [r[1] for r in cells.to_python()]  # the importer's own input
    assert "王建国" not in run.html + str(cells.to_python())  # not who holds it elsewhere


def test_numeric_id_cell_is_recognised_as_damaged(tree, login, township_cadre, run_import):
    # What Excel keeps of an 18-digit number cell (a number ending in X cannot be one).
    damaged = float(int(next(i for i in ids(20) if i[-1] != "X")))
    login(township_cadre)
    errors = check(run_import, [row("甲", damaged)]).row_errors()
    assert list(errors) == [2]
    assert "4.30426" in errors[2][0]
    assert "文本" in errors[2][0]


def test_confirm_imports_valid_rows_through_the_service(tree, login, township_cadre, run_import):
    a, b = ids(2)
    login(township_cadre)
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
    run = check(run_import, rows)
    assert run.count("valid-rows") == 3
    assert any(w.startswith("第 5 行:") and "430426" in w for w in run.texts("row-warnings"))
    assert 'data-testid="confirm-import"' in run.html
    assert not Person.objects.exists()

    run.confirm()
    assert (run.count("imported-rows"), run.count("error-rows")) == (3, 1)
    assert reverse("people:list") in run.html
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


def test_a_row_registered_since_the_check_is_reported_and_the_rest_imported(
    tree, login, township_cadre, run_import
):
    from huigong.people import services

    a, b = ids(2)
    login(township_cadre)
    run = check(run_import, [row("甲", a), row("乙", b)])
    # Someone registers the second number between the check and the confirmation.
    services.register_person(
        actor=township_cadre, organization=tree.xinfa, name="抢先", id_number=b
    )
    run.confirm()
    assert set(Person.objects.values_list("name", flat=True)) == {"抢先", "甲"}
    assert (run.count("imported-rows"), run.count("rejected-rows")) == (1, 1)
    assert list(run.row_errors()) == [3]
    assert run.job.issues.get(level="error").phase == "import"


def test_ambiguous_organization_name_asks_for_the_path(tree, login, county_cadre, run_import):
    OrganizationFactory.child(tree.baidishi, name="新发食品有限公司工会", kind="grassroots")
    login(county_cadre)
    error = check(run_import, [row("甲", ids(1)[0])]).row_errors()[2][0]
    assert "2 个" in error and "完整路径" in error
    run = check(run_import, [row("甲", ids(1)[0], org="黄土铺镇工会联合会/新发食品有限公司工会")])
    assert run.count("valid-rows") == 1


def test_credit_code_links_a_unionised_employer(tree, login, township_cadre, run_import):
    tree.xinfa.credit_code = "91110000600037341L"
    tree.xinfa.save()
    login(township_cadre)
    check(run_import, [row("甲", ids(1)[0], employer="新发", code="91110000600037341L")]).confirm()
    person = Person.objects.get()
    assert person.employer == tree.xinfa
    assert person.employer_name == ""


def test_import_permission_matrix(client, login, tree, auditor, sibling_cadre, run_import):
    url = start_url(KIND)
    assert client.get(url).status_code == 302
    assert login(auditor).get(url).status_code == 403
    assert login(auditor).post(url, {"file": xlsx([row("甲", ids(1)[0])])}).status_code == 403
    assert not ImportJob.objects.exists()
    # A sibling township can import, but not into 黄土铺镇.
    login(sibling_cadre)
    run = check(run_import, [row("甲", ids(1)[0])])
    assert "未找到工会" in run.row_errors()[2][0]
    assert not Person.objects.exists()


def test_missing_required_column_is_a_file_error(tree, login, township_cadre, run_import):
    login(township_cadre)
    run = check(run_import, [["甲", "x"]], header=["姓名", "手机号"])
    assert run.job.state == ImportState.FAILED
    assert "身份证号码" in run.texts("file-error")[0]
    assert 'data-testid="confirm-import"' not in run.html


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
