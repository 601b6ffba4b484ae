"""Moving the department model from ``cases`` to ``partners`` keeps everything: rows,
members, referrals and inspections pointing at them, the content type and permission rows
(so roles, groups and users keep what they held) and the audit history."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from huigong.accounts.models import Role, RoleAssignment
from huigong.audit.models import ChangeLog
from huigong.cases.models import Referral
from huigong.inspections.models import Inspection
from huigong.kernel.scope import user_can_at
from huigong.partners.models import Department
from huigong.testing.factories import UserFactory
from huigong.testing.migrations import check_early_content_type_is_merged, migrate, old_case

MOVE = importlib.import_module("huigong.cases.migrations.0008_department_to_partners")
#: Just before the move: ``cases`` at the migration the move follows, ``partners`` empty.
BEFORE = [*(d for d in MOVE.Migration.dependencies if d[0] == "cases"), ("partners", None)]


_migrate = migrate


def _old_department(old, org, member):
    """A department with a member, a referral and an inspection, written through the
    models as they were before the move."""
    department = old.get_model("cases", "Department").objects.create(
        organization_id=org.pk, name="县劳动监察大队", kind="labour_inspection", response_days=4
    )
    department.members.add(member.pk)
    today = datetime.date(2026, 3, 2)
    case = old_case(
        old, org, due=today, channel="walk_in", status="referred", description="三个月工资未结清"
    )
    referral = old.get_model("cases", "Referral").objects.create(
        case_id=case.pk, department_id=department.pk, due_date=today, note="请依法查处"
    )
    inspection = old.get_model("cases", "Inspection").objects.create(
        organization_id=org.pk, name="春季联合执法检查", start_date=today, end_date=today
    )
    inspection.departments.add(department.pk)
    return department, referral, inspection


@pytest.mark.django_db(transaction=True)
def test_moving_the_model_keeps_rows_links_permissions_and_history(tree):
    member = UserFactory(username="brigade")
    cadre = UserFactory(username="cadre")
    try:
        old = _migrate(BEFORE)
        old_type = ContentType.objects.get(app_label="cases", model="department")
        assert not ContentType.objects.filter(app_label="partners").exists()
        manage = Permission.objects.get(content_type=old_type, codename="manage_department")
        role = Role.objects.create(code="dept_admin", name="部门管理")
        role.permissions.add(manage)
        RoleAssignment.objects.create(user=cadre, role=role, organization=tree.county)
        group = Group.objects.create(name="部门管理员")
        group.permissions.add(manage)
        department, referral, inspection = _old_department(old, tree.county, member)
        log = ChangeLog.objects.create(
            action="create",
            object_type="cases.department",
            object_id=str(department.pk),
            object_repr=department.name,
        )

        _migrate()
        moved = Department.objects.get(pk=department.pk)
        assert (moved.name, moved.kind, moved.response_days, moved.organization) == (
            "县劳动监察大队",
            "labour_inspection",
            4,
            tree.county,
        )
        assert list(moved.members.all()) == [member]
        assert Referral.objects.get(pk=referral.pk).department == moved
        assert list(Inspection.objects.get(pk=inspection.pk).departments.all()) == [moved]
        # The same content type and permission rows, now under partners.
        new_type = ContentType.objects.get_for_model(Department)
        assert new_type.pk == old_type.pk and new_type.app_label == "partners"
        assert not ContentType.objects.filter(app_label="cases", model="department").exists()
        assert Permission.objects.get(pk=manage.pk).content_type_id == old_type.pk
        assert list(role.permissions.all()) == [manage]
        assert list(group.permissions.all()) == [manage]
        assert user_can_at(cadre, "partners.manage_department", tree.huangtupu.path)
        assert ChangeLog.objects.get(pk=log.pk).object_type == "partners.department"

        back = _migrate(BEFORE)
        assert back.get_model("cases", "Department").objects.get(pk=department.pk).name == (
            "县劳动监察大队"
        )
        assert ContentType.objects.get(pk=old_type.pk).app_label == "cases"
        assert ChangeLog.objects.get(pk=log.pk).object_type == "cases.department"
    finally:
        _migrate()


@pytest.mark.django_db(transaction=True)
def test_a_partners_content_type_made_early_is_merged_into_the_old_one(tree):
    check_early_content_type_is_merged(
        BEFORE, model="department", old_app="cases", new_app="partners", label="协作部门"
    )
