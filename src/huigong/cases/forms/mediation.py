"""Forms of the mediation pages. They only parse types and offer the rows a user may pick
(mediators in scope); the rules live in ``huigong.cases.services.mediation``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.accounts.forms import UserMultipleChoiceField
from huigong.accounts.models import User
from huigong.common.forms import ObjectActionForm, amount_field, date_field, style_form, text_field

from ..models import MediationTeam, Performance, ReferredTo
from ..services import mediation as mediation_services


class OpenMediationForm(forms.Form):
    """On the case detail page: take the case's dispute into mediation."""

    respondent_name = forms.CharField(
        label=_("被申请人(用人单位)"),
        max_length=200,
        required=False,
        help_text=_("留空则按诉求登记的用人单位"),
    )
    respondent_credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=72, required=False
    )
    respondent_representative = forms.CharField(
        label=_("法定代表人或委托代理人"), max_length=50, required=False
    )
    claims = text_field(
        _("申请调解事项"),
        mediation_services.RESULT_MAX_LENGTH,
        required=False,
        rows=3,
        help_text=_("留空则按诉求内容"),
    )

    def __init__(self, *args, case, user, **kwargs):
        kwargs.setdefault("prefix", "mediation_open")
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        style_form(self)


class MediationActionForm(ObjectActionForm):
    """A small form on the mediation page (built with ``mediation=`` and ``user=``)."""

    subject = "mediation"


class SortForm(MediationActionForm):
    prefix_name = "sort"
    team = forms.ChoiceField(label=_("调解队伍"), choices=MediationTeam.choices)
    mediators = UserMultipleChoiceField(
        label=_("调解员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = text_field(_("分流说明"), mediation_services.NOTE_MAX_LENGTH, required=False)

    def setup(self):
        self.fields["mediators"].queryset = mediation_services.eligible_mediators(
            self.mediation.organization
        )


class SessionForm(MediationActionForm):
    prefix_name = "session"
    held_at = forms.DateTimeField(
        label=_("调解时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("地点"), max_length=200)
    attendees = text_field(_("参加人员"), mediation_services.NOTE_MAX_LENGTH)
    minutes = text_field(_("调解笔录"), mediation_services.MINUTES_MAX_LENGTH, rows=4)


class AgreementForm(MediationActionForm):
    prefix_name = "agreement"
    terms = text_field(_("协议内容"), mediation_services.TERMS_MAX_LENGTH, rows=4)
    amount = amount_field(_("协议金额(元)"))
    performance_due = date_field(_("履行期限"), required=False)


class NoAgreementForm(MediationActionForm):
    prefix_name = "no_agreement"
    referred_to = forms.ChoiceField(
        label=_("引导去向"), choices=ReferredTo.choices, widget=forms.RadioSelect
    )
    note = text_field(_("调解不成的原因"), mediation_services.NOTE_MAX_LENGTH)


class WithdrawForm(MediationActionForm):
    prefix_name = "withdraw"
    reason = text_field(_("撤回原因"), mediation_services.NOTE_MAX_LENGTH)


class FollowUpForm(MediationActionForm):
    prefix_name = "follow_up"
    performed = forms.ChoiceField(
        label=_("履行情况"), choices=Performance.choices, widget=forms.RadioSelect
    )
    performed_at = date_field(_("履行日期"), required=False)
    note = text_field(_("回访记录"), mediation_services.NOTE_MAX_LENGTH, required=False)


class FileForm(MediationActionForm):
    prefix_name = "file"
    note = text_field(_("归档说明"), mediation_services.NOTE_MAX_LENGTH, required=False)
