"""users_holding: who holds a permission at an organization (there or above it); and
users_holding_many, the same for many organizations in one query."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huigong.accounts.models import RoleAssignment
from huigong.accounts.policy import users_holding, users_holding_many
from huigong.testing.factories import UserFactory, give_role

REVEAL = "people.reveal_person"


def test_holders_at_the_organization_and_at_every_ancestor(
    tree, county_cadre, township_cadre, sibling_cadre, station_staff
):
    # The county cadre holds it from above, the township cadre at the township itself;
    # the station staff sits there too but their role does not grant it; the sibling
    # township's cadre holds it elsewhere in the tree.
    assert set(users_holding(REVEAL, at=tree.xinfa)) == {county_cadre, township_cadre}
    assert set(users_holding(REVEAL, at=tree.huangtupu)) == {county_cadre, township_cadre}
    assert set(users_holding(REVEAL, at=tree.liuquan)) == {county_cadre, sibling_cadre}


def test_holders_below_the_organization_do_not_hold_it_there(tree, township_cadre):
    assert not users_holding(REVEAL, at=tree.county).exists()
    assert not users_holding(REVEAL, at=tree.province).exists()


def test_only_at_the_organization_itself_without_ancestors(tree, county_cadre, township_cadre):
    at_township = users_holding(REVEAL, at=tree.huangtupu, include_ancestors=False)
    assert list(at_township) == [township_cadre]
    assert not users_holding(REVEAL, at=tree.xinfa, include_ancestors=False).exists()
    at_county = users_holding(REVEAL, at=tree.county, include_ancestors=False)
    assert list(at_county) == [county_cadre]


def test_expired_assignments_and_inactive_users_do_not_count(tree, roles, township_cadre):
    expired = give_role(UserFactory(username="expired", name="甲"), "township_cadre", tree.county)
    RoleAssignment.objects.filter(user=expired).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    inactive = give_role(
        UserFactory(username="inactive", name="乙", is_active=False), "township_cadre", tree.county
    )
    valid_today = give_role(UserFactory(username="today", name="丙"), "township_cadre", tree.county)
    RoleAssignment.objects.filter(user=valid_today).update(valid_until=timezone.localdate())

    holders = set(users_holding(REVEAL, at=tree.xinfa))
    assert holders == {township_cadre, valid_today}
    assert expired not in holders and inactive not in holders


def test_worker_accounts_never_hold_a_staff_permission(tree, roles, worker):
    # Services and the admin refuse roles to workers; a stray row must still not make one
    # a handler of cases or a mediator.
    give_role(worker, "township_cadre", tree.huangtupu)
    assert worker not in users_holding(REVEAL, at=tree.xinfa)


def test_holders_are_listed_by_name_once_each(tree, roles):
    # Two roles granting it (at two levels) still list the user once.
    bob = give_role(UserFactory(username="bob", name="Bob"), "township_cadre", tree.county)
    give_role(bob, "federation_cadre", tree.huangtupu)
    alice = give_role(UserFactory(username="alice", name="Alice"), "federation_cadre", tree.city)
    assert list(users_holding(REVEAL, at=tree.xinfa)) == [alice, bob]


# -- users_holding_many -------------------------------------------------------------------------


def test_many_organizations_in_one_query_give_what_each_gives_alone(
    tree, roles, county_cadre, township_cadre, sibling_cadre, station_staff, worker
):
    bob = give_role(UserFactory(username="bob", name="Bob"), "township_cadre", tree.county)
    give_role(bob, "federation_cadre", tree.huangtupu)
    give_role(UserFactory(username="alice", name="Alice"), "federation_cadre", tree.city)
    give_role(UserFactory(username="off", name="甲", is_active=False), "township_cadre", tree.city)
    give_role(worker, "township_cadre", tree.huangtupu)
    expired = give_role(UserFactory(username="expired", name="乙"), "township_cadre", tree.xinfa)
    RoleAssignment.objects.filter(user=expired).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    orgs = list(vars(tree).values())
    for include_ancestors in (True, False):
        with CaptureQueriesContext(connection) as queries:
            held = users_holding_many(REVEAL, at=orgs, include_ancestors=include_ancestors)
        assert len(queries) == 1
        alone = {
            org.pk: list(users_holding(REVEAL, at=org, include_ancestors=include_ancestors))
            for org in orgs
        }
        assert held == alone
    # Not vacuous: holders from above, at the organization itself and on two roles
    # (once); not the inactive, expired, worker or sibling ones.
    held = users_holding_many(REVEAL, at=[tree.xinfa, tree.huangtupu])
    assert {u.username for u in held[tree.xinfa.pk]} == {"alice", "bob", "county", "huangtupu"}
    assert len(held[tree.xinfa.pk]) == 4
    at_township = users_holding_many(REVEAL, at=[tree.huangtupu], include_ancestors=False)
    assert {u.username for u in at_township[tree.huangtupu.pk]} == {"bob", "huangtupu"}


def test_many_with_no_organizations_asks_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        assert users_holding_many(REVEAL, at=[]) == {}
    assert not queries
