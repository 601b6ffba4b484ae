"""The township's ledger (台账) of cases: station staff and township cadres export exactly
their township's cases; staff without the permission are refused and workers never reach
the page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from huigong.testing.factories import make_id_number

LIST = reverse("cases:list")


def exported_numbers(client, url=LIST) -> list[str]:
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    return sorted(r[0] for r in rows.to_python()[1:])


@pytest.fixture
def ledgers(tree, make_case, sibling_cadre):
    """Two cases of 黄土铺镇 and one of the sibling township 白地市镇."""

    def applicant(name):
        return [{"name": name, "id_number": make_id_number()}]

    mine = [
        make_case(applicants=applicant("王建国")),
        make_case(organization=tree.xinfa, applicants=applicant("赵敏")),
    ]
    theirs = make_case(
        actor=sibling_cadre, organization=tree.baidishi, applicants=applicant("李秀英")
    )
    return sorted(c.number for c in mine), theirs.number


@pytest.mark.parametrize("who", ["station_staff", "township_cadre"])
def test_township_export_holds_exactly_its_own_cases(login, request, ledgers, who):
    mine, theirs = ledgers
    numbers = exported_numbers(login(request.getfixturevalue(who)))
    assert numbers == mine
    assert theirs not in numbers


def test_sibling_township_exports_its_own_cases_only(login, sibling_cadre, ledgers):
    mine, theirs = ledgers
    assert exported_numbers(login(sibling_cadre)) == [theirs]


def test_a_queue_export_stays_inside_the_township(login, station_staff, ledgers):
    mine, theirs = ledgers
    client = login(station_staff)
    assert exported_numbers(client, reverse("cases:queue", args=["awaiting"])) == mine


def test_staff_without_the_permission_and_workers_get_no_file(login, auditor, worker, ledgers):
    assert login(auditor).get(LIST).status_code == 200
    assert login(auditor).get(LIST, {"export": "xlsx"}).status_code == 403
    response = login(worker).get(LIST, {"export": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_export_link_shows_for_the_station(login, station_staff, auditor):
    assert "export=xlsx" in login(station_staff).get(LIST).content.decode()
    assert "export=xlsx" not in login(auditor).get(LIST).content.decode()
