"""The roles are read once per request: every permission check and scope filter of a
request is answered by one query (``kernel.scope.role_grants``), and the next request
reads the roles again, so a change of roles counts from the next request on."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huigong.accounts.models import Role, RoleAssignment, User
from huigong.kernel.scope import role_grants, scope_paths, user_can_at
from huigong.orgs.models import Organization
from huigong.testing.factories import UserFactory, give_role


def fresh(user) -> User:
    """The user as a request loads it: a new object, nothing read yet."""
    return User.objects.get(pk=user.pk)


def test_every_check_of_a_request_costs_one_query(tree, township_cadre):
    user = fresh(township_cadre)
    with CaptureQueriesContext(connection) as queries:
        answers = [
            user.has_perm("cases.view_case"),
            user.has_perm("people.view_person"),
            user.has_perm("people.reveal_person"),
            user.has_perm("cases.intake_case"),
            user_can_at(user, "cases.handle_case", tree.xinfa.path),
            user_can_at(user, "cases.handle_case", tree.liuquan.path),
            scope_paths(user),
            scope_paths(user, "people.view_person"),
        ]
        visible = Organization.objects.visible_to(user, "people.view_person")
    assert len(queries) == 1
    path = tree.huangtupu.path
    assert answers == [True, True, True, True, True, False, [path], [path]]
    assert set(visible) == {tree.huangtupu, tree.xinfa}


def test_the_roles_answer_has_perm_and_the_scope_alike(tree, station_staff):
    user = fresh(station_staff)
    grants = role_grants(user)
    # What the roles grant is what has_perm says, and each permission has its paths.
    granted = set(grants.by_permission)
    assert "cases.intake_case" in granted and "people.reveal_person" not in granted
    assert all(user.has_perm(perm) for perm in granted)
    assert not user.has_perm("people.reveal_person")
    assert not user.has_perm(None)
    assert user.get_all_permissions() == granted
    assert grants.paths == grants.by_permission["cases.intake_case"] == [tree.huangtupu.path]


def test_a_permission_no_role_grants_is_looked_up_in_django_permissions(tree, station_staff):
    direct = Permission.objects.get(codename="reveal_person")
    station_staff.user_permissions.add(direct)
    user = fresh(station_staff)
    assert user.has_perm("cases.intake_case")  # from the role
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("people.reveal_person")  # given to the user directly
        assert not user.has_perm("orgs.delete_organization")
    # Django's user and group permissions, read once; the roles were read already.
    assert len(queries) == 2
    # A direct permission is no role: it gives no scope.
    assert scope_paths(user, "people.reveal_person") == []


def test_a_role_without_permissions_still_gives_a_scope(tree, roles):
    empty = Role.objects.create(code="observer", name="观察员")
    user = UserFactory(username="observer")
    RoleAssignment.objects.create(user=user, role=empty, organization=tree.baidishi)
    user = fresh(user)
    assert scope_paths(user) == [tree.baidishi.path]
    assert scope_paths(user, "cases.view_case") == []
    assert not user.has_perm("cases.view_case")
    assert user.get_all_permissions() == set()


def test_a_superuser_needs_no_roles(tree, db):
    user = fresh(UserFactory(username="root", is_superuser=True))
    with CaptureQueriesContext(connection) as queries:
        assert scope_paths(user) is None
        assert user.has_perm("people.reveal_person")
        assert user_can_at(user, "cases.handle_case", tree.liuquan.path)
    assert len(queries) == 0


def test_the_next_request_sees_changed_roles(api_client, tree, township_cadre):
    client = api_client(township_cadre)

    def me() -> tuple[set[str], set[str]]:
        data = client.get("/api/v1/me").json()
        return {o["name"] for o in data["scope"]}, set(data["permissions"])

    scope, perms = me()
    assert scope == {"黄土铺镇工会联合会"}
    assert "people.reveal_person" in perms
    # A second township, and a permission taken from the role, between two requests.
    give_role(township_cadre, "township_cadre", tree.baidishi)
    Role.objects.get(code="township_cadre").permissions.remove(
        Permission.objects.get(codename="reveal_person")
    )
    scope, perms = me()
    assert scope == {"黄土铺镇工会联合会", "白地市镇工会联合会"}
    assert "people.reveal_person" not in perms
    assert "cases.view_case" in perms
    # And all of them withdrawn: no scope, no permission, from the next request on.
    RoleAssignment.objects.filter(user=township_cadre).delete()
    assert me() == (set(), set())
