"""Declaring actions as data: the set's default permission, ``calls`` (the usual
``perform``), ``in_states``; and the timeline's ``as_text`` for event data."""

from __future__ import annotations

from types import SimpleNamespace

from huigong.kernel.actions import ActionSet, in_states
from huigong.kernel.timeline import Audience, as_text


class Errand:
    __name__ = "Errand"
    _meta = SimpleNamespace(model_name="errand")


def _service(**kwargs):
    return kwargs


def test_staff_actions_need_the_sets_permission_unless_they_name_one():
    actions = ActionSet(Errand, permission="x.change")
    plain = actions.declare("note", label="备注", success="已备注", perform=_service)
    free = actions.declare("look", label="看", success="已看", permission="", perform=_service)
    own = actions.declare(
        "rate", label="评价", success="已评价", audience=Audience.WORKER, perform=_service
    )
    assert (plain.permission, free.permission, own.permission) == ("x.change", "", "")


def test_calls_passes_the_named_fields_the_defaults_and_the_object():
    actions = ActionSet(Errand)
    perform = actions.calls(_service, "note", result=None)
    assert perform("u", "e", {"note": "n", "other": 1}) == {
        "actor": "u",
        "errand": "e",
        "note": "n",
        "result": None,
    }
    everything = actions.calls(_service, all_data=True, with_object=False)
    assert everything("u", "e", {"a": 1}) == {"actor": "u", "a": 1}


def test_in_states_offers_while_the_object_is_in_one_of_them():
    when = in_states("open", "late")
    assert when(SimpleNamespace(obj=SimpleNamespace(status="late")))
    assert not when(SimpleNamespace(obj=SimpleNamespace(status="done")))


def test_as_text_writes_values_as_text_and_unset_ones_as_told():
    args = SimpleNamespace(case=SimpleNamespace(due=None, amount=12))
    assert as_text("case.amount")(args) == "12"
    assert as_text("case.due")(args) == "None"
    assert as_text("case.due", unset="")(args) == ""
