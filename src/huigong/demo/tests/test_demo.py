"""The demo county: what ``python -m huigong demo`` loads and prints."""

from __future__ import annotations

import pytest
from django.core.management import CommandError
from django.urls import reverse
from stdnum.cn import ric, uscc

from huigong.accounts.models import RoleAssignment, User
from huigong.accounts.roles import ROLES
from huigong.cases.models import Case
from huigong.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, WORKER_PHONE, WORKER_USERNAME
from huigong.orgs.models import Grid, Organization, OrgKind
from huigong.people.models import EmploymentForm, HouseholdMember, Person
from huigong.people.validators import check_id_number

from .conftest import run_demo

pytestmark = pytest.mark.django_db


def org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def test_demo_builds_the_county_tree(demo_output):
    county = org("祁东县总工会")
    assert county.division_code == "430426"
    ancestors = Organization.objects.get_ancestors(county)
    assert [a.name for a in ancestors] == ["湖南省总工会", "衡阳市总工会"]
    children = Organization.objects.get_children(county)
    townships = [c for c in children if c.kind == OrgKind.TOWNSHIP]
    assert {"黄土铺镇工会联合会", "白地市镇工会联合会", "洪桥街道工会联合会"} <= {
        t.name for t in townships
    }
    # 24 townships and sub-districts plus the development zone: 25 township-level
    # federations, and the county's new-form workers' federation beside them.
    assert len(townships) == 24
    assert {c.kind for c in children} == {OrgKind.TOWNSHIP, OrgKind.REGIONAL, OrgKind.INDUSTRY}
    assert len(children) == 26
    assert Organization.objects.find_problems() == ([], [], [], [], [])

    huangtupu = org("黄土铺镇工会联合会")
    assert {"祁东县新发食品有限公司工会", "大荣村工会", "四马堂村工会"} <= {
        c.name for c in Organization.objects.get_children(huangtupu)
    }
    assert org("流泉村工会").is_descendant_of(org("白地市镇工会联合会"))
    grassroots = Organization.objects.filter(kind=OrgKind.GRASSROOTS)
    assert set(grassroots.values_list("category", flat=True)) == {
        "public",
        "enterprise",
        "rural_community",
    }
    assert all(o.employee_count for o in grassroots)
    for code in grassroots.exclude(credit_code="").values_list("credit_code", flat=True):
        assert uscc.is_valid(code), code


def test_demo_grids_have_three_levels_and_an_officer(demo_output):
    huangtupu = org("黄土铺镇工会联合会")
    grids = Grid.objects.filter(organization=huangtupu)
    assert set(grids.values_list("level", flat=True)) == {"area", "grid", "micro"}
    assert Grid.objects.find_problems() == ([], [], [], [], [])
    officer = User.objects.get(username="grid")
    assert grids.filter(officers=officer, level="micro").exists()
    assert not Grid.objects.filter(officers=officer).exclude(organization=huangtupu).exists()


def test_demo_persons_are_valid_and_varied(demo_output):
    persons = list(Person.objects.all())
    assert 300 <= len(persons) <= 1000
    for person in persons:
        check = check_id_number(person.id_number)  # raises on a bad checksum or date
        assert person.id_number[17] == ric.calc_check_digit(person.id_number)
        assert (person.birth_year, person.sex) == (check.birth_date.year, check.sex)
        assert 1960 <= person.birth_year <= 2002
        assert len(person.phone) == 11
    # Older workers registered under 430426 before the code existed are accepted, though
    # stdnum's strict check would reject them.
    older = [p for p in persons if p.id_number.startswith("430426") and p.birth_year < 1983]
    assert older and not ric.is_valid(older[0].id_number)
    forms = {p.employment_form for p in persons}
    assert {EmploymentForm.STANDARD, EmploymentForm.NEW_FORM, EmploymentForm.FLEXIBLE} <= forms
    assert {"rider", "courier", "ride_hailing"} <= {p.new_form_type for p in persons}
    assert any(p.employer_id for p in persons)
    assert len({p.id_number for p in persons}) == len(persons)
    members = list(HouseholdMember.objects.all())
    assert members
    for member in members:
        check_id_number(member.id_number)


def test_if_empty_loads_once_and_always_prints_the_accounts(demo_output):
    def counts():
        models = (Organization, Person, User, Case)
        return tuple(model.objects.count() for model in models)

    before = counts()
    again = run_demo("--if-empty")
    assert "not loaded" in again
    assert counts() == before
    for output in (demo_output, again):
        for account in DEMO_ACCOUNTS:
            assert account.username in output
        assert DEMO_PASSWORD in output
    with pytest.raises(CommandError):
        run_demo()


def test_every_demo_account_can_sign_in(demo_output, client, settings):
    # The login page, with django-axes watching, for one staff account...
    response = client.post(
        reverse("accounts:login"), {"username": "huangtupu", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="huangtupu").pk)
    client.logout()
    # ...and every account through the authentication backends (client.login passes no
    # request, which axes requires).
    settings.AXES_ENABLED = False
    for account in DEMO_ACCOUNTS:
        if account.role == "worker":
            continue
        assert client.login(username=account.username, password=DEMO_PASSWORD), account
        client.logout()
    assert client.login(phone=WORKER_PHONE, password=DEMO_PASSWORD)
    worker = User.objects.get(username=WORKER_USERNAME)
    assert WORKER_PHONE not in worker.username
    assert worker.is_worker and worker.person.name == "肖华清"
    assert worker.person.organization.name == "四马堂村工会"
    # One staff account for each seeded role.
    held = set(RoleAssignment.objects.values_list("role__code", flat=True))
    assert held == set(ROLES)
    assert User.objects.get(username="admin").is_superuser


def test_township_cadre_sees_only_own_township_persons(demo_output):
    huangtupu, baidishi = org("黄土铺镇工会联合会"), org("白地市镇工会联合会")
    cadre = User.objects.get(username="huangtupu")
    visible = Person.objects.visible_to(cadre)
    assert visible.exists()
    assert all(p.organization.path.startswith(huangtupu.path) for p in visible)
    assert (
        visible.count()
        == Person.objects.filter(organization__path__startswith=huangtupu.path).count()
    )
    assert not visible.filter(organization__path__startswith=baidishi.path).exists()
    sibling = Person.objects.visible_to(User.objects.get(username="baidishi"))
    assert sibling.exists() and not sibling.filter(pk__in=visible).exists()
    county = Person.objects.visible_to(User.objects.get(username="county"))
    assert county.count() == Person.objects.count()
