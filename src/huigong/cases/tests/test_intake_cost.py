"""Intake at constant cost: the duplicate and open-wage-case checks look at the handling
organization's county only (and still find every duplicate there), each check keeps its
own order and limit, and a submission sends a fixed number of queries (the ceilings
below fail when one creeps back in)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from huigong.cases import services
from huigong.cases.models import Case, EventKind
from huigong.cases.services.intake import duplicate_area
from huigong.testing.factories import (
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    give_role,
    make_id_number,
)

from .conftest import at

EMPLOYER = "祁东县某建筑劳务公司"

#: Queries of one submission (the figures of the issue "Intake at constant cost"; before
#: it: worker API 25 without and 28 with an employer, staff 34 with a known person and
#: 44 registering a new one; then 14, 17, 22 and 30 until the roles were read once per
#: request and the handlers were told by one INSERT … SELECT). Telling the worker of the
#: receipt (their inbox and SMS) costs up to three more: the accounts to tell with their
#: preferences, the notification and its delivery.
WORKER_API_CEILING = 13 + 3
WORKER_PORTAL_CEILING = 16 + 3
STAFF_API_KNOWN_PERSON_CEILING = 17 + 3
STAFF_API_NEW_PERSON_CEILING = 25 + 3


@pytest.fixture
def other_county(tree):
    """A second county under the same city, with one township and one union."""
    county = OrganizationFactory.child(tree.city, name="衡南县总工会", kind="county")
    township = OrganizationFactory.child(county, name="车江镇工会联合会", kind="township")
    union = OrganizationFactory.child(township, name="车江砖厂工会", kind="grassroots")
    return county, township, union


def system_case(organization, wage, **values):
    """A case taken in by the system (``actor=None``) at ``organization``, for a new
    worker unless ``applicants`` says otherwise."""
    fields = {
        "kind": "rights",
        "category": wage,
        "channel": "walk_in",
        "title": "欠薪",
        "description": "工资未结清。",
        "employer_name": EMPLOYER,
        "now": at(2026, 3, 2),
        "applicants": [PersonFactory(organization=organization)],
    }
    fields.update(values)
    return services.submit_case(actor=None, organization=organization, **fields)


def duplicates(wage, area, *persons, ids_only=False, now=None):
    """``find_duplicates`` of a wage case against ``EMPLOYER`` (and ``persons``) in ``area``."""
    return services.find_duplicates(
        actor=None,
        category=wage,
        persons=persons,
        employer_name=EMPLOYER,
        now=now or at(2026, 3, 4),
        area=area,
        ids_only=ids_only,
    )


def received_duplicates(case) -> list[int]:
    return case.events.get(kind=EventKind.RECEIVED).data["possible_duplicates"]


def test_duplicate_area_is_the_county_above_the_handler(tree, other_county):
    county, township, union = other_county
    assert duplicate_area(tree.xinfa) == tree.county
    assert duplicate_area(tree.huangtupu) == tree.county
    assert duplicate_area(union) == county
    assert duplicate_area(tree.county) == tree.county
    # Above county level the organization itself is the area.
    assert duplicate_area(tree.city) == tree.city
    # A township under a city without counties (东莞): the city.
    dongguan = OrganizationFactory.child(tree.province, name="东莞市总工会", kind="city")
    town = OrganizationFactory.child(dongguan, name="长安镇工会", kind="township")
    assert duplicate_area(town) == dongguan


def test_worker_submission_finds_duplicates_in_its_county_only(worker, wage, tree, other_county):
    """Same person and same employer within 祁东 are proposed; the same person's and the
    same employer's cases in 衡南 are not looked at."""
    _county, township, _union = other_county
    here_person = system_case(tree.huangtupu, wage, applicants=[worker.person])
    here_employer = system_case(tree.baidishi, wage)
    there_person = system_case(township, wage, applicants=[worker.person])
    there_employer = system_case(township, wage)
    case = services.submit_case(
        actor=worker,
        kind="demand",
        category=wage,
        title="工资拖欠",
        description="拖欠两个月工资。",
        employer_name=EMPLOYER,
        now=at(2026, 3, 3),
    )
    assert received_duplicates(case) == sorted([here_person.pk, here_employer.pk])
    assert there_person.pk not in received_duplicates(case)
    assert there_employer.pk not in received_duplicates(case)


def test_group_case_is_proposed_from_the_countys_open_wage_cases(wage, tree):
    """Three open wage cases against one employer in the county make a group-case
    proposal, oldest first; same-employer and same-person lists are newest first; a case
    matching two checks is in both lists."""
    person = PersonFactory(organization=tree.huangtupu)
    first = system_case(tree.huangtupu, wage, applicants=[person], now=at(2026, 3, 2, 9))
    second = system_case(tree.baidishi, wage, now=at(2026, 3, 2, 10))
    third = system_case(tree.huangtupu, wage, applicants=[person], now=at(2026, 3, 2, 11))
    withdrawn = system_case(tree.huangtupu, wage, applicants=[person], now=at(2026, 3, 2, 12))
    services.withdraw_case(actor=None, case=withdrawn, reason="已解决")
    report = duplicates(wage, tree.county, person)
    assert report.same_person == [third, first]
    assert report.same_employer == [third, second, first]
    assert report.group_case == [first, second, third]
    assert report.ids == sorted([first.pk, second.pk, third.pk])
    assert duplicates(wage, tree.county, person, ids_only=True).ids == report.ids
    # Bounded to one township, the other township's case is not looked at.
    report = duplicates(wage, tree.huangtupu)
    assert report.same_employer == [third, first]
    assert report.group_case == []  # two open wage cases: no group proposal


