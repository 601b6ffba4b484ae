"""The small forms of the case detail page, one per action (``cases.actions``)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.accounts.forms import UserChoiceField
from huigong.accounts.models import User
from huigong.accounts.policy import users_holding
from huigong.common.forms import ObjectActionForm, amount_field, count_field, text_field
from huigong.partners.models import Department

from .. import services
from ..models import (
    Case,
    CaseCategory,
    Complexity,
    Outcome,
    Referral,
    ReferralStatus,
    RefusalReason,
    Satisfaction,
    Supervision,
    Urgency,
)
from .base import MultipleFileField

# -- actions on the detail page ---------------------------------------------------------------


class ActionForm(ObjectActionForm):
    """A small form on the case detail page (built with ``case=`` and ``user=``)."""

    subject = "case"


def _handlers(case: Case):
    """Active staff holding ``handle_case`` at the case's organization or above it."""
    return users_holding("cases.handle_case", at=case.organization)


class AcceptForm(ActionForm):
    prefix_name = "accept"
    assignee = UserChoiceField(
        label=_("承办人"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(本人承办)"),
    )

    def setup(self):
        self.fields["assignee"].queryset = _handlers(self.case)


class NoteForm(ActionForm):
    prefix_name = "note"
    note = text_field(_("办理记录"), services.NOTE_MAX_LENGTH)


class ContactForm(ActionForm):
    prefix_name = "contact"
    method = forms.ChoiceField(label=_("联系方式"), choices=list(services.CONTACT_METHODS.items()))
    contact = forms.CharField(label=_("联系对象"), required=False, max_length=100)
    note = text_field(_("联系情况"), services.NOTE_MAX_LENGTH)


class ReferForm(ActionForm):
    prefix_name = "refer"
    department = forms.ModelChoiceField(
        label=_("协作部门"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    note = text_field(_("转办说明"), services.NOTE_MAX_LENGTH)

    def setup(self):
        self.fields["department"].queryset = services.usable_departments(self.case, self.user)


class ReplyForm(ActionForm):
    prefix_name = "reply"
    referral = forms.ModelChoiceField(
        label=_("转办事项"), queryset=Referral.objects.none(), empty_label=None
    )
    replied_by = forms.CharField(label=_("答复人"), required=False, max_length=100)
    reply_text = text_field(_("答复内容"), services.RESULT_MAX_LENGTH, rows=3)

    def setup(self):
        self.fields["referral"].queryset = self.case.referrals.exclude(
            status=ReferralStatus.REPLIED
        ).select_related("department")


class EscalateForm(ActionForm):
    prefix_name = "escalate"
    reason = text_field(_("上报理由"), services.NOTE_MAX_LENGTH)


class SuperviseForm(ActionForm):
    prefix_name = "supervise"
    comment = text_field(_("督办意见"), services.NOTE_MAX_LENGTH)
    days = forms.IntegerField(
        label=_("回复期限(工作日)"), min_value=1, max_value=30, initial=services.SUPERVISION_DAYS
    )


class AnswerForm(ActionForm):
    prefix_name = "answer"
    supervision = forms.ModelChoiceField(
        label=_("督办事项"), queryset=Supervision.objects.none(), empty_label=None
    )
    response = text_field(_("回复"), services.NOTE_MAX_LENGTH)

    def setup(self):
        self.fields["supervision"].queryset = self.case.supervisions.filter(
            responded_at__isnull=True
        )


class ResolveForm(ActionForm):
    prefix_name = "resolve"
    outcome = forms.ChoiceField(label=_("办理结果"), choices=[("", _("请选择")), *Outcome.choices])
    result_text = text_field(_("办理情况"), services.RESULT_MAX_LENGTH, rows=3)
    amount_recovered = amount_field(_("追回金额(元)"))
    workers_benefited = count_field(
        _("受益职工人数"), services.MAX_WORKERS, help_text=_("留空则按当事人人数计")
    )


class RateForm(ActionForm):
    prefix_name = "rate"
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = text_field(_("回访记录"), services.NOTE_MAX_LENGTH, required=False)


class RefuseForm(ActionForm):
    prefix_name = "refuse"
    reason = forms.ModelChoiceField(
        label=_("不予受理理由"), queryset=RefusalReason.objects.none(), empty_label=_("请选择")
    )
    note = text_field(_("向职工说明"), services.NOTE_MAX_LENGTH)

    def setup(self):
        self.fields["reason"].queryset = RefusalReason.objects.filter(is_active=True)


class CloseForm(ActionForm):
    prefix_name = "close"
    note = text_field(_("归档说明"), services.NOTE_MAX_LENGTH, required=False)


class ReassignForm(ActionForm):
    prefix_name = "reassign"
    assignee = UserChoiceField(
        label=_("新承办人"), queryset=User.objects.none(), empty_label=_("请选择")
    )
    note = text_field(_("说明"), services.NOTE_MAX_LENGTH, required=False)

    def setup(self):
        self.fields["assignee"].queryset = _handlers(self.case)


class MergeForm(ActionForm):
    prefix_name = "merge"
    into = forms.CharField(
        label=_("并入诉求编号"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "QD-2026-000123"}),
    )
    note = text_field(_("说明"), services.NOTE_MAX_LENGTH, required=False)

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
    reason = text_field(_("撤回原因"), services.NOTE_MAX_LENGTH)


class UpdateForm(ActionForm):
    """更正信息: the case's classification and facts, prefilled with the stored values."""

    prefix_name = "update"
    category = forms.ModelChoiceField(label=_("类别"), queryset=CaseCategory.objects.none())
    complexity = forms.ChoiceField(label=_("复杂程度"), choices=Complexity.choices)
    title = forms.CharField(label=_("标题"), max_length=services.TITLE_MAX_LENGTH)
    description = text_field(_("诉求内容"), services.DESCRIPTION_MAX_LENGTH, rows=4)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    amount_claimed = amount_field(_("涉及金额(元)"))
    workers_concerned = count_field(
        _("涉及职工人数"), services.MAX_WORKERS, help_text=_("留空则按当事人人数计")
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
