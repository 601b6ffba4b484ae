"""Managing partner departments: the services (permission at the department's
organization, validation, audit, no-op edits), the member candidates, and the workbench
pages with their permission matrix and query count."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from huigong.audit.models import ChangeLog
from huigong.partners import policy, services
from huigong.partners.models import Department, DepartmentKind


@pytest.fixture
def township_department(tree, township_cadre):
    return services.create_department(
        actor=township_cadre,
        organization=tree.huangtupu,
        name="黄土铺镇司法所",
        kind=DepartmentKind.JUSTICE,
        response_days=3,
    )


def logs(department):
    return ChangeLog.objects.filter(object_type="partners.department", object_id=str(department.pk))


# -- services ------------------------------------------------------------------------------------


def test_county_cadre_creates_a_department_with_a_member(county_cadre, partner, tree):
    department = services.create_department(
        actor=county_cadre,
        organization=tree.county,
        name=" 县人社局劳动监察大队 ",
        kind=DepartmentKind.LABOUR_INSPECTION,
        response_days="5",
        contact_name="何志明",
        contact_phone="0734-6212345",
        members=[partner.pk],
    )
    assert department.name == "县人社局劳动监察大队"
    assert list(department.members.all()) == [partner]
    log = logs(department).get()
    assert log.action == "create" and log.changes["members"] == [None, [partner.pk]]


def test_create_is_validated_field_by_field(county_cadre, tree, labour_inspection, township_cadre):
    with pytest.raises(ValidationError) as exc:
        services.create_department(
            actor=county_cadre,
            organization=tree.county,
            name=labour_inspection.name,
            kind="bank",
            response_days=0,
            members=[township_cadre.pk],
        )
    assert set(exc.value.message_dict) == {"name", "kind", "response_days", "members"}
    assert "本组织已登记同名的协作部门" in exc.value.message_dict["name"]
    assert Department.objects.count() == 1


def test_managing_needs_the_permission_at_the_departments_organization(
    tree, township_cadre, sibling_cadre, station_staff, township_department
):
    with pytest.raises(PermissionDenied):
        services.create_department(
            actor=township_cadre, organization=tree.county, name="县法院", kind="court"
        )
    for user in (sibling_cadre, station_staff):
        with pytest.raises(PermissionDenied):
            services.update_department(actor=user, department=township_department, name="改名")
        with pytest.raises(PermissionDenied):
            services.deactivate_department(actor=user, department=township_department)
    township_department.refresh_from_db()
    assert township_department.name == "黄土铺镇司法所" and township_department.is_active


def test_update_changes_only_what_is_given_and_no_op_writes_nothing(
    county_cadre, labour_inspection, partner
):
    services.update_department(actor=county_cadre, department=labour_inspection, response_days=3)
    labour_inspection.refresh_from_db()
    assert labour_inspection.response_days == 3 and labour_inspection.kind == "labour_inspection"
    assert logs(labour_inspection).get().changes == {"response_days": [5, 3]}
    services.update_department(
        actor=county_cadre, department=labour_inspection, response_days=3, members=[]
    )
    assert logs(labour_inspection).count() == 1
    services.update_department(actor=county_cadre, department=labour_inspection, members=[partner])
    assert list(labour_inspection.members.all()) == [partner]
    assert logs(labour_inspection).count() == 2


def test_deactivating_twice_is_refused_and_logged_once(county_cadre, labour_inspection):
    services.deactivate_department(actor=county_cadre, department=labour_inspection)
    with pytest.raises(ValidationError) as exc:
        services.deactivate_department(actor=county_cadre, department=labour_inspection)
    assert exc.value.error_list[0].code == "invalid_state"
    labour_inspection.refresh_from_db()
    assert labour_inspection.is_active is False
    assert logs(labour_inspection).get().changes == {"is_active": [True, False]}


def test_member_candidates_hold_the_partner_role_in_the_managers_scope(
    tree, roles, county_cadre, township_cadre, partner, station_staff
):
    assert list(policy.member_candidates(county_cadre)) == [partner]
    # The partner account sits at the county: outside a township cadre's reach.
    assert not policy.member_candidates(township_cadre).exists()
    assert not policy.member_candidates(station_staff).exists()  # manages no departments
    assert list(policy.member_candidates(None)) == [partner]


# -- pages --------------------------------------------------------------------------------------

LIST = reverse("partners:departments")
NEW = reverse("partners:department_new")


def test_department_pages_permission_matrix(
    client, township_department, station_staff, sibling_cadre, partner
):
    edit = reverse("partners:department_edit", args=[township_department.pk])
    off = reverse("partners:department_deactivate", args=[township_department.pk])
    for url in (LIST, NEW, edit):
        assert client.get(url).status_code == 302  # to sign-in
    for user in (station_staff, partner):  # in scope, no manage_department
        client.force_login(user)
        for url in (LIST, NEW, edit):
            assert client.get(url).status_code == 403
        assert client.post(off).status_code == 403
    client.force_login(sibling_cadre)  # may manage, but not 黄土铺镇's departments
    assert client.get(edit).status_code == 404
    assert client.post(off).status_code == 404
    assert (
        client.post(edit, {"name": "改名", "kind": "justice", "response_days": 3}).status_code
        == 404
    )
    assert "黄土铺镇司法所" not in client.get(LIST).content.decode()
    township_department.refresh_from_db()
    assert township_department.name == "黄土铺镇司法所" and township_department.is_active


def test_create_edit_and_deactivate_through_the_pages(client, county_cadre, partner, tree):
    client.force_login(county_cadre)
    form = client.get(NEW).content.decode()
    assert "何志明" in form  # the partner account is offered as a member
    response = client.post(
        NEW,
        {
            "organization": tree.county.pk,
            "name": "县人社局劳动监察大队",
            "kind": "labour_inspection",
            "response_days": "5",
            "members": [partner.pk],
        },
    )
    assert response.status_code == 302
    department = Department.objects.get(name="县人社局劳动监察大队")
    assert list(department.members.all()) == [partner]

    edit = reverse("partners:department_edit", args=[department.pk])
    bad = client.post(edit, {"name": "", "kind": "labour_inspection", "response_days": "0"})
    assert bad.status_code == 400
    assert 'data-testid="error-response_days"' in bad.content.decode()
    ok = client.post(
        edit, {"name": "县劳动监察大队", "kind": "labour_inspection", "response_days": "4"}
    )
    assert ok.status_code == 302
    department.refresh_from_db()
    assert department.name == "县劳动监察大队" and department.response_days == 4
    assert not department.members.exists()

    client.post(reverse("partners:department_deactivate", args=[department.pk]))
    department.refresh_from_db()
    assert department.is_active is False
    assert "已停用" in client.get(LIST).content.decode()


def test_department_list_query_count(
    client, county_cadre, tree, partner, django_assert_max_num_queries
):
    for n in range(8):
        services.create_department(
            actor=county_cadre,
            organization=tree.county,
            name=f"部门{n}",
            kind="other",
            members=[partner],
        )
    client.force_login(county_cadre)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.content.decode().count('data-testid="department-row"') == 8
