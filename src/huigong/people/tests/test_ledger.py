"""The township's ledger (台账) of people: station staff and township cadres export
exactly their township's workers and import workers into their own township only; staff
without the permission are refused and workers never reach the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huigong.imports.models import ImportJob
from huigong.people.models import Person
from huigong.testing.factories import PersonFactory, UserFactory, give_role
from huigong.testing.imports import start_url

from .test_imports import KIND, check, ids, row, xlsx
from .test_views import read_xlsx

LIST = reverse("people:list")


@pytest.fixture
def rosters(tree):
    """Two workers in 黄土铺镇 (one at the township itself, one in 新发食品) and two in the
    sibling township 白地市镇."""
    PersonFactory(organization=tree.huangtupu, name="黄土铺甲")
    PersonFactory(organization=tree.xinfa, name="黄土铺乙")
    PersonFactory(organization=tree.baidishi, name="白地市甲")
    PersonFactory(organization=tree.liuquan, name="白地市乙")


def exported_names(client, **params) -> list[str]:
    response = client.get(LIST, {"export": "xlsx", **params})
    assert response.status_code == 200
    return sorted(r[0] for r in read_xlsx(response)[1:])


@pytest.mark.parametrize("who", ["station_staff", "township_cadre"])
def test_township_export_holds_exactly_its_own_workers(login, request, rosters, who):
    names = exported_names(login(request.getfixturevalue(who)))
    assert names == ["黄土铺乙", "黄土铺甲"]


def test_sibling_township_exports_its_own_workers_only(login, sibling_cadre, rosters):
    assert exported_names(login(sibling_cadre)) == ["白地市乙", "白地市甲"]


def test_export_covers_only_where_the_export_is_granted(login, tree, roles, rosters):
    """A county auditor who is also the station clerk of 黄土铺镇 reads the county's
    workers but exports the township's only."""
    user = give_role(UserFactory(username="both"), "auditor", tree.county)
    give_role(user, "station_staff", tree.huangtupu)
    client = login(user)
    assert "白地市甲" in client.get(LIST).content.decode()
    assert exported_names(client) == ["黄土铺乙", "黄土铺甲"]


def test_staff_without_the_permission_and_workers_get_no_file(client, login, auditor, worker):
    assert login(auditor).get(LIST, {"export": "xlsx"}).status_code == 403
    assert login(auditor).get(start_url(KIND)).status_code == 403
    # A worker account never reaches a workbench page: it is sent to the portal.
    for url in (f"{LIST}?export=xlsx", start_url(KIND)):
        response = login(worker).get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:home")
    response = login(worker).post(start_url(KIND), {"file": xlsx([row("甲", ids(1)[0])])})
    assert response.status_code == 302
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["station_staff", "township_cadre"])
def test_township_imports_workers_into_its_own_township(login, request, tree, run_import, who):
    login(request.getfixturevalue(who))
    first, second = ids(2)
    run = check(run_import, [row("甲", first, org="新发食品有限公司工会"), row("乙", second)])
    assert run.row_errors() == {}
    run.confirm()
    assert sorted(Person.objects.values_list("name", "organization__name")) == [
        ("乙", "新发食品有限公司工会"),
        ("甲", "新发食品有限公司工会"),
    ]


def test_row_of_another_township_is_refused_with_its_reason(
    login, tree, township_cadre, run_import
):
    login(township_cadre)
    mine, theirs = ids(2)
    run = check(run_import, [row("甲", mine), row("乙", theirs, org="流泉村工会")])
    assert run.row_errors() == {
        3: ["第 3 行“所属工会”:未找到工会“流泉村工会”,或它不在您的管辖范围内"]
    }
    run.confirm()
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
    assert not Person.objects.filter(organization=tree.liuquan).exists()


def test_import_writes_only_where_the_import_is_granted(login, tree, roles, run_import):
    """A grid officer of the county who keeps the ledger of 黄土铺镇 only: they may register
    people county-wide by hand, but a file row for the sibling township is refused."""
    user = give_role(UserFactory(username="both"), "grid_officer", tree.county)
    give_role(user, "station_staff", tree.huangtupu)
    login(user)
    mine, theirs = ids(2)
    run = check(run_import, [row("甲", mine), row("乙", theirs, org="流泉村工会")])
    assert run.row_errors() == {3: ["第 3 行“所属工会”:您没有在“流泉村工会”登记职工的权限"]}
    run.confirm()
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
