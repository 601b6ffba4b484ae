"""Excel import of the organization tree: parents by name path or division code, rows
that build on earlier rows, per-row Chinese errors, scope, check then confirm (the import
engine's job pages)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from huigong.common.excel import workbook_bytes
from huigong.imports.models import ImportState
from huigong.orgs.imports import OrganizationImportSpec
from huigong.orgs.models import Organization
from huigong.testing.factories import OrganizationFactory
from huigong.testing.imports import start_url

from .conftest import db_state

KIND = "orgs.organization"
HEADER = [
    "名称*",
    "上级组织*",
    "类型*",
    "基层工会类别",
    "行政区划代码",
    "统一社会信用代码",
    "职工人数",
]


def parse(actor, rows, header=HEADER):
    return OrganizationImportSpec(actor=actor).parse(header, rows)


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("组织.xlsx", workbook_bytes(header, rows))


def check(run_import, rows, header=HEADER):
    """Upload the rows with the logged-in client; the job once checked, with its page."""
    return run_import(KIND, xlsx(rows, header))


def test_rows_may_use_partial_paths_codes_and_earlier_rows(tree, county_cadre):
    parsed = parse(
        county_cadre,
        [
            ["步云桥镇工会联合会", "祁东县总工会", "乡镇(街道)工会", "", "430426105", "", ""],
            ["云桥村工会", "430426105", "基层工会", "农村社区", "", "", ""],
            [
                "白地市镇第二小学工会",
                "祁东县总工会/白地市镇工会联合会",
                "基层工会",
                "",
                "",
                "",
                "35",
            ],
            ["步云桥镇卫生院工会", "步云桥镇工会联合会", "基层工会", "行政事业", "", "", ""],
        ],
    )
    assert [r.errors for r in parsed.rows] == [[], [], [], []]


def test_confirmed_import_creates_the_tree_in_file_order(client, tree, county_cadre, run_import):
    client.force_login(county_cadre)
    rows = [
        ["步云桥镇工会联合会", "衡阳市总工会/祁东县总工会", "乡镇工会", "", "430426105", "", ""],
        ["云桥村工会", "祁东县总工会/步云桥镇工会联合会", "基层工会", "农村社区", "", "", "１２０"],
        ["宏達建材廠工會", "430426105", "基层工会", "企业", "", "91110000600037341l", ""],
    ]
    run = check(run_import, rows)
    assert (run.count("valid-rows"), run.count("error-rows")) == (3, 0)
    assert not Organization.objects.filter(name="步云桥镇工会联合会").exists()
    run.confirm()
    assert run.count("imported-rows") == 3
    township = Organization.objects.get(name="步云桥镇工会联合会")
    assert Organization.objects.get_parent(township) == tree.county
    village = Organization.objects.get(name="云桥村工会")
    assert Organization.objects.get_parent(village) == township
    assert village.employee_count == 120
    factory = Organization.objects.get(name="宏达建材厂工会")  # normalised to Simplified
    assert factory.credit_code == "91110000600037341L"
    assert Organization.objects.get_parent(factory) == township


def test_row_errors_name_the_row_and_the_column(tree, county_cadre):
    parsed = parse(
        county_cadre,
        [
            ["", "祁东县总工会", "基层工会", "", "", "", ""],
            ["某工会", "祁东县总工会", "合作社", "", "", "", ""],
            ["某某工会", "祁东县总工会", "基层工会", "", "12", "91110000600037341X", "-5"],
            ["某镇工会联合会", "新发食品有限公司工会", "乡镇工会", "", "", "", ""],
            ["新发食品有限公司工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""],
            ["某村工会", "不存在的镇工会", "基层工会", "", "", "", ""],
            ["某乡工会联合会", "祁东县总工会", "乡镇工会", "企业", "", "", ""],
        ],
    )
    errors = [r.errors for r in parsed.rows]
    assert errors[0] == ["第 2 行“名称”:必填"]
    assert errors[1][0].startswith("第 3 行“类型”:无法识别的类型,请填写:省总工会")
    assert errors[2] == [
        "第 4 行“行政区划代码”:行政区划代码应为 6 位(县级及以上)、9 位(乡镇街道)或 12 位(村、社区),当前为 2 位",
        "第 4 行“统一社会信用代码”:统一社会信用代码的校验位不正确,请核对是否抄错",
        "第 4 行“职工人数”:职工人数不能为负数",
    ]
    assert errors[3] == [
        "第 5 行:“类型”列:乡镇(街道)工会不能设在基层工会“新发食品有限公司工会”之下"
    ]
    assert errors[4] == [
        "第 6 行:“名称”列:“黄土铺镇工会联合会”下已有名为“新发食品有限公司工会”的组织"
    ]
    assert errors[5] == [
        "第 7 行:“上级组织”列:找不到上级组织“不存在的镇工会”,或它不在您可以导入的范围内"
    ]
    assert errors[6] == ["第 8 行:“基层工会类别”列:只有基层工会才有类别"]
    assert not parsed.valid_rows


def test_duplicate_rows_in_the_file_are_refused(tree, county_cadre):
    parsed = parse(
        county_cadre,
        [
            ["宏达建材厂工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""],
            ["宏達建材廠工會", "祁东县总工会/黄土铺镇工会联合会", "基层工会", "", "", "", ""],
            ["宏达建材厂工会", "白地市镇工会联合会", "基层工会", "", "", "", ""],
        ],
    )
    assert parsed.rows[0].ok and parsed.rows[2].ok
    assert parsed.rows[1].errors == [
        "第 3 行:“名称”列:本文件前面已有“黄土铺镇工会联合会”下的同名组织“宏达建材厂工会”"
    ]


def test_a_row_under_a_failed_row_fails_too(tree, county_cadre):
    parsed = parse(
        county_cadre,
        [
            ["步云桥镇工会联合会", "祁东县总工会", "基层工会", "", "", "", "-1"],
            ["云桥村工会", "步云桥镇工会联合会", "基层工会", "", "", "", ""],
        ],
    )
    assert not parsed.rows[0].ok
    assert "找不到上级组织“步云桥镇工会联合会”" in parsed.rows[1].errors[0]


def test_parents_outside_the_scope_are_not_found(tree, township_cadre):
    parsed = parse(
        township_cadre,
        [
            ["某村工会", "白地市镇工会联合会", "基层工会", "", "", "", ""],
            ["某村工会", "430426111", "基层工会", "", "", "", ""],
            ["某厂工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""],
        ],
    )
    assert "找不到上级组织“白地市镇工会联合会”" in parsed.rows[0].errors[0]
    assert "找不到行政区划代码为 430426111 的组织" in parsed.rows[1].errors[0]
    assert parsed.rows[2].ok


def test_ambiguous_parent_names_ask_for_a_longer_path(tree, county_cadre):
    OrganizationFactory.child(tree.baidishi, name="中心学校工会", kind="grassroots")
    OrganizationFactory.child(tree.huangtupu, name="中心学校工会", kind="grassroots")
    twin_a = OrganizationFactory.child(tree.baidishi, name="农业服务中心", kind="regional")
    OrganizationFactory.child(tree.huangtupu, name="农业服务中心", kind="regional")
    parsed = parse(
        county_cadre,
        [
            ["合作社工会", "农业服务中心", "基层工会", "", "", "", ""],
            ["合作社工会", "白地市镇工会联合会/农业服务中心", "基层工会", "", "", "", ""],
        ],
    )
    assert "上级组织“农业服务中心”不止一个" in parsed.rows[0].errors[0]
    assert parsed.rows[1].ok
    assert parsed.rows[1].values["_parent"].org == twin_a


def test_confirm_checks_the_rows_again_against_the_database(client, tree, county_cadre, run_import):
    client.force_login(county_cadre)
    run = check(
        run_import,
        [
            ["宏达建材厂工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""],
            ["云桥村工会", "白地市镇工会联合会", "基层工会", "", "", "", ""],
        ],
    )
    assert run.count("valid-rows") == 2
    # Meanwhile someone registers the first union by hand: it is not created twice.
    OrganizationFactory.child(tree.huangtupu, name="宏达建材厂工会", kind="grassroots")
    run.confirm()
    assert (run.count("imported-rows"), run.count("rejected-rows")) == (1, 1)
    assert run.row_errors() == {
        2: ["第 2 行:“名称”列:“黄土铺镇工会联合会”下已有名为“宏达建材厂工会”的组织"]
    }
    assert Organization.objects.filter(name="宏达建材厂工会").count() == 1
    assert Organization.objects.filter(name="云桥村工会").count() == 1


def import_refusing(run_import, monkeypatch, rows, name: str):
    """Check ``rows``, then import them while the registry refuses to create the
    organization ``name`` (as if the data had changed after the check)."""
    from django.core.exceptions import ValidationError

    from huigong.orgs import imports

    run = check(run_import, rows)
    real_create = imports.create_organization

    def create_or_refuse(**kwargs):
        if kwargs["name"] == name:
            raise ValidationError("上级组织刚刚被撤销")
        return real_create(**kwargs)

    monkeypatch.setattr(imports, "create_organization", create_or_refuse)
    return run.confirm()


def test_a_row_refused_at_import_is_reported_and_the_rest_written(
    client, tree, county_cadre, run_import, monkeypatch
):
    client.force_login(county_cadre)
    rows = [
        ["宏达建材厂工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""],
        ["云桥村工会", "白地市镇工会联合会", "基层工会", "", "", "", ""],
    ]
    run = import_refusing(run_import, monkeypatch, rows, "云桥村工会")
    assert run.job.state == ImportState.DONE
    assert (run.count("imported-rows"), run.count("rejected-rows")) == (1, 1)
    assert run.row_errors() == {3: ["第 3 行:上级组织刚刚被撤销"]}
    assert Organization.objects.filter(name="宏达建材厂工会").count() == 1
    assert not Organization.objects.filter(name="云桥村工会").exists()
    assert 'data-testid="rejected-workbook"' in run.html


def test_a_row_under_a_row_refused_at_import_is_refused_too(
    client, tree, county_cadre, run_import, monkeypatch
):
    client.force_login(county_cadre)
    rows = [
        ["步云桥镇工会联合会", "祁东县总工会", "乡镇工会", "", "", "", ""],
        ["云桥村工会", "步云桥镇工会联合会", "基层工会", "", "", "", ""],
        ["宏达建材厂工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""],
    ]
    run = import_refusing(run_import, monkeypatch, rows, "步云桥镇工会联合会")
    assert run.job.state == ImportState.DONE
    assert (run.count("imported-rows"), run.count("rejected-rows")) == (1, 2)
    assert list(run.row_errors()) == [2, 3]
    assert Organization.objects.filter(name="宏达建材厂工会").exists()


def test_bad_files_get_a_clear_message(client, tree, county_cadre, run_import):
    client.force_login(county_cadre)
    run = run_import(KIND, SimpleUploadedFile("组织.xlsx", b"not an excel file"))
    assert run.job.state == ImportState.FAILED
    assert "无法读取该文件" in run.texts("file-error")[0]
    run = check(run_import, [["某工会", "基层工会"]], header=["名称", "类型"])
    assert run.texts("file-error") == ["缺少必填列:上级组织"]


def test_template_download_lists_the_columns(client, tree, county_cadre):
    client.force_login(county_cadre)
    assert client.get(reverse("orgs:import"))["Location"] == start_url(KIND)
    response = client.get(start_url(KIND), {"template": "1"})
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:3] == ("名称*", "上级组织*", "类型*")


@pytest.mark.parametrize(("who", "status"), [("hr", 403), ("auditor", 403)])
def test_import_needs_the_import_permission(client, tree, request, who, status):
    client.force_login(request.getfixturevalue(who))
    before = db_state()
    assert client.get(start_url(KIND)).status_code == status
    response = client.post(
        start_url(KIND),
        {"file": xlsx([["某工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""]])},
    )
    assert response.status_code == status
    assert db_state() == before


ENGLISH_HEADER = [
    "Name*",
    "Parent organization*",
    "Type*",
    "Grassroots union category",
    "Administrative division code",
    "Unified social credit code",
    "Number of workers",
]


@pytest.fixture
def english(client):
    """The interface in English (the language cookie). The English requests leave English
    active in this thread: the test runs inside the default language, restored after."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override(settings.LANGUAGE_CODE):
        yield