def test_each_check_keeps_its_own_limit(wage, tree):
    """Twenty-five cases of one person and employer: 20 newest of each 30-day check, the
    50 oldest open wage cases (here all 25) for the group proposal."""
    person = PersonFactory(organization=tree.huangtupu)
    cases = [
        system_case(
            tree.huangtupu, wage, applicants=[person], now=at(2026, 3, 1 + i // 8, 8 + i % 8)
        )
        for i in range(25)
    ]
    report = duplicates(wage, tree.county, person, now=at(2026, 3, 5))
    newest = cases[::-1][:20]
    assert report.same_person == newest
    assert report.same_employer == newest
    assert report.group_case == cases


def test_worker_api_submission_has_a_query_ceiling(
    api, worker, categories, make_case, django_assert_max_num_queries
):
    earlier = make_case()  # a same-employer case for the duplicate check to find
    client = api(worker)
    body = {
        "category_id": categories["wage_arrears"].pk,
        "description": "老板拖欠工资 5000 元",
        "employer_name": EMPLOYER,
    }
    # The first submission also creates the year's number sequence.
    first = client.post("/cases", body).json()["id"]
    with django_assert_max_num_queries(WORKER_API_CEILING):
        response = client.post("/cases", body)
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    # What the answer shows without reading back: the party, the timeline, no extras.
    assert [p["name"] for p in data["parties"]] == [worker.person.name]
    assert [e["kind"] for e in data["timeline"]] == ["received"]
    assert data["attachments"] == data["mediations"] == []
    assert data["number"] == case.number and data["organization"]["id"] == case.organization_id
    assert received_duplicates(case) == [earlier.pk, first]


def test_worker_portal_submission_has_a_query_ceiling(
    client, worker, categories, make_case, django_assert_max_num_queries
):
    make_case()
    client.force_login(worker)
    body = {
        "kind": "demand",
        "category": categories["wage_arrears"].pk,
        "description": "新发食品拖欠我两个月工资。",
        "employer_name": EMPLOYER,
    }
    client.post(reverse("portal:case_submit"), body)
    with django_assert_max_num_queries(WORKER_PORTAL_CEILING):
        response = client.post(reverse("portal:case_submit"), body)
    assert response.status_code == 302
    assert Case.objects.filter(parties__person=worker.person).count() == 2


def test_staff_api_submission_has_a_query_ceiling(
    api, station_staff, categories, tree, make_case, django_assert_max_num_queries
):
    make_case()
    known = PersonFactory(organization=tree.xinfa, name="刘德华")
    client = api(station_staff)
    body = {
        "organization_id": tree.huangtupu.pk,
        "channel": "hotline_12351",
        "kind": "rights",
        "category_id": categories["wage_arrears"].pk,
        "description": "集体欠薪",
        "employer_name": EMPLOYER,
    }
    client.post("/cases", {**body, "applicants": [{"person_id": known.pk}]})
    with django_assert_max_num_queries(STAFF_API_KNOWN_PERSON_CEILING):
        response = client.post("/cases", {**body, "applicants": [{"person_id": known.pk}]})
    assert response.status_code == 201, response.content
    assert [p["name"] for p in response.json()["parties"]] == ["刘德华"]
    new_person = {"name": "张小龙", "id_number": make_id_number()}
    with django_assert_max_num_queries(STAFF_API_NEW_PERSON_CEILING):
        response = client.post("/cases", {**body, "applicants": [new_person]})
    assert response.status_code == 201, response.content
    assert [p["name"] for p in response.json()["parties"]] == ["张小龙"]
    assert Case.objects.count() == 4


def test_staff_group_intake_reads_named_persons_at_once(
    api, station_staff, categories, tree, django_assert_max_num_queries
):
    """Thirty workers named by id cost what three do: the persons are read in one query
    by the API and checked in one by the service."""
    persons = [PersonFactory(organization=tree.xinfa) for _ in range(30)]
    client = api(station_staff)

    def submit(chosen):
        return client.post(
            "/cases",
            {
                "organization_id": tree.huangtupu.pk,
                "channel": "walk_in",
                "kind": "rights",
                "category_id": categories["wage_arrears"].pk,
                "description": "集体欠薪",
                "applicants": [{"person_id": p.pk} for p in chosen],
            },
        )

    submit(persons[:3])
    with django_assert_max_num_queries(STAFF_API_KNOWN_PERSON_CEILING) as few:
        assert submit(persons[:3]).status_code == 201
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = submit(persons)
    assert response.status_code == 201, response.content
    assert len(response.json()["parties"]) == 30


def test_intake_page_proposes_duplicates_from_the_receiving_county_only(
    login, roles, wage, tree, other_county
):
    """The intake page's check before saving is bounded as the service's is: a city
    cadre taking a case in at 黄土铺镇 is shown the same employer's case in 祁东, not the
    one in 衡南, although both are in their scope."""
    _county, township, _union = other_county
    here = system_case(tree.baidishi, wage, now=timezone.now())
    there = system_case(township, wage, now=timezone.now())
    city_cadre = give_role(
        UserFactory(username="city", name="市总干部"), "federation_cadre", tree.city
    )
    data = {
        "organization": tree.huangtupu.pk,
        "channel": "walk_in",
        "kind": "rights",
        "category": wage.pk,
        "description": "老板拖欠工资 8000 元。",
        "complexity": "ordinary",
        "urgency": "normal",
        "employer_name": EMPLOYER,
        "new_name": "张小龙",
        "new_id_number": make_id_number(),
    }
    response = login(city_cadre).post(reverse("cases:intake"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="duplicates"' in body
    assert here.number in body
    assert there.number not in body
    assert Case.objects.count() == 2  # nothing saved before the duplicates are confirmed
