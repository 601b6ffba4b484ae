"""The organization import names the columns of a file that it does not read."""

from django.core.files.uploadedfile import SimpleUploadedFile

from huigong.common.excel import workbook_bytes
from huigong.imports.models import ImportState


def check(run_import, header, rows):
    data = workbook_bytes(header, rows)
    return run_import("orgs.organization", SimpleUploadedFile("组织.xlsx", data))


def test_job_page_names_ignored_columns(client, tree, county_cadre, run_import):
    header = ["名称*", "上级组织*", "类型*", "性别", "备注", "名称"]
    rows = [["步云桥镇工会联合会", "祁东县总工会", "乡镇工会", "男", "新建", "重复的名称"]]
    client.force_login(county_cadre)
    run = check(run_import, header, rows)
    assert run.count("valid-rows") == 1
    assert run.texts("ignored-columns") == [
        "以下列不在模板中,已忽略:性别、备注",
        "以下列与前面的同名列重复,只读取了前面一列:名称",
    ]


def test_missing_required_column_still_names_ignored_ones(client, tree, county_cadre, run_import):
    client.force_login(county_cadre)
    run = check(
        run_import,
        ["组织名称", "上级组织", "类型"],
        [["步云桥镇工会联合会", "祁东县总工会", "乡镇工会"]],
    )
    assert run.job.state == ImportState.FAILED
    assert run.texts("file-error") == ["缺少必填列:名称"]
    assert 'data-testid="confirm-import"' not in run.html
    assert run.texts("ignored-columns") == ["以下列不在模板中,已忽略:组织名称"]
