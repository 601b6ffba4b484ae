"""Workbench forms for persons and household members.

The forms only parse types (choices, dates, numbers). Normalisation and the rules —
ID-number checks, de-duplication, employer and employment-form consistency — live in
``people.services``, which the views call; its field-keyed errors are put back on the
form with ``add_service_errors``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.audit.models import RevealReason
from huigong.common.forms import specific_messages, style_form

from .filters import OrganizationChoiceField, organization_choices
from .models import EmploymentForm, HealthStatus, NewFormType, Relation


class PersonForm(forms.Form):
    """Register (``person=None``) or edit a person. On edit the ID number and phone are not
    shown: leaving them empty keeps the stored values."""

    organization = OrganizationChoiceField(
        label=_("所属工会"), queryset=None, empty_label=_("请选择")
    )
    name = forms.CharField(label=_("姓名"), widget=forms.TextInput(attrs={"maxlength": 50}))
    id_number = forms.CharField(
        label=_("身份证号码"), widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label=_("手机号"), required=False)
    clear_phone = forms.BooleanField(label=_("删除已登记的手机号"), required=False)
    address = forms.CharField(
        label=_("住址"), required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    employer = OrganizationChoiceField(
        label=_("工作单位(已建会)"),
        queryset=None,
        required=False,
        empty_label=_("(不选)"),
        help_text=_("单位已建工会时从列表选择;否则在下面填写单位名称和统一社会信用代码"),
    )
    employer_name = forms.CharField(
        label=_("工作单位(未建会)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    employer_credit_code = forms.CharField(label=_("单位统一社会信用代码"), required=False)
    employment_form = forms.ChoiceField(label=_("用工形式"), choices=EmploymentForm.choices)
    new_form_type = forms.ChoiceField(
        label=_("新就业形态类别"),
        choices=[("", _("(不适用)")), *NewFormType.choices],
        required=False,
    )
    is_member = forms.BooleanField(label=_("工会会员"), required=False)
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, person=None, **kwargs):
        self.person = person
        if person is not None:
            kwargs["initial"] = {
                **{
                    "organization": person.organization_id,
                    "name": person.name,
                    "address": person.address,
                    "employer": person.employer_id,
                    "employer_name": person.employer_name,
                    "employer_credit_code": person.employer_credit_code,
                    "employment_form": person.employment_form,
                    "new_form_type": person.new_form_type,
                    "is_member": person.is_member,
                    "notes": person.notes,
                },
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        perm = "people.add_person" if person is None else "people.change_person"
        self.fields["organization"].queryset = organization_choices(user, perm)
        self.fields["organization"].widget.configure(perm=perm)
        self.fields["employer"].queryset = organization_choices(user, None)
        if person is None:
            del self.fields["clear_phone"]
        else:
            id_field = self.fields["id_number"]
            id_field.required = False
            id_field.help_text = _("留空表示不修改")
            id_field.widget.attrs["placeholder"] = person.masked_id_number
            phone_field = self.fields["phone"]
            phone_field.help_text = _("留空表示不修改")
            phone_field.widget.attrs["placeholder"] = person.masked_phone
            if not person.phone:
                del self.fields["clear_phone"]
        style_form(self)
        specific_messages(self)

    def service_kwargs(self) -> dict:
        """The cleaned data as arguments of ``register_person`` / ``update_person``. On a
        form in error it holds the fields that parsed (what ``check_person`` then checks)."""
        data = dict(self.cleaned_data)
        clear_phone = data.pop("clear_phone", False)
        if self.person is not None:
            if not data.get("id_number"):
                data.pop("id_number", None)
            if clear_phone:
                data["phone"] = ""
            elif not data.get("phone"):
                data.pop("phone", None)
        return data


class HouseholdMemberForm(forms.Form):
    """Add or edit a household member; on edit an empty ID number keeps the stored one."""

    relation = forms.ChoiceField(label=_("与职工关系"), choices=Relation.choices)
    name = forms.CharField(label=_("姓名"), widget=forms.TextInput(attrs={"maxlength": 50}))
    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    clear_id_number = forms.BooleanField(label=_("删除已登记的身份证号码"), required=False)
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        help_text=_("填写身份证号码时自动取其中的出生日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    monthly_income = forms.DecimalField(label=_("月收入(元)"), required=False)
    health = forms.ChoiceField(label=_("健康状况"), choices=HealthStatus.choices)
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        choices=[("", _("(无)")), *[(i, _("%(n)d 级") % {"n": i}) for i in range(1, 5)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    school = forms.CharField(
        label=_("就读学校"), required=False, widget=forms.TextInput(attrs={"maxlength": 100})
    )

    def __init__(self, *args, member=None, **kwargs):
        self.member = member
        if member is not None:
            kwargs["initial"] = {
                **{
                    "relation": member.relation,
                    "name": member.name,
                    # With an ID number the date comes from it; showing it beside the
                    # masked number would give the number away.
                    "birth_date": None if member.id_number else member.birth_date,
                    "monthly_income": member.monthly_income,
                    "health": member.health,
                    "disability_grade": member.disability_grade,
                    "school": member.school,
                },
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if member is None or not member.id_number:
            del self.fields["clear_id_number"]
        if member is not None and member.id_number:
            self.fields["id_number"].help_text = _("留空表示不修改")
            self.fields["id_number"].widget.attrs["placeholder"] = member.masked_id_number
        style_form(self)
        specific_messages(self)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        clear_id = data.pop("clear_id_number", False)
        if self.member is not None:
            if clear_id:
                data["id_number"] = ""
            elif not data.get("id_number"):
                data.pop("id_number", None)
                if self.member.id_number:
                    # The birth date comes from the stored ID number.
                    data.pop("birth_date", None)
        return data


class RevealForm(forms.Form):
    """Why the full ID number and phone are needed: a reason from the list, and a note
    (required for "other"). The service checks both; the form only carries them."""

    reason = forms.ChoiceField(
        label=_("查看原因"),
        choices=[("", _("请选择")), *RevealReason.choices],
        error_messages={
            "required": _("请从列表中选择查看原因"),
            "invalid_choice": _("请从列表中选择查看原因"),
        },
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "maxlength": 200,
                "placeholder": _("选“其他”时必填"),
            }
        ),
    )
