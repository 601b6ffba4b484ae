"""Forms of the mediation pages. They only parse types and offer the rows a user may pick
(mediators in scope); the rules live in ``huigong.cases.services.mediation``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.accounts.models import User
from huigong.common.forms import style_form, textarea

from ..models import Mediation, MediationTeam, Performance, ReferredTo
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
    claims = forms.CharField(
        label=_("申请调解事项"),
        required=False,
        max_length=mediation_services.RESULT_MAX_LENGTH,
        widget=textarea(3),
        help_text=_("留空则按诉求内容"),
    )

    def __init__(self, *args, case, user, **kwargs):
        kwargs.setdefault("prefix", "mediation_open")
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        style_form(self)


class MediationActionForm(forms.Form):
    """A small form on the mediation page; ``prefix`` keeps their fields apart."""

    prefix_name = ""

    def __init__(self, *args, mediation: Mediation, user, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.mediation, self.user = mediation, user
        self.setup()
        style_form(self)

    def setup(self) -> None:
        pass


class MediatorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.username


class SortForm(MediationActionForm):
    prefix_name = "sort"
    team = forms.ChoiceField(label=_("调解队伍"), choices=MediationTeam.choices)
    mediators = MediatorField(
        label=_("调解员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("分流说明"),
        required=False,
        max_length=mediation_services.NOTE_MAX_LENGTH,
        widget=textarea(),
    )

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
    attendees = forms.CharField(
        label=_("参加人员"), max_length=mediation_services.NOTE_MAX_LENGTH, widget=textarea()
    )
    minutes = forms.CharField(
        label=_("调解笔录"),
        max_length=mediation_services.MINUTES_MAX_LENGTH,
        widget=textarea(4),
    )


class AgreementForm(MediationActionForm):
    prefix_name = "agreement"
    terms = forms.CharField(
        label=_("协议内容"), max_length=mediation_services.TERMS_MAX_LENGTH, widget=textarea(4)
    )
    amount = forms.DecimalField(
        label=_("协议金额(元)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    performance_due = forms.DateField(
        label=_("履行期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoAgreementForm(MediationActionForm):
    prefix_name = "no_agreement"
    referred_to = forms.ChoiceField(
        label=_("引导去向"), choices=ReferredTo.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("调解不成的原因"),
        max_length=mediation_services.NOTE_MAX_LENGTH,
        widget=textarea(),
    )


class WithdrawForm(MediationActionForm):
    prefix_name = "withdraw"
    reason = forms.CharField(
        label=_("撤回原因"), max_length=mediation_services.NOTE_MAX_LENGTH, widget=textarea()
    )


class FollowUpForm(MediationActionForm):
    prefix_name = "follow_up"
    performed = forms.ChoiceField(
        label=_("履行情况"), choices=Performance.choices, widget=forms.RadioSelect
    )
    performed_at = forms.DateField(
        label=_("履行日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("回访记录"),
        required=False,
        max_length=mediation_services.NOTE_MAX_LENGTH,
        widget=textarea(),
    )


class FileForm(MediationActionForm):
    prefix_name = "file"
    note = forms.CharField(
        label=_("归档说明"),
        required=False,
        max_length=mediation_services.NOTE_MAX_LENGTH,
        widget=textarea(),
    )
