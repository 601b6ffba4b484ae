"""The data scope: staff see and act on the subtrees where they hold a role."""

from huigong.kernel.scope import scope_paths, user_can_at, users_acting_in
from huigong.orgs.models import Organization
from huigong.people.models import Person
from huigong.testing.factories import PersonFactory, UserFactory, give_role


def test_township_cadre_sees_only_own_subtree(tree, township_cadre):
    visible = set(Organization.objects.visible_to(township_cadre).values_list("name", flat=True))
    assert visible == {"黄土铺镇工会联合会", "新发食品有限公司工会"}


def test_county_cadre_sees_all_townships(tree, county_cadre):
    visible = set(Organization.objects.visible_to(county_cadre).values_list("name", flat=True))
    assert {
        "黄土铺镇工会联合会",
        "白地市镇工会联合会",
        "流泉村工会",
        "新发食品有限公司工会",
    } <= visible
    assert "衡阳市总工会" not in visible


def test_person_scope_follows_organization(tree, township_cadre, sibling_cadre):
    mine = PersonFactory(organization=tree.xinfa, name="肖华清")
    theirs = PersonFactory(organization=tree.liuquan, name="王建国")
    assert list(Person.objects.visible_to(township_cadre)) == [mine]
    assert list(Person.objects.visible_to(sibling_cadre)) == [theirs]


def test_user_without_assignment_sees_nothing(tree, worker):
    assert scope_paths(worker) == []
    assert not Organization.objects.visible_to(worker).exists()


def test_permission_scoped_paths(tree, station_staff, township_cadre):
    assert not user_can_at(station_staff, "people.reveal_person", tree.xinfa.path)
    assert user_can_at(township_cadre, "people.reveal_person", tree.xinfa.path)
    assert not user_can_at(township_cadre, "people.reveal_person", tree.liuquan.path)


def test_users_acting_in_a_subtree_hold_a_current_role_there_or_below(
    tree, county_cadre, township_cadre, sibling_cadre, station_staff, worker
):
    assert set(users_acting_in(tree.huangtupu.path)) == {township_cadre, station_staff}
    assert set(users_acting_in(tree.county.path)) == {
        county_cadre,
        township_cadre,
        sibling_cadre,
        station_staff,
    }
    # Holding a role above the subtree is acting on it, but not *in* it.
    assert county_cadre not in users_acting_in(tree.xinfa.path)
    assert not users_acting_in(tree.xinfa.path).exists()


def test_users_acting_in_leaves_out_inactive_users_and_expired_roles(tree, roles):
    import datetime

    from django.utils import timezone

    from huigong.accounts.models import RoleAssignment

    inactive = give_role(UserFactory(username="gone", is_active=False), "station_staff", tree.xinfa)
    expired = give_role(UserFactory(username="expired"), "station_staff", tree.xinfa)
    RoleAssignment.objects.filter(user=expired).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    current = give_role(UserFactory(username="current"), "station_staff", tree.xinfa)
    assert list(users_acting_in(tree.huangtupu.path)) == [current]
    assert inactive not in users_acting_in(tree.xinfa.path)


def test_expired_role_gives_no_scope(tree, roles):
    import datetime

    from django.utils import timezone

    from huigong.accounts.models import RoleAssignment

    user = give_role(UserFactory(username="expired"), "township_cadre", tree.huangtupu)
    RoleAssignment.objects.filter(user=user).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert scope_paths(user) == []
    assert not Organization.objects.visible_to(user).exists()
