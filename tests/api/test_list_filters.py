"""Every query parameter a list documents does what the document says.

``FILTERS`` holds one case per documented filter of every paginated list: the value sent
and the rows it must leave (each different from the unfiltered list, so a filter that is
declared but ignored fails). ``test_every_documented_filter_has_a_case`` reads the
OpenAPI document, so a filter declared later without a case here fails too."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from huigong.cases.models import Case, CaseCategory, Mediation
from huigong.cases.services import accept_case, seed_categories, submit_case
from huigong.cases.services import mediation as mediation_services
from huigong.common import workdays
from huigong.inspections import services as inspection_services
from huigong.orgs.models import Organization
from huigong.testing.factories import PersonFactory, make_id_number

from .conftest import API, bearer, operations

TZ = ZoneInfo("Asia/Shanghai")
PAGING = {"page", "page_size"}


@dataclass
class World:
    tree: object
    wage: CaseCategory
    c1: Case
    c2: Case
    c3: Case


@pytest.fixture
def world(tree, township_cadre, sibling_cadre, station_staff, county_cadre) -> World:
    """Two workers, three cases, two mediations and two inspections in the two sibling
    townships, each row differing from the others in the fields the filters read."""
    workdays.seed_holidays()
    seed_categories()
    categories = {c.code: c for c in CaseCategory.objects.all()}
    Organization.objects.filter(pk=tree.liuquan.pk).update(status="dissolved")
    wang = PersonFactory(
        organization=tree.xinfa,
        name="王建国",
        id_number=make_id_number(birth=datetime.date(1970, 5, 1), sex="M"),
        employment_form="standard",
        is_member=True,
    )
    li = PersonFactory(
        organization=tree.liuquan,
        name="李秀英",
        id_number=make_id_number(birth=datetime.date(1990, 8, 1), sex="F"),
        employment_form="new_form",
        new_form_type="rider",
        is_member=False,
    )
    c1 = submit_case(
        actor=station_staff,
        organization=tree.huangtupu,
        kind="rights",
        category=categories["wage_arrears"],
        channel="walk_in",
        title="工地欠薪",
        description="工地三个月工资未结清",
        applicants=[wang],
        now=datetime.datetime(2025, 12, 1, 10, tzinfo=TZ),  # long overdue by now
    )
    c2 = submit_case(
        actor=sibling_cadre,
        organization=tree.baidishi,
        kind="demand",
        category=categories["employment"],
        channel="hotline_12351",
        urgency="urgent",
        title="求职登记咨询",
        description="想登记求职意向",
        applicants=[li],
    )
    c3 = submit_case(
        actor=township_cadre,
        organization=tree.huangtupu,
        kind="rights",
        category=categories["labour_contract"],
        channel="walk_in",
        title="未签劳动合同",
        description="入职半年未签合同",
        applicants=[wang],
    )
    accept_case(actor=sibling_cadre, case=c2)
    accept_case(actor=township_cadre, case=c3)
    Case.objects.filter(pk=c2.pk).update(received_at=datetime.datetime(2025, 1, 15, 10, tzinfo=TZ))
    withdrawn = mediation_services.open_mediation(
        actor=sibling_cadre, case=c2, respondent_name="某人力资源公司"
    )
    mediation_services.withdraw_mediation(actor=sibling_cadre, mediation=withdrawn, reason="已和解")
    Mediation.objects.filter(pk=withdrawn.pk).update(
        opened_at=datetime.datetime(2025, 3, 1, 10, tzinfo=TZ)
    )
    mediation_services.open_mediation(
        actor=township_cadre, case=c3, respondent_name="祁东县某建材厂"
    )
    inspection_services.plan_inspection(
        actor=township_cadre,
        organization=tree.huangtupu,
        name="黄土铺镇民营企业用工检查",
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 31),
    )
    started = inspection_services.plan_inspection(
        actor=sibling_cadre,
        organization=tree.baidishi,
        name="白地市镇建筑工地检查",
        start_date=datetime.date(2025, 5, 1),
        end_date=datetime.date(2025, 5, 20),
    )
    inspection_services.start_inspection(actor=sibling_cadre, inspection=started)
    yield World(tree, categories["wage_arrears"], c1, c2, c3)
    workdays.invalidate_years()


ORGS = f"{API}/orgs/"
PERSONS = f"{API}/people/persons"
CASES = f"{API}/cases/cases"
MEDIATIONS = f"{API}/cases/mediations"
INSPECTIONS = f"{API}/cases/inspections"

#: How the rows of each list are told apart in the assertions.
LABEL = {
    ORGS: lambda item: item["name"],
    PERSONS: lambda item: item["name"],
    CASES: lambda item: item["title"],
    MEDIATIONS: lambda item: item["case"]["title"],
    INSPECTIONS: lambda item: item["name"],
}

#: (list, parameter) → world → (value sent, rows left).
FILTERS = {
    (ORGS, "q"): lambda w: ("黄土铺", {"黄土铺镇工会联合会"}),
    (ORGS, "kind"): lambda w: ("township", {"黄土铺镇工会联合会", "白地市镇工会联合会"}),
    (ORGS, "category"): lambda w: ("enterprise", {"新发食品有限公司工会"}),
    (ORGS, "status"): lambda w: ("dissolved", {"流泉村工会"}),
    (ORGS, "division_code"): lambda w: ("430426112", {"黄土铺镇工会联合会"}),
    (ORGS, "under"): lambda w: (w.tree.baidishi.pk, {"白地市镇工会联合会", "流泉村工会"}),
    (PERSONS, "q"): lambda w: ("王建国", {"王建国"}),
    (PERSONS, "organization"): lambda w: (w.tree.baidishi.pk, {"李秀英"}),
    (PERSONS, "employment_form"): lambda w: ("new_form", {"李秀英"}),
    (PERSONS, "new_form_type"): lambda w: ("rider", {"李秀英"}),
    (PERSONS, "is_member"): lambda w: ("true", {"王建国"}),
    (PERSONS, "sex"): lambda w: ("F", {"李秀英"}),
    (PERSONS, "birth_year_from"): lambda w: (1980, {"李秀英"}),
    (PERSONS, "birth_year_to"): lambda w: (1980, {"王建国"}),
    (CASES, "q"): lambda w: ("欠薪", {"工地欠薪"}),
    (CASES, "status"): lambda w: ("new", {"工地欠薪"}),
    (CASES, "category"): lambda w: (w.wage.pk, {"工地欠薪"}),
    (CASES, "kind"): lambda w: ("demand", {"求职登记咨询"}),
    (CASES, "channel"): lambda w: ("hotline_12351", {"求职登记咨询"}),
    (CASES, "urgency"): lambda w: ("urgent", {"求职登记咨询"}),
    (CASES, "organization"): lambda w: (w.tree.huangtupu.pk, {"工地欠薪", "未签劳动合同"}),
    (CASES, "received_from"): lambda w: ("2025-06-01", {"工地欠薪", "未签劳动合同"}),
    (CASES, "received_to"): lambda w: ("2025-01-31", {"求职登记咨询"}),
    (CASES, "queue"): lambda w: ("overdue", {"工地欠薪"}),
    (MEDIATIONS, "status"): lambda w: ("withdrawn", {"求职登记咨询"}),
    (MEDIATIONS, "organization"): lambda w: (w.tree.huangtupu.pk, {"未签劳动合同"}),
    (MEDIATIONS, "year"): lambda w: (2025, {"求职登记咨询"}),
    (INSPECTIONS, "q"): lambda w: ("建筑", {"白地市镇建筑工地检查"}),
    (INSPECTIONS, "status"): lambda w: ("in_progress", {"白地市镇建筑工地检查"}),
    (INSPECTIONS, "year"): lambda w: (2025, {"白地市镇建筑工地检查"}),
    (INSPECTIONS, "organization"): lambda w: (w.tree.huangtupu.pk, {"黄土铺镇民营企业用工检查"}),
}


def _labels(client, path: str, params: dict, headers: dict) -> set[str]:
    response = client.get(path, {**params, "page_size": 200}, **headers)
    assert response.status_code == 200, (path, params, response.content[:500])
    body = response.json()
    assert body["count"] == len(body["items"])
    return {LABEL[path](item) for item in body["items"]}


def test_every_documented_filter_has_a_case(openapi):
    declared = set()
    for method, path, operation in operations(openapi):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if method == "get" and names - PAGING:
            declared |= {(path, name) for name in names - PAGING}
    assert declared == set(FILTERS), (
        f"filters without a case: {sorted(declared - set(FILTERS))}; "
        f"cases of filters no longer documented: {sorted(set(FILTERS) - declared)}"
    )


@pytest.mark.parametrize(("path", "name"), sorted(FILTERS), ids=lambda v: str(v).rsplit("/")[-1])
def test_each_documented_filter_narrows_the_list_as_described(
    client, world, county_cadre, path, name
):
    headers = bearer(county_cadre, scope="read")
    value, expected = FILTERS[path, name](world)
    everything = _labels(client, path, {}, headers)
    assert expected < everything, "the case must leave out some rows of the full list"
    assert _labels(client, path, {name: value}, headers) == expected


def test_worker_filters_apply_to_their_own_cases(client, tree, worker, station_staff):
    workdays.seed_holidays()
    seed_categories()
    categories = {c.code: c for c in CaseCategory.objects.all()}
    for title, kind, category in [
        ("工地欠薪", "rights", "wage_arrears"),
        ("技能培训报名", "consultation", "skills_training"),
    ]:
        submit_case(
            actor=station_staff,
            organization=tree.huangtupu,
            kind=kind,
            category=categories[category],
            channel="walk_in",
            title=title,
            description=title,
            applicants=[worker.person],
        )
    headers = bearer(worker, scope="read")
    assert _labels(client, CASES, {}, headers) == {"工地欠薪", "技能培训报名"}
    assert _labels(client, CASES, {"q": "欠薪"}, headers) == {"工地欠薪"}
    assert _labels(client, CASES, {"kind": "consultation"}, headers) == {"技能培训报名"}
    wage = categories["wage_arrears"].pk
    assert _labels(client, CASES, {"category": wage}, headers) == {"工地欠薪"}
    workdays.invalidate_years()


def test_worker_mediation_filter_by_unknown_organization_is_just_empty(client, worker):
    headers = bearer(worker, scope="read")
    response = client.get(MEDIATIONS, {"organization": 2147483646}, **headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}
