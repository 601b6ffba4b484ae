"""The notification preferences: a worker chooses the channels and the quiet hours; a
staff member the reminders they do not want and whether the daily e-mail comes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import StyledForm
from huigong.kernel.models import Channel
from huigong.kernel.notices import staff_kinds

_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class _QuietHoursForm(StyledForm):
    quiet_start = forms.TimeField(label=_("免打扰开始"), required=False, widget=_TIME)
    quiet_end = forms.TimeField(label=_("免打扰结束"), required=False, widget=_TIME)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if (start is None) != (end is None) and not self.has_error("quiet_start"):
            missing = "quiet_end" if end is None else "quiet_start"
            self.add_error(missing, _("免打扰的开始和结束时间要一起填写,或都不填"))
        elif start is not None and start == end:
            self.add_error("quiet_end", _("免打扰的结束时间不能与开始时间相同"))
        return cleaned


class WorkerPreferenceForm(_QuietHoursForm):
    channels = forms.MultipleChoiceField(
        label=_("除站内消息外,还通过"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("短信发到您登记的手机号;微信服务通知需在惠工小程序里订阅。"),
    )
    language = forms.ChoiceField(label=_("消息语言"), choices=settings.LANGUAGES)
    field_order = ["channels", "quiet_start", "quiet_end", "language"]


class StaffPreferenceForm(_QuietHoursForm):
    email_digest = forms.BooleanField(label=_("每天 8 点发送邮件摘要"), required=False)
    muted_kinds = forms.MultipleChoiceField(
        label=_("不接收以下提醒"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = ["email_digest", "muted_kinds"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted_kinds"].choices = staff_kinds()
        # Staff are told in the workbench and by e-mail only: no quiet hours to set.
        del self.fields["quiet_start"], self.fields["quiet_end"]


def preference_form(user, preference, data=None):
    """The preferences form for ``user`` (a worker's or a staff member's), filled with
    their current preferences."""
    if getattr(user, "is_worker", False):
        initial = {
            "channels": preference.channels,
            "quiet_start": preference.quiet_start,
            "quiet_end": preference.quiet_end,
            "language": preference.language or settings.LANGUAGE_CODE,
        }
        return WorkerPreferenceForm(data, initial=initial)
    initial = {"email_digest": preference.email_digest, "muted_kinds": preference.muted_kinds}
    return StaffPreferenceForm(data, initial=initial)
