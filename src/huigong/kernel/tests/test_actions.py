"""Actions: offered by permission at the object's organization and by state, to one
audience; performing one runs its service."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from huigong.kernel.actions import ActionSet, actions_for
from huigong.kernel.timeline import Audience


@dataclass
class Thing:
    status: str
    path: str = "0001"


@dataclass
class Person:
    is_worker: bool = False
    is_authenticated: bool = True
    perms: tuple = ()


class FakeModel:
    __name__ = "FakeModel"


@pytest.fixture
def things():
    held = []

    def holds_at(user, perm, path):
        held.append(perm)
        return perm in user.perms

    actions = ActionSet(FakeModel, organization_path=lambda t: t.path, holds_at=holds_at)
    actions.action(
        "start",
        label="开始",
        success="已开始",
        permission="x.start",
        when=lambda c: c.obj.status == "new",
    )(lambda u, t, d: ("started", d))
    actions.action("note", label="备注", success="已备注", permission="x.note")(
        lambda u, t, d: "noted"
    )
    actions.action("rate", label="评价", success="已评价", audience=Audience.WORKER)(
        lambda u, t, d: "rated"
    )
    actions.held = held
    return actions


def test_offered_by_permission_and_state(things):
    staff = Person(perms=("x.start", "x.note"))
    assert things.allowed_names(staff, Thing("new")) == ["start", "note"]
    assert things.allowed_names(staff, Thing("done")) == ["note"]
    assert things.allowed_names(Person(perms=("x.note",)), Thing("new")) == ["note"]


def test_each_permission_is_looked_up_once_per_object(things):
    things.allowed_names(Person(perms=("x.start",)), Thing("new"))
    assert sorted(things.held) == ["x.note", "x.start"]


def test_workers_get_only_worker_actions(things):
    worker = Person(is_worker=True, perms=("x.start", "x.note"))
    assert things.allowed_names(worker, Thing("new")) == []
    assert things.allowed_names(worker, Thing("new"), audience=Audience.WORKER) == ["rate"]
    assert things.allowed_names(Person(), Thing("new"), audience=Audience.WORKER) == []


def test_perform_runs_the_service_of_that_audience(things):
    assert things.perform("start", Person(), Thing("new"), {"a": 1}) == ("started", {"a": 1})
    assert things.perform("rate", Person(), Thing("new"), {}, audience=Audience.WORKER) == "rated"
    assert things.has("rate", Audience.WORKER) and not things.has("rate")


def test_the_set_is_found_by_its_model(things):
    assert actions_for(FakeModel) is things
    with pytest.raises(LookupError):
        actions_for(Thing)
