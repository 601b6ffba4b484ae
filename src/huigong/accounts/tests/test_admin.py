import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from huigong.accounts.models import ApiToken, Role, RoleAssignment, User
from huigong.accounts.services import issue_api_token
from huigong.audit.models import ChangeLog
from huigong.testing.factories import UserFactory

#: The management form of the role-assignment inline, with no rows.
NO_ASSIGNMENTS = {
    "assignments-TOTAL_FORMS": "0",
    "assignments-INITIAL_FORMS": "0",
    "assignments-MIN_NUM_FORMS": "0",
    "assignments-MAX_NUM_FORMS": "1000",
}


def _user_form(user, **extra):
    data = {
        "username": user.username,
        "name": user.name,
        "kind": user.kind,
        "email": "",
        "person": "",
        "is_active": "on",
        **NO_ASSIGNMENTS,
    }
    data.update(extra)
    return data


def _assignment_row(assignment=None, **fields) -> dict[str, str]:
    """The inline's data for one row: ``assignment`` as it stands, or a new one; ``fields``
    (``role``, ``organization``, ``valid_until``, ``DELETE``) as posted."""
    row = {"assignments-TOTAL_FORMS": "1"}
    if assignment is not None:
        row |= {
            "assignments-INITIAL_FORMS": "1",
            "assignments-0-id": str(assignment.pk),
            "assignments-0-user": str(assignment.user_id),
        }
    return row | {f"assignments-0-{name}": value for name, value in fields.items()}


def test_staff_without_superuser_cannot_open_admin(client, county_cadre):
    client.force_login(county_cadre)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_user_list_shows_masked_phones_and_finds_by_phone(client, superuser, worker):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_changelist")
    html = client.get(url).content.decode()
    assert "138****0001" in html
    assert "13800000001" not in html.replace(worker.username, "")
    found = client.get(url, {"q": "138 0000 0001"}).content.decode()
    assert "肖华清" in found
    assert "肖华清" not in client.get(url, {"q": "13900000000"}).content.decode()


def test_user_change_page_shows_phone_masked_only(client, superuser, worker):
    client.force_login(superuser)
    html = client.get(reverse("admin:accounts_user_change", args=[worker.pk])).content.decode()
    assert "138****0001" in html
    assert "13800000001" not in html.replace(worker.username, "")
    assert 'name="phone"' not in html


def test_role_assignment_inline_goes_through_services(client, superuser, tree, roles):
    user = UserFactory(username="newcadre", name="新干部")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    role = Role.objects.get(code="township_cadre")
    response = client.post(
        url,
        _user_form(
            user,
            **_assignment_row(
                role=str(role.pk), organization=str(tree.huangtupu.pk), valid_until=""
            ),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=user)
    created = ChangeLog.objects.get(object_type="accounts.roleassignment", action="create")
    assert created.actor == superuser
    assert created.org_path == tree.huangtupu.path

    response = client.post(
        url,
        _user_form(user, **_assignment_row(assignment, valid_until="2030-12-31")),
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert str(assignment.valid_until) == "2030-12-31"
    assert assignment.organization == tree.huangtupu  # role and organization are fixed
    update = ChangeLog.objects.get(object_type="accounts.roleassignment", action="update")
    assert update.changes == {"valid_until": [None, "2030-12-31"]}

    response = client.post(
        url,
        _user_form(user, **_assignment_row(assignment, valid_until="2030-12-31", DELETE="on")),
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert ChangeLog.objects.filter(object_type="accounts.roleassignment", action="delete").exists()


def test_worker_cannot_get_a_staff_role_in_admin(client, superuser, worker, tree, roles):
    client.force_login(superuser)
    role = Role.objects.get(code="township_cadre")
    response = client.post(
        reverse("admin:accounts_user_change", args=[worker.pk]),
        _user_form(
            worker, **_assignment_row(role=str(role.pk), organization=str(tree.huangtupu.pk))
        ),
    )
    assert response.status_code == 200
    assert "职工账号不能被分配工作人员角色" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=worker).exists()


def test_user_edit_in_admin_is_audited(client, superuser, township_cadre):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[township_cadre.pk])
    response = client.post(url, _user_form(township_cadre, name="罗芳芳"))
    assert response.status_code == 302
    entry = ChangeLog.objects.get(object_type="accounts.user")
    assert entry.changes == {"name": ["罗芳", "罗芳芳"]}


def test_role_permissions_use_filter_horizontal_and_changes_are_audited(client, superuser, roles):
    client.force_login(superuser)
    role = Role.objects.get(code="mediator")
    url = reverse("admin:accounts_role_change", args=[role.pk])
    html = client.get(url).content.decode()
    assert "selectfilter" in html.lower()
    audit_perm = Permission.objects.get(codename="view_audit")
    kept = list(role.permissions.values_list("pk", flat=True))
    response = client.post(
        url,
        {
            "code": role.code,
            "name": role.name,
            "description": role.description,
            "permissions": [str(pk) for pk in [*kept, audit_perm.pk]],
        },
    )
    assert response.status_code == 302
    entry = ChangeLog.objects.get(object_type="accounts.role")
    before, after = entry.changes["permissions"]
    assert set(after) - set(before) == {"audit.view_audit"}


def test_api_tokens_are_read_only_in_admin_and_can_be_revoked(client, superuser, township_cadre):
    token, key = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    client.force_login(superuser)
    changelist = reverse("admin:accounts_apitoken_changelist")
    html = client.get(changelist).content.decode()
    assert "小程序" in html and key not in html
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert key not in detail.content.decode()
    assert 'name="name"' not in detail.content.decode()
    response = client.post(
        changelist, {"action": "revoke_selected", "_selected_action": [str(token.pk)]}
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert ChangeLog.objects.filter(
        object_type="accounts.apitoken", action="delete", actor=superuser
    ).exists()


@pytest.mark.parametrize("model", ["user", "role", "apitoken"])
def test_admin_pages_render(client, superuser, roles, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200


def test_admin_adds_staff_user_with_checked_password(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_add")
    assert client.get(url).status_code == 200
    weak = client.post(
        url,
        {
            "username": "newbie",
            "name": "新人",
            "password1": "123",
            "password2": "123",
            **NO_ASSIGNMENTS,
        },
    )
    assert weak.status_code == 200
    assert not User.objects.filter(username="newbie").exists()
    response = client.post(
        url,
        {
            "username": "newbie",
            "name": "新人",
            "password1": "Qidong-union-2026",
            "password2": "Qidong-union-2026",
            **NO_ASSIGNMENTS,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.kind == "staff" and user.check_password("Qidong-union-2026")
    entry = ChangeLog.objects.get(object_type="accounts.user", action="create")
    assert entry.actor == superuser
    assert entry.changes["password"] == [None, "已设置"]
