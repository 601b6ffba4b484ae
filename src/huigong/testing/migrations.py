"""Helpers for tests of migrations that move models between apps: migrate the test
database to a point and back, a case written through the historical models, and the
check that a content type created early by
``post_migrate`` in the new app is merged into the old one (``kernel.migration_ops``)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huigong.accounts.models import Role

from .factories import UserFactory


def migrate(targets=None):
    """Migrate to ``targets`` (default: the latest) and return the historical apps of
    that state (``None`` for the latest)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    if targets is None:
        return None
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def old_case(old, org, *, due: datetime.date, **fields):
    """A wage-arrears case of ``org`` (with its category), written through the historical
    models ``old`` as the migrations before a move left them; ``fields`` say the rest
    (channel, status, description)."""
    category = old.get_model("cases", "CaseCategory").objects.create(
        path="0001", depth=1, numchild=0, code="wage_arrears", name="欠薪"
    )
    return old.get_model("cases", "Case").objects.create(
        province_id=org.pk,
        organization_id=org.pk,
        number="QD2026000001",
        kind="rights",
        category_id=category.pk,
        title="工地欠薪",
        accept_due=due,
        due_date=due,
        **fields,
    )


def check_early_content_type_is_merged(
    before, *, model: str, old_app: str, new_app: str, label: str
) -> None:
    """Before the move, the new app already has a content type for ``model`` with its own
    ``manage_<model>``/``view_<model>`` permissions held by a group and a user (what
    ``post_migrate`` would have made had it run between the new app's first migration and
    the move). After the move there is one content type — the old one, relabelled — and
    every holder keeps what it held, without duplicates."""
    manage_code, view_code = f"manage_{model}", f"view_{model}"
    try:
        migrate(before)
        old_type = ContentType.objects.get(app_label=old_app, model=model)
        old_manage = Permission.objects.get(content_type=old_type, codename=manage_code)
        Permission.objects.filter(content_type=old_type, codename=view_code).delete()
        role = Role.objects.create(code=f"{model}_admin", name=f"{label}管理")
        role.permissions.add(old_manage)
        early = ContentType.objects.create(app_label=new_app, model=model)
        early_manage = Permission.objects.create(
            content_type=early, codename=manage_code, name=f"管理{label}"
        )
        early_view = Permission.objects.create(
            content_type=early, codename=view_code, name=f"Can view {label}"
        )
        group = Group.objects.create(name=f"{label}管理员")
        group.permissions.add(early_manage, early_view)
        user = UserFactory(username="direct")
        user.user_permissions.add(early_manage)

        migrate()
        types = ContentType.objects.filter(model=model)
        assert [(t.pk, t.app_label) for t in types] == [(old_type.pk, new_app)]
        codenames = list(
            Permission.objects.filter(content_type=old_type)
            .order_by("codename")
            .values_list("codename", flat=True)
        )
        assert codenames == sorted(set(codenames))  # no duplicates
        assert {manage_code, view_code} <= set(codenames)
        assert not Permission.objects.filter(pk=early_manage.pk).exists()
        assert list(role.permissions.all()) == [old_manage]
        assert set(group.permissions.all()) == {
            old_manage,
            Permission.objects.get(pk=early_view.pk),
        }
        assert Permission.objects.get(pk=early_view.pk).content_type_id == old_type.pk
        assert list(user.user_permissions.all()) == [old_manage]
    finally:
        migrate()
