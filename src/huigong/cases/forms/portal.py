"""Forms of the workers' portal: submit a demand, add information, rate, withdraw."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import (
    SpecificMessagesMixin,
    StyledForm,
    amount_field,
    specific_messages,
    style_form,
    text_field,
)

from .. import services
from ..models import CaseCategory, CaseKind, Satisfaction
from .base import MultipleFileField

#: Kinds a worker may choose on the portal (rights cases are classified by staff).
PORTAL_KINDS = [
    (CaseKind.DEMAND, CaseKind.DEMAND.label),
    (CaseKind.HELP, CaseKind.HELP.label),
    (CaseKind.CONSULTATION, CaseKind.CONSULTATION.label),
    (CaseKind.SUGGESTION, CaseKind.SUGGESTION.label),
]


class PortalSubmitForm(forms.Form):
    """A worker's demand: every field's message is the catalogue's ("请选择类别",
    "请填写具体情况", "金额不能为负数")."""

    kind = forms.ChoiceField(
        label=_("我要"), choices=PORTAL_KINDS, initial=CaseKind.DEMAND, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=CaseCategory.objects.none(), empty_label=_("请选择")
    )
    description = forms.CharField(
        label=_("具体情况"),
        max_length=services.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("请写明时间、地点、单位、涉及人数和金额等")}
        ),
    )
    employer_name = forms.CharField(label=_("工作单位"), required=False, max_length=200)
    amount_claimed = amount_field(_("涉及金额(元)"))
    address = forms.CharField(
        label=_("地点或就近服务站"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如:黄土铺镇职工服务站")}),
    )
    photos = MultipleFileField(
        label=_("照片或材料"),
        max_files=5,
        help_text=_("可选,最多 5 个:jpg、png、pdf,每个不超过 10 MB"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.active()
        self.fields["photos"].widget.attrs["accept"] = "image/*,.pdf"
        style_form(self)
        specific_messages(self)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "category": data["category"],
            "title": services.derive_title(data["description"]),
            "description": data["description"],
            "employer_name": data.get("employer_name", ""),
            "amount_claimed": data.get("amount_claimed"),
            "address": data.get("address", ""),
        }


class PortalInfoForm(forms.Form):
    note = text_field(_("补充说明"), services.NOTE_MAX_LENGTH, required=False, rows=3)
    photos = MultipleFileField(label=_("补充材料"), max_files=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["accept"] = "image/*,.pdf"
        style_form(self)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("note") or "").strip() and not data.get("photos"):
            raise forms.ValidationError(_("请填写补充说明或上传材料"))
        return data


class PortalRateForm(StyledForm):
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = text_field(_("意见或建议"), services.NOTE_MAX_LENGTH, required=False)


class PortalWithdrawForm(SpecificMessagesMixin, StyledForm):
    reason = text_field(_("撤回原因"), services.NOTE_MAX_LENGTH)
