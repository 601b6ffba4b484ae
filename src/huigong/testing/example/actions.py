"""The two actions an errand offers, for the page and the API alike."""

from django import forms

from huigong.common.forms import ObjectActionForm
from huigong.kernel.actions import ActionSet, in_states

from . import services
from .models import Errand

errand_actions = ActionSet(Errand, permission=services.CHANGE)


class NoteForm(ObjectActionForm):
    subject = "errand"
    note = forms.CharField(label="备注", max_length=500)


class FinishForm(ObjectActionForm):
    subject = "errand"
    result = forms.CharField(label="办理结果", max_length=500)


errand_actions.declare(
    "note",
    label="备注",
    success="已添加备注",
    form=NoteForm,
    perform=errand_actions.calls(services.add_note, "note"),
)
errand_actions.declare(
    "finish",
    label="办好",
    success="已办好",
    form=FinishForm,
    when=in_states(Errand.Status.OPEN),
    perform=errand_actions.calls(services.finish_errand, "result"),
)
