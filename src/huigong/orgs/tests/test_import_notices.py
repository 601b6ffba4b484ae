"""The organization import names the columns of a file that it does not read."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huigong.common.excel import workbook_bytes


def test_preview_names_ignored_columns(client, tree, county_cadre):
    header = ["名称*", "上级组织*", "类型*", "性别", "备注", "名称"]
    rows = [["步云桥镇工会联合会", "祁东县总工会", "乡镇工会", "男", "新建", "重复的名称"]]
    client.force_login(county_cadre)
    data = workbook_bytes(header, rows)
    response = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("组织.xlsx", data)})
    parsed = response.context["parsed"]
    assert len(parsed.valid_rows) == 1
    assert parsed.notices == [
        "以下列不在模板中,已忽略:性别、备注",
        "以下列与前面的同名列重复,只读取了前面一列:名称",
    ]
    body = response.content.decode()
    assert all(notice in body for notice in parsed.notices)


def test_missing_required_column_still_names_ignored_ones(client, tree, county_cadre):
    data = workbook_bytes(
        ["组织名称", "上级组织", "类型"], [["步云桥镇工会联合会", "祁东县总工会", "乡镇工会"]]
    )
    client.force_login(county_cadre)
    response = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("组织.xlsx", data)})
    body = response.content.decode()
    assert "缺少必填列:名称" in body
    assert "以下列不在模板中,已忽略:组织名称" in body
    assert response.context["token"] == ""
