from huigong.orgs.models import Organization
from huigong.orgs.scope import scope_paths, user_can_at
from huigong.people.models import Person
from huigong.testing.factories import PersonFactory, make_id_number


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


def test_person_id_number_is_encrypted_and_hashed(tree):
    person = PersonFactory(organization=tree.xinfa, id_number=make_id_number(sex="F") + " ")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert person.id_number not in stored
    assert Person.objects.with_id_number("  " + person.id_number.lower()).get() == person
