"""Moving the inspection models from ``cases`` to ``inspections`` keeps everything: the
campaign, its departments, targets, findings (and the case opened from one), orders and
timeline; the content types and permission rows (so roles, groups and users keep what
they held) and the audit history."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from huigong.accounts.models import Role, RoleAssignment
from huigong.audit.models import AccessLog, ChangeLog
from huigong.cases.models import Case
from huigong.inspections.models import (
    Inspection,
    InspectionEvent,
    InspectionFinding,
    InspectionTarget,
    RectificationOrder,
)
from huigong.kernel.scope import user_can_at
from huigong.partners.models import Department
from huigong.testing.factories import UserFactory
from huigong.testing.migrations import check_early_content_type_is_merged, migrate, old_case

MOVE = importlib.import_module("huigong.cases.migrations.0011_inspections_to_own_app")
#: Just before the move: ``cases`` at the migration the move follows, ``inspections`` empty.
BEFORE = [*(d for d in MOVE.Migration.dependencies if d[0] == "cases"), ("inspections", None)]
MODELS = [
    "inspection",
    "inspectionevent",
    "inspectionfinding",
    "inspectiontarget",
    "rectificationorder",
]


_migrate = migrate


def _old_campaign(old, org, department, actor):
    """A campaign with a department, a target, a finding that became a case, an order and
    a timeline event, written through the models as they were before the move."""
    today = datetime.date(2026, 3, 2)
    inspection = old.get_model("cases", "Inspection").objects.create(
        organization_id=org.pk,
        name="春季联合执法检查",
        start_date=today,
        end_date=today,
        status="in_progress",
    )
    inspection.departments.add(department.pk)
    target = old.get_model("cases", "InspectionTarget").objects.create(
        inspection_id=inspection.pk, name="祁东县宏达建筑劳务有限公司", workers_employed=95
    )
    case = old_case(
        old,
        org,
        due=today,
        channel="inspection",
        status="submitted",
        description="9 名农民工被拖欠工资",
    )
    finding = old.get_model("cases", "InspectionFinding").objects.create(
        target_id=target.pk,
        kind="wage_arrears",
        workers_affected=9,
        description="9 名农民工被拖欠工资",
        case_id=case.pk,
    )
    order = old.get_model("cases", "RectificationOrder").objects.create(
        finding_id=finding.pk, requirement="十日内足额支付", due_date=today
    )
    event = old.get_model("cases", "InspectionEvent").objects.create(
        inspection_id=inspection.pk, kind="started", actor_id=actor.pk, to_status="in_progress"
    )
    return inspection, target, finding, order, event, case


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_keeps_rows_links_permissions_and_history(tree):
    cadre = UserFactory(username="cadre")
    department = Department.objects.create(
        organization=tree.county, name="县劳动监察大队", kind="labour_inspection"
    )
    try:
        old = _migrate(BEFORE)
        old_types = {m: ContentType.objects.get(app_label="cases", model=m) for m in MODELS}
        assert not ContentType.objects.filter(app_label="inspections").exists()
        manage = Permission.objects.get(
            content_type=old_types["inspection"], codename="manage_inspection"
        )
        view = Permission.objects.get(
            content_type=old_types["inspection"], codename="view_inspection"
        )
        role = Role.objects.create(code="inspector", name="执法检查员")
        role.permissions.add(manage, view)
        RoleAssignment.objects.create(user=cadre, role=role, organization=tree.huangtupu)
        group = Group.objects.create(name="执法检查")
        group.permissions.add(manage)
        inspection, target, finding, order, event, case = _old_campaign(
            old, tree.huangtupu, department, cadre
        )
        changed = ChangeLog.objects.create(
            action="update",
            object_type="cases.rectificationorder",
            object_id=str(order.pk),
            object_repr="整改通知",
        )
        created = ChangeLog.objects.create(
            action="create",
            object_type="cases.inspection",
            object_id=str(inspection.pk),
            object_repr=inspection.name,
        )
        opened = AccessLog.objects.create(
            actor=cadre,
            object_type="cases.inspectionfinding",
            object_id=str(finding.pk),
            object_repr="发现问题",
            fields="description",
        )
        untouched = ChangeLog.objects.create(
            action="create", object_type="cases.case", object_id=str(case.pk)
        )

        _migrate()
        moved = Inspection.objects.get(pk=inspection.pk)
        assert (moved.name, moved.status, moved.organization) == (
            "春季联合执法检查",
            "in_progress",
            tree.huangtupu,
        )
        assert list(moved.departments.all()) == [department]
        assert InspectionTarget.objects.get(pk=target.pk).inspection == moved
        assert InspectionFinding.objects.get(pk=finding.pk).case == Case.objects.get(pk=case.pk)
        assert Case.objects.get(pk=case.pk).inspection_finding.pk == finding.pk
        assert RectificationOrder.objects.get(pk=order.pk).finding_id == finding.pk
        assert list(moved.events.values_list("pk", "actor")) == [(event.pk, cadre.pk)]
        assert InspectionEvent.objects.get(pk=event.pk).inspection == moved
        # The same content types and permission rows, now under inspections.
        for model_name, old_type in old_types.items():
            new_type = ContentType.objects.get(app_label="inspections", model=model_name)
            assert new_type.pk == old_type.pk
        assert not ContentType.objects.filter(app_label="cases", model__in=MODELS).exists()
        assert ContentType.objects.get_for_model(Inspection).pk == old_types["inspection"].pk
        assert set(role.permissions.all()) == {manage, view}
        assert list(group.permissions.all()) == [manage]
        assert user_can_at(cadre, "inspections.manage_inspection", tree.huangtupu.path)
        assert ChangeLog.objects.get(pk=changed.pk).object_type == "inspections.rectificationorder"
        assert ChangeLog.objects.get(pk=created.pk).object_type == "inspections.inspection"
        assert AccessLog.objects.get(pk=opened.pk).object_type == "inspections.inspectionfinding"
        assert ChangeLog.objects.get(pk=untouched.pk).object_type == "cases.case"

        back = _migrate(BEFORE)
        restored = back.get_model("cases", "Inspection").objects.get(pk=inspection.pk)
        assert restored.name == "春季联合执法检查"
        assert back.get_model("cases", "RectificationOrder").objects.filter(pk=order.pk).exists()
        assert ContentType.objects.get(pk=old_types["inspection"].pk).app_label == "cases"
        assert ChangeLog.objects.get(pk=created.pk).object_type == "cases.inspection"
        assert AccessLog.objects.get(pk=opened.pk).object_type == "cases.inspectionfinding"
    finally:
        _migrate()


@pytest.mark.django_db(transaction=True)
def test_an_inspections_content_type_made_early_is_merged_into_the_old_one(tree):
    check_early_content_type_is_merged(
        BEFORE, model="inspection", old_app="cases", new_app="inspections", label="联合执法检查"
    )
