"""The logs in Django admin are read-only, even for superusers."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from huigong.audit.models import AccessLog, ChangeLog

from .conftest import page_text


@pytest.mark.parametrize("model", [ChangeLog, AccessLog])
def test_admin_grants_no_add_change_or_delete(rf, superuser, model):
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.parametrize(("model", "key"), [(ChangeLog, "mine"), (AccessLog, "mine_access")])
def test_superuser_cannot_add_edit_or_delete_in_admin(client, logs, superuser, model, key):
    row = logs[key]
    name = f"admin:audit_{model._meta.model_name}"
    client.force_login(superuser)

    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert client.post(reverse(f"{name}_add"), {"object_repr": "伪造"}).status_code == 403

    change_url = reverse(f"{name}_change", args=[row.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert "王建军" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    client.post(change_url, {"object_repr": "篡改", "actor_name": "某人"})

    delete_url = reverse(f"{name}_delete", args=[row.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse(f"{name}_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )

    row.refresh_from_db()
    assert row.object_repr == "王建军"
    assert model.objects.filter(pk=row.pk).exists()


def test_admin_change_log_shows_readable_changes(client, logs, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:audit_changelog_change", args=[logs["mine"].pk]))
    assert "姓名:王建国 → 王建军" in page_text(page)


def test_admin_list_is_scoped_for_staff_who_are_not_superusers(client, logs, auditor):
    auditor.is_staff = True
    auditor.save()
    client.force_login(auditor)
    page = client.get(reverse("admin:audit_changelog_changelist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "王建军" in body and "李秀兰" in body
    assert "衡阳市总工会" not in body
