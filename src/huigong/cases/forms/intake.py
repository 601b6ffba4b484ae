"""The one-form intake of the workbench: the person lookup, the other workers pasted from
Excel or WeChat, and the category suggested by the description's keywords
(``CATEGORY_KEYWORDS``: the first category whose keywords occur is proposed)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.accounts.models import RoleAssignment
from huigong.common.fields import check_credit_code
from huigong.common.forms import amount_field, specific_messages, style_form, text_field
from huigong.orgs.forms import OrganizationField
from huigong.orgs.models import Organization
from huigong.people.models import Person
from huigong.people.validators import check_id_number, check_phone

from .. import services
from ..models import (
    CaseCategory,
    CaseKind,
    Channel,
    Complexity,
    Urgency,
)
from .base import MultipleFileField

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
#: The problems of pasted lines listed one by one; the rest are counted.
MAX_LINE_PROBLEMS = 20


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


def _line_problems(number: int, row: dict) -> list[str]:
    """What is wrong with the ID number and phone of one pasted line, "第 3 行:…"."""
    problems = []
    for value, check in ((row["id_number"], check_id_number), (row["phone"], check_phone)):
        if not value:
            continue
        try:
            check(value)
        except forms.ValidationError as exc:
            problems.extend(
                _("第 %(n)d 行:%(error)s") % {"n": number, "error": message}
                for message in exc.messages
            )
    return problems


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """Persons picked in the intake lookup: only those the user may see."""

    def label_from_instance(self, obj):
        return f"{obj.name} {obj.masked_id_number}"


class IntakeForm(forms.Form):
    """One form to take a case in at a station (walk-in), on the hotline or in the field.

    The worker is found by the lookup (``persons``, several for a group case) or entered
    inline (``new_*``: found again by ID number or phone, registered when new). Likely
    duplicates are shown once before saving; ``confirm_duplicates`` continues anyway.

    ID numbers, phones and the credit code are checked field by field here, with the
    checks the services make again, so they show in one round with the empty required
    fields.
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
    more_applicants = text_field(
        _("其他职工(集体诉求)"),
        20000,
        required=False,
        rows=3,
        help_text=_("每行一人:姓名 身份证号码 手机号(可从 Excel 粘贴)"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=CaseKind.choices, initial=CaseKind.DEMAND)
    description = text_field(_("诉求内容"), services.DESCRIPTION_MAX_LENGTH, rows=4)
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
    amount_claimed = amount_field(_("涉及金额(元)"))
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
        specific_messages(self)

    def clean_new_id_number(self) -> str:
        number = self.cleaned_data["new_id_number"]
        return check_id_number(number).number if number else ""

    def clean_new_phone(self) -> str:
        phone = self.cleaned_data["new_phone"]
        return check_phone(phone) if phone else ""

    def clean_employer_credit_code(self) -> str:
        code = self.cleaned_data["employer_credit_code"]
        # With a unionised employer chosen the service takes that employer's own code.
        if not code or self.cleaned_data.get("employer") is not None:
            return code
        return check_credit_code(code)

    def clean_more_applicants(self) -> list[dict]:
        rows, problems = [], []
        for number, line in enumerate(
            (self.cleaned_data.get("more_applicants") or "").splitlines(), 1
        ):
            parts = [p for p in _APPLICANT_SPLIT.split(line.strip()) if p]
            if not parts:
                continue
            if len(parts) < 2:
                problems.append(_("第 %(n)d 行应为:姓名 身份证号码 手机号") % {"n": number})
                continue
            row = {
                "name": parts[0],
                "id_number": parts[1],
                "phone": parts[2] if len(parts) > 2 else "",
            }
            problems.extend(_line_problems(number, row))
            rows.append(row)
        if len(rows) > MAX_EXTRA_APPLICANTS:
            problems.append(_("一次最多登记 %(n)d 名其他职工") % {"n": MAX_EXTRA_APPLICANTS})
        if len(problems) > MAX_LINE_PROBLEMS:
            rest = len(problems) - MAX_LINE_PROBLEMS
            problems = [*problems[:MAX_LINE_PROBLEMS], _("另有 %(n)d 处问题") % {"n": rest}]
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def clean(self):
        data = super().clean()
        if not data.get("title") and data.get("description"):
            data["title"] = services.derive_title(data["description"])
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
