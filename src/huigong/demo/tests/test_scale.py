"""The bulk generator of synthetic counties (``demo --scale``)."""

from __future__ import annotations

import pytest

from huigong.accounts.models import Role, RoleAssignment
from huigong.accounts.services import seed_roles
from huigong.demo.scale import SYNTHETIC_CITY, generate_counties, synthetic_id_number
from huigong.orgs.models import Organization, OrgKind
from huigong.people.models import Person
from huigong.people.validators import check_id_number
from huigong.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_PROBLEMS = ([], [], [], [], [])


def small(counties: int = 2):
    return generate_counties(counties, townships=3, units_per_township=4, persons_per_unit=2)


def test_generated_tree_is_consistent_for_treebeard():
    result = small(2)
    assert (result.counties, result.organizations, result.persons) == (2, 2 * 16, 2 * 24)
    assert Organization.objects.find_problems() == NO_PROBLEMS
    city = Organization.objects.get(name=SYNTHETIC_CITY)
    tree = Organization.objects
    assert city.numchild == 2 == tree.get_children_count(city)
    for county in tree.get_children(city):
        assert county.kind == OrgKind.COUNTY
        assert tree.get_descendant_count(county) == 3 * (1 + 4)
        assert county.numchild == 3
        township = tree.get_children(county)[1]
        assert tree.get_children_count(township) == township.numchild == 4
        assert {c.kind for c in tree.get_children(township)} == {OrgKind.GRASSROOTS}

    # treebeard keeps working on the generated nodes.
    township = Organization.objects.get(pk=township.pk)
    added = Organization.objects.add_child(
        township, instance=Organization(name="新建工会", kind=OrgKind.GRASSROOTS)
    )
    assert added.path == township.path + "0005"
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_second_run_appends_new_counties():
    small(1)
    small(1)
    city = Organization.objects.get(name=SYNTHETIC_CITY)
    children = Organization.objects.get_children(city)
    assert [c.path[-4:] for c in children] == ["0001", "0002"]
    assert Organization.objects.find_problems() == NO_PROBLEMS
    assert Person.objects.values("id_number_hash").distinct().count() == Person.objects.count()


def test_visible_to_works_on_generated_data():
    small(2)
    seed_roles()
    city = Organization.objects.get(name=SYNTHETIC_CITY)
    county = Organization.objects.get_children(city)[1]
    township = Organization.objects.get_children(county)[2]
    cadre = UserFactory(username="gen-cadre")
    RoleAssignment.objects.create(
        user=cadre, role=Role.objects.get(code="township_cadre"), organization=township
    )
    visible = Person.objects.visible_to(cadre)
    assert visible.count() == 4 * 2
    assert all(Organization.objects.get_parent(p.organization) == township for p in visible)


def test_bulk_persons_match_what_save_would_store():
    small(1)
    bulk = Person.objects.order_by("id").first()
    derived = ["name_pinyin", "id_number_hash", "id_last4_hash", "birth_year", "sex"]
    derived += ["phone_hash", "phone_last4_hash"]
    expected = {f: getattr(bulk, f) for f in derived}
    inputs = {"organization": bulk.organization, "name": bulk.name}
    inputs |= {"id_number": bulk.id_number, "phone": bulk.phone}
    bulk.delete()  # the ID number is unique
    saved = Person(**inputs)
    saved.save()
    saved.refresh_from_db()
    assert {f: getattr(saved, f) for f in derived} == expected


def test_prepare_bulk_with_and_without_validation_agree():
    small(1)
    org = Organization.objects.filter(kind=OrgKind.GRASSROOTS).first()
    raw = " " + synthetic_id_number(123456).lower() + " "
    checked, trusted = (
        Person.prepare_bulk([Person(organization=org, name="王 建国", id_number=raw)], validated=v)[
            0
        ]
        for v in (False, True)
    )
    fields = ["name", "name_pinyin", "id_number", "id_number_hash", "birth_year", "sex"]
    assert [getattr(checked, f) for f in fields] == [getattr(trusted, f) for f in fields]
    Person.objects.bulk_create([checked])
    stored = Person.objects.with_id_number(raw).get()
    assert stored.id_number == raw.strip().upper()
    assert stored.name == "王 建国"


def test_synthetic_id_numbers_are_distinct_and_valid():
    numbers = [synthetic_id_number(i) for i in range(0, 200_000, 7)]
    assert len(set(numbers)) == len(numbers)
    sexes = [check_id_number(n).sex for n in numbers[:2000]]
    assert 0.4 < sexes.count("M") / len(sexes) < 0.6
