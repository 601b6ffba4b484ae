"""The two actions an errand offers, for the page and the API alike."""

from django import forms

from huigong.kernel.actions import ActionSet

from . import services
from .models import Errand

errand_actions = ActionSet(Errand)


class NoteForm(forms.Form):
    note = forms.CharField(label="备注", max_length=500)

    def __init__(self, *args, errand=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class FinishForm(forms.Form):
    result = forms.CharField(label="办理结果", max_length=500)

    def __init__(self, *args, errand=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)


errand_actions.action(
    "note",
    label="备注",
    success="已添加备注",
    permission=services.CHANGE,
    form=NoteForm,
)(lambda user, errand, data: services.add_note(actor=user, errand=errand, note=data["note"]))
errand_actions.action(
    "finish",
    label="办好",
    success="已办好",
    permission=services.CHANGE,
    form=FinishForm,
    when=lambda check: check.obj.status == Errand.Status.OPEN,
)(
    lambda user, errand, data: services.finish_errand(
        actor=user, errand=errand, result=data["result"]
    )
)
