"""Workbench and portal forms for cases.

The forms only parse types (choices, numbers, files) and pick the rows a user may choose
(persons, organizations, departments, handlers — all through the user's scope). The
rules — required texts and their lengths, routing, deadlines, amounts against the amount
claimed, states — live in ``cases.services``; their field-keyed errors are put back on
the form with ``add_service_errors``.

``CATEGORY_KEYWORDS`` is the small keyword table behind the category suggestion of the
intake form: the first category whose keywords occur in the description is proposed.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.accounts.models import RoleAssignment, User
from huigong.accounts.policy import users_holding
from huigong.common import forms as common_forms
from huigong.common.forms import style_form, textarea
from huigong.orgs.models import Organization
from huigong.orgs.widgets import OrganizationAutocomplete
from huigong.partners.models import Department
from huigong.people.models import Person

from . import services
from .models import (
    Case,
    CaseCategory,
    CaseKind,
    Channel,
    Complexity,
    Outcome,
    Referral,
    ReferralStatus,
    Satisfaction,
    Supervision,
    Urgency,
)

#: Category name → keywords that suggest it. Order matters: the first match wins, so the
#: more specific categories come first (工伤 before 职业安全, 欠薪 before 劳动合同).
CATEGORY_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("欠薪", ("欠薪", "工资", "拖欠", "讨薪", "工钱", "薪水", "加班费", "克扣", "结算款")),
    ("工伤", ("工伤", "受伤", "摔伤", "骨折", "伤残", "事故", "砸伤", "烫伤", "职业病")),
    ("社会保险", ("社保", "社会保险", "养老保险", "医保", "医疗保险", "失业保险", "公积金")),
    ("劳动合同", ("合同", "辞退", "开除", "解雇", "试用期", "经济补偿", "解除劳动")),
    ("职业安全", ("安全", "防护", "粉尘", "噪声", "高温", "隐患")),
    ("求职就业", ("找工作", "求职", "就业", "招聘", "岗位", "失业")),
    ("技能培训", ("培训", "技能", "证书", "学技术")),
    ("困难帮扶", ("困难", "帮扶", "救助", "生病", "大病", "低保", "助学")),
    ("法律咨询", ("法律", "律师", "仲裁", "起诉", "诉讼", "咨询")),
    ("心理疏导", ("心理", "焦虑", "抑郁", "压力", "失眠")),
    ("生活服务", ("婚恋", "托管", "家政", "维修", "生活")),
]

#: Lines of the "other workers" box: 姓名 身份证号码 [手机号], separated by spaces,
#: commas or tabs (as pasted from Excel or WeChat).
_APPLICANT_SPLIT = re.compile(r"[\s,,、;;]+")
MAX_EXTRA_APPLICANTS = 200


def suggest_category(text: str | None) -> CaseCategory | None:
    """The active category the description most likely belongs to, or None."""
    text = (text or "")[:5000]
    if not text.strip():
        return None
    for name, keywords in CATEGORY_KEYWORDS:
        if any(word in text for word in keywords):
            category = CaseCategory.objects.active().filter(name=name).first()
            if category is not None:
                return category
    return None


def applicant_label(name: str) -> str | None:
    """What a service error key about the applicants refers to: ``applicants.1.id_number``
    → "第 2 名职工"."""
    if not name.startswith("applicants"):
        return None
    parts = name.split(".")
    if len(parts) > 1 and parts[1].isdigit():
        return _("第 %(n)d 名职工") % {"n": int(parts[1]) + 1}
    return _("申请人")


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ``ValidationError`` on a case form, all messages in one round: known
    fields on themselves, the rest (``applicants.0.id_number``, state errors) above it."""
    common_forms.add_service_errors(form, exc, describe=applicant_label)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; type and size are checked by
    ``services.add_attachment``."""

    def __init__(self, *args, max_files: int = 10, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("一次最多上传 %(n)d 个文件") % {"n": self.max_files}, code="max_files"
            )
        return files


def intake_organizations(user):
    """Organizations where ``user`` may take cases in (the "receiving station")."""
    return Organization.objects.visible_to(user, services.INTAKE).only(
        "id", "name", "path", "depth"
    )


def home_organization(user, perm: str = services.INTAKE) -> Organization | None:
    """The organization of the user's own (deepest) assignment granting ``perm``: the
    station where they sit, proposed as the receiving organization."""
    app_label, codename = perm.split(".", 1)
    assignment = (
        RoleAssignment.objects.filter(user=user)
        .active()
        .filter(
            role__permissions__content_type__app_label=app_label,
            role__permissions__codename=codename,
        )
        .select_related("organization")
        .order_by("-organization__depth", "id")
        .first()
    )
    return assignment.organization if assignment else None


class OrganizationField(forms.ModelChoiceField):
    widget = OrganizationAutocomplete

    def label_from_instance(self, obj):
        return obj.name


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """Persons picked in the intake lookup: only those the user may see."""

    def label_from_instance(self, obj):
        return f"{obj.name} {obj.masked_id_number}"


class IntakeForm(forms.Form):
    """One form to take a case in at a station (walk-in), on the hotline or in the field.

    The worker is found by the lookup (``persons``, several for a group case) or entered
    inline (``new_*``: found again by ID number or phone, registered when new). Likely
    duplicates are shown once before saving; ``confirm_duplicates`` continues anyway.
    """

    organization = OrganizationField(
        label=_("受理组织"),
        queryset=Organization.objects.none(),
        empty_label=None,
        help_text=_("首问负责:登记人对诉求负责,直到办理组织受理"),
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=Channel.choices, initial=Channel.WALK_IN
    )
    lookup = forms.CharField(
        label=_("查找职工"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("身份证号码、手机号或姓名"), "autocomplete": "off"}
        ),
    )
    persons = PersonChoiceField(
        label=_("已选职工"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    new_id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_phone = forms.CharField(label=_("手机号"), required=False, max_length=40)
    more_applicants = forms.CharField(
        label=_("其他职工(集体诉求)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人:姓名 身份证号码 手机号(可从 Excel 粘贴)"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=CaseKind.choices, initial=CaseKind.DEMAND)
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=services.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=CaseCategory.objects.none(),
        empty_label=_("请选择"),
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,
        max_length=services.TITLE_MAX_LENGTH,
        help_text=_("留空则取诉求内容的开头"),
    )
    complexity = forms.ChoiceField(
        label=_("复杂程度"), choices=Complexity.choices, initial=Complexity.ORDINARY
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    employer = OrganizationField(
        label=_("用人单位(已建会)"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("(不选)"),
    )
    employer_name = forms.CharField(label=_("用人单位(未建会)"), required=False, max_length=200)
    employer_credit_code = forms.CharField(
        label=_("单位统一社会信用代码"), required=False, max_length=40
    )
    amount_claimed = forms.DecimalField(
        label=_("涉及金额(元)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    address = forms.CharField(label=_("地点"), required=False, max_length=200)
    attachments = MultipleFileField(
        label=_("附件"),
        help_text=_("照片、合同、工资条等:jpg、png、pdf、docx、xlsx,每个不超过 10 MB"),
    )
    confirm_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = intake_organizations(user)
        self.fields["organization"].widget.configure(perm=services.INTAKE)
        self.fields["employer"].queryset = Organization.objects.visible_to(user).only(
            "id", "name", "path"
        )
        self.fields["persons"].queryset = Person.objects.visible_to(user, "people.view_person")
        self.fields["category"].queryset = CaseCategory.objects.active()
        if not self.is_bound:
            home = home_organization(user)
            if home is not None:
                self.initial.setdefault("organization", home.pk)
        style_form(self)

    def clean_more_applicants(self) -> list[dict]:
        rows = []
        for number, line in enumerate(
            (self.cleaned_data.get("more_applicants") or "").splitlines(), 1
        ):
            parts = [p for p in _APPLICANT_SPLIT.split(line.strip()) if p]
            if not parts:
                continue
            if len(parts) < 2:
                raise forms.ValidationError(
                    _("第 %(n)d 行应为:姓名 身份证号码 手机号") % {"n": number}
                )
            rows.append(
                {
                    "name": parts[0],
                    "id_number": parts[1],
                    "phone": parts[2] if len(parts) > 2 else "",
                }
            )
        if len(rows) > MAX_EXTRA_APPLICANTS:
            raise forms.ValidationError(
                _("一次最多登记 %(n)d 名其他职工") % {"n": MAX_EXTRA_APPLICANTS}
            )
        return rows

    def clean(self):
        data = super().clean()
        if not data.get("title") and data.get("description"):
            data["title"] = derive_title(data["description"])
        return data

    def applicants(self) -> list:
        """The parties as ``submit_case`` takes them: chosen persons, then the inline one,
        then the pasted lines."""
        data = self.cleaned_data
        applicants: list = list(data.get("persons") or [])
        if data.get("new_name") or data.get("new_id_number") or data.get("new_phone"):
            applicants.append(
                {
                    "name": data.get("new_name", ""),
                    "id_number": data.get("new_id_number", ""),
                    "phone": data.get("new_phone", ""),
                }
            )
        applicants.extend(data.get("more_applicants") or [])
        return applicants

    def known_persons(self) -> list[Person]:
        """The applicants already registered (for the duplicate check before saving)."""
        persons = list(self.cleaned_data.get("persons") or [])
        visible = Person.objects.visible_to(self.user, "people.view_person")
        for row in self.applicants():
            if not isinstance(row, dict):
                continue
            found = None
            if row.get("id_number"):
                found = visible.with_id_number(row["id_number"]).first()
            if found is None and row.get("phone"):
                found = visible.with_phone(row["phone"]).first()
            if found is not None and found not in persons:
                persons.append(found)
        return persons

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "organization": data["organization"],
            "channel": data["channel"],
            "kind": data["kind"],
            "category": data["category"],
            "title": data["title"],
            "description": data["description"],
            "complexity": data["complexity"],
            "urgency": data["urgency"],
            "applicants": self.applicants(),
            "employer": data.get("employer"),
            "employer_name": data.get("employer_name", ""),
            "employer_credit_code": data.get("employer_credit_code", ""),
            "amount_claimed": data.get("amount_claimed"),
            "address": data.get("address", ""),
        }


def derive_title(description: str, length: int = 30) -> str:
    """A title from the first line of a description (for intakes in a hurry)."""
    first = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return first[:length] + ("…" if len(first) > length else "")


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
