"""``notify_many``: ``notify``'s rules (distinct staff users; ``None`` and workers
skipped) for many subjects, in one insert."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huigong.kernel.models import Notification
from huigong.kernel.notifications import notifications_about, notify, notify_many


def _queued(subject) -> list[tuple[str, str]]:
    return sorted(notifications_about(subject).values_list("user__username", "kind"))


def test_notify_many_queues_what_notify_would_in_one_insert(
    tree, township_cadre, station_staff, county_cadre, worker
):
    ContentType.objects.get_for_model(tree.huangtupu)  # a cached lookup, once a process
    with CaptureQueriesContext(connection) as queries:
        queued = notify_many(
            [
                # Repeats, None and a worker are dropped, as notify drops them.
                (
                    [township_cadre, None, station_staff, township_cadre, worker],
                    tree.huangtupu,
                    "a",
                ),
                ([county_cadre], tree.baidishi, "b"),
                ([township_cadre], tree.baidishi, "c"),
                ([None, worker], tree.xinfa, "d"),  # nobody to tell
            ]
        )
    assert len(queries) == 1
    assert queued == 4
    assert _queued(tree.huangtupu) == [("huangtupu", "a"), ("station", "a")]
    assert _queued(tree.baidishi) == [("county", "b"), ("huangtupu", "c")]
    assert _queued(tree.xinfa) == []

    # The same call through notify, subject by subject, queues the same rows.
    Notification.objects.all().delete()
    assert (
        notify([township_cadre, None, station_staff, township_cadre, worker], tree.huangtupu, "a")
        == 2
    )
    assert _queued(tree.huangtupu) == [("huangtupu", "a"), ("station", "a")]


def test_the_same_user_is_told_once_per_subject_not_once_overall(tree, township_cadre):
    assert (
        notify_many(
            [([township_cadre], tree.huangtupu, "a"), ([township_cadre], tree.baidishi, "a")]
        )
        == 2
    )
    assert Notification.objects.filter(user=township_cadre).count() == 2


def test_nothing_to_queue_sends_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        assert notify_many([]) == 0
    assert len(queries) == 0