def test_the_english_interface_offers_an_english_template(client, tree, county_cadre, english):
    client.force_login(county_cadre)
    response = client.get(start_url(KIND), {"template": "1"})
    assert "template.xlsx" in response["Content-Disposition"]
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:3] == tuple(ENGLISH_HEADER[:3])


def test_the_english_interface_imports_english_and_chinese_files(
    client, tree, county_cadre, english, run_import
):
    """With the interface in English the template has English headers and the help and
    errors name English types: those are accepted, and so is a file in Chinese."""
    client.force_login(county_cadre)
    rows = [
        [
            "步云桥镇工会联合会",
            "祁东县总工会",
            "Township (subdistrict) union",
            "",
            "430426105",
            "",
            "",
        ],
        ["云桥村工会", "430426105", "grassroots union", "village and community", "", "", ""],
    ]
    for header in (ENGLISH_HEADER, HEADER):
        run = check(run_import, rows, header=header)
        assert run.texts("file-error") == []
        assert (run.count("valid-rows"), run.count("error-rows")) == (2, 0)
    run = check(run_import, [["某工会", "祁东县总工会", "union", "", "", "", ""]])
    (error,) = run.texts("row-errors")
    assert (
        "Unrecognized type; please enter one of: Provincial federation of trade unions, " in error
    )
