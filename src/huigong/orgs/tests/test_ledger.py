"""The township's ledger (台账) of organizations: station staff and township cadres export
exactly their township's unions and import unions under their own township only; staff
without the permission are refused and workers never reach the pages."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from huigong.orgs.models import Organization
from huigong.testing.imports import start_url

from .conftest import db_state
from .test_imports import KIND, check, xlsx

LIST = reverse("orgs:list")


def exported_names(client) -> list[str]:
    response = client.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return sorted(r[0] for r in rows[1:])


@pytest.mark.parametrize("who", ["station_staff", "township_cadre"])
def test_township_export_holds_exactly_its_own_organizations(login, request, tree, who):
    names = exported_names(login(request.getfixturevalue(who)))
    assert names == sorted(["黄土铺镇工会联合会", "新发食品有限公司工会"])


def test_sibling_township_exports_its_own_organizations_only(login, tree, sibling_cadre):
    assert exported_names(login(sibling_cadre)) == sorted(["白地市镇工会联合会", "流泉村工会"])


def test_staff_without_the_permission_and_workers_get_no_file(login, tree, auditor, worker):
    assert login(auditor).get(LIST, {"export": "xlsx"}).status_code == 403
    assert login(auditor).get(start_url(KIND)).status_code == 403
    before = db_state()
    for url in (f"{LIST}?export=xlsx", start_url(KIND)):
        response = login(worker).get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:home")
    row = ["某厂工会", "黄土铺镇工会联合会", "基层工会", "", "", "", ""]
    assert login(worker).post(start_url(KIND), {"file": xlsx([row])}).status_code == 302
    assert db_state() == before


@pytest.mark.parametrize("who", ["station_staff", "township_cadre"])
def test_township_imports_unions_under_its_own_township_only(login, request, tree, run_import, who):
    login(request.getfixturevalue(who))
    run = check(
        run_import,
        [
            ["宏达建材厂工会", "黄土铺镇工会联合会", "基层工会", "企业", "", "", "35"],
            ["云桥村工会", "白地市镇工会联合会", "基层工会", "", "", "", ""],
        ],
    )
    assert run.row_errors() == {
        3: ["第 3 行:“上级组织”列:找不到上级组织“白地市镇工会联合会”,或它不在您可以导入的范围内"]
    }
    run.confirm()
    created = Organization.objects.get(name="宏达建材厂工会")
    assert Organization.objects.get_parent(created) == tree.huangtupu
    assert not Organization.objects.filter(name="云桥村工会").exists()
