"""The small forms of the case detail page, one per action (``cases.actions``)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.accounts.models import User
from huigong.accounts.policy import users_holding
from huigong.common.forms import style_form, textarea
from huigong.partners.models import Department

from .. import services
from ..models import (
    Case,
    CaseCategory,
    Complexity,
    Outcome,
    Referral,
    ReferralStatus,
    Satisfaction,
    Supervision,
    Urgency,
)
from .base import MultipleFileField

# -- actions on the detail page ---------------------------------------------------------------


class ActionForm(forms.Form):
    """A small form on the case detail page; ``prefix`` keeps their fields apart."""

    def __init__(self, *args, case: Case, user, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        self.setup()
        style_form(self)

    prefix_name = ""

    def setup(self) -> None:
        pass


def _handlers(case: Case):
    """Active staff holding ``handle_case`` at the case's organization or above it."""
    return users_holding("cases.handle_case", at=case.organization)


class HandlerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.username


class AcceptForm(ActionForm):
    prefix_name = "accept"
    assignee = HandlerField(
        label=_("承办人"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(本人承办)"),
    )

    def setup(self):
        self.fields["assignee"].queryset = _handlers(self.case)


class NoteForm(ActionForm):
    prefix_name = "note"
    note = forms.CharField(
        label=_("办理记录"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )


class ContactForm(ActionForm):
    prefix_name = "contact"
    method = forms.ChoiceField(label=_("联系方式"), choices=list(services.CONTACT_METHODS.items()))
    contact = forms.CharField(label=_("联系对象"), required=False, max_length=100)
    note = forms.CharField(
        label=_("联系情况"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )


class ReferForm(ActionForm):
    prefix_name = "refer"
    department = forms.ModelChoiceField(
        label=_("协作部门"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    note = forms.CharField(
        label=_("转办说明"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )

    def setup(self):
        self.fields["department"].queryset = services.usable_departments(self.case, self.user)


class ReplyForm(ActionForm):
    prefix_name = "reply"
    referral = forms.ModelChoiceField(
        label=_("转办事项"), queryset=Referral.objects.none(), empty_label=None
    )
    replied_by = forms.CharField(label=_("答复人"), required=False, max_length=100)
    reply_text = forms.CharField(
        label=_("答复内容"), max_length=services.RESULT_MAX_LENGTH, widget=textarea(3)
    )

    def setup(self):
        self.fields["referral"].queryset = self.case.referrals.exclude(
            status=ReferralStatus.REPLIED
        ).select_related("department")


class EscalateForm(ActionForm):
    prefix_name = "escalate"
    reason = forms.CharField(
        label=_("上报理由"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )


class SuperviseForm(ActionForm):
    prefix_name = "supervise"
    comment = forms.CharField(
        label=_("督办意见"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )
    days = forms.IntegerField(
        label=_("回复期限(工作日)"), min_value=1, max_value=30, initial=services.SUPERVISION_DAYS
    )


class AnswerForm(ActionForm):
    prefix_name = "answer"
    supervision = forms.ModelChoiceField(
        label=_("督办事项"), queryset=Supervision.objects.none(), empty_label=None
    )
    response = forms.CharField(
        label=_("回复"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )

    def setup(self):
        self.fields["supervision"].queryset = self.case.supervisions.filter(
            responded_at__isnull=True
        )


class ResolveForm(ActionForm):
    prefix_name = "resolve"
    outcome = forms.ChoiceField(label=_("办理结果"), choices=[("", _("请选择")), *Outcome.choices])
    result_text = forms.CharField(
        label=_("办理情况"), max_length=services.RESULT_MAX_LENGTH, widget=textarea(3)
    )
    amount_recovered = forms.DecimalField(
        label=_("追回金额(元)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    workers_benefited = forms.IntegerField(
        label=_("受益职工人数"),
        required=False,
        min_value=0,
        max_value=services.MAX_WORKERS,
        help_text=_("留空则按当事人人数计"),
    )


class RateForm(ActionForm):
    prefix_name = "rate"
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("回访记录"), required=False, max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )


class CloseForm(ActionForm):
    prefix_name = "close"
    note = forms.CharField(
        label=_("归档说明"), required=False, max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )


class ReassignForm(ActionForm):
    prefix_name = "reassign"
    assignee = HandlerField(
        label=_("新承办人"), queryset=User.objects.none(), empty_label=_("请选择")
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )

    def setup(self):
        self.fields["assignee"].queryset = _handlers(self.case)


class MergeForm(ActionForm):
    prefix_name = "merge"
    into = forms.CharField(
        label=_("并入诉求编号"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "QD-2026-000123"}),
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )

    def clean_into(self) -> Case:
        number = self.cleaned_data["into"].strip().upper()
        target = (
            Case.objects.visible_to(self.user, services.VIEW)
            .filter(Q(number=number))
            .select_related("organization")
            .first()
        )
        if target is None:
            raise forms.ValidationError(_("未找到该编号的诉求,或不在您的管辖范围内"))
        return target


class WithdrawForm(ActionForm):
    prefix_name = "withdraw"
    reason = forms.CharField(
        label=_("撤回原因"), max_length=services.NOTE_MAX_LENGTH, widget=textarea()
    )


class UpdateForm(ActionForm):
    """更正信息: the case's classification and facts, prefilled with the stored values."""

    prefix_name = "update"
    category = forms.ModelChoiceField(label=_("类别"), queryset=CaseCategory.objects.none())
    complexity = forms.ChoiceField(label=_("复杂程度"), choices=Complexity.choices)
    title = forms.CharField(label=_("标题"), max_length=services.TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("诉求内容"), max_length=services.DESCRIPTION_MAX_LENGTH, widget=textarea(4)
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    amount_claimed = forms.DecimalField(
        label=_("涉及金额(元)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    workers_concerned = forms.IntegerField(
        label=_("涉及职工人数"),
        required=False,
        min_value=0,
        max_value=services.MAX_WORKERS,
        help_text=_("留空则按当事人人数计"),
    )
    employer_name = forms.CharField(label=_("用人单位"), required=False, max_length=200)
    employer_credit_code = forms.CharField(
        label=_("单位统一社会信用代码"), required=False, max_length=40
    )

    def setup(self):
        case = self.case
        self.fields["category"].queryset = CaseCategory.objects.filter(
            Q(is_active=True) | Q(pk=case.category_id)
        )
        if not self.is_bound:
            self.initial.update(
                {name: getattr(case, name) for name in services.UPDATABLE_FIELDS}
                | {"category": case.category_id}
            )


class AttachForm(ActionForm):
    prefix_name = "attach"
    files = MultipleFileField(label=_("附件"), required=True)
