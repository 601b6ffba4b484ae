"""``notify`` given a queryset of users (as intake tells a case's handlers): one
``INSERT … SELECT``, the users never read, under the rules a list gets (each staff user
once, workers left out)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huigong.accounts.models import User
from huigong.accounts.policy import users_holding
from huigong.kernel.models import Notification
from huigong.kernel.notifications import notifications_about, notify, notify_many
from huigong.testing.factories import UserFactory, give_role


def _queued(subject) -> list[tuple[str, str]]:
    return sorted(notifications_about(subject).values_list("user__username", "kind"))


def test_a_queryset_of_users_is_queued_by_one_statement(
    tree, township_cadre, station_staff, sibling_cadre
):
    ContentType.objects.get_for_model(tree.huangtupu)  # a cached lookup, once a process
    handlers = users_holding("cases.handle_case", at=tree.huangtupu, include_ancestors=False)
    with CaptureQueriesContext(connection) as queries:
        assert notify(handlers, tree.huangtupu, "awaiting") == 2
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("INSERT INTO")
    assert _queued(tree.huangtupu) == [("huangtupu", "awaiting"), ("station", "awaiting")]
    row = notifications_about(tree.huangtupu).first()
    assert row.created_at is not None and row.sent_in_digest_at is None


def test_workers_and_repeats_in_a_queryset_are_left_out(tree, township_cadre, worker):
    # A join that repeats a user, and a worker the queryset does not exclude itself.
    give_role(township_cadre, "station_staff", tree.huangtupu)
    users = User.objects.filter(username__in=["huangtupu", worker.username]).filter(
        assignments__isnull=False
    ) | User.objects.filter(pk=worker.pk)
    assert sorted(u.username for u in users) == sorted(["huangtupu", "huangtupu", worker.username])
    assert notify(users, tree.huangtupu, "a") == 1
    assert _queued(tree.huangtupu) == [("huangtupu", "a")]


def test_the_querysets_own_conditions_hold(tree, township_cadre, station_staff):
    UserFactory(username="gone", is_active=False)
    active = User.objects.filter(is_active=True, username__in=["huangtupu", "gone"])
    assert notify(active, tree.huangtupu, "a") == 1
    assert notify(User.objects.none(), tree.huangtupu, "b") == 0
    # A sliced queryset is read and queued like a list (a subquery would lose the slice).
    assert notify(User.objects.order_by("username")[:1], tree.baidishi, "c") == 1
    assert _queued(tree.huangtupu) == [("huangtupu", "a")]
    assert len(_queued(tree.baidishi)) == 1


def test_notify_many_takes_lists_and_querysets_together(tree, township_cadre, county_cadre):
    queued = notify_many(
        [
            ([county_cadre, None, county_cadre], tree.huangtupu, "a"),
            (User.objects.filter(pk=township_cadre.pk), tree.huangtupu, "b"),
            (User.objects.filter(pk=township_cadre.pk), tree.baidishi, "a"),
        ]
    )
    assert queued == 3
    assert _queued(tree.huangtupu) == [("county", "a"), ("huangtupu", "b")]
    assert _queued(tree.baidishi) == [("huangtupu", "a")]
    assert Notification.objects.count() == 3
