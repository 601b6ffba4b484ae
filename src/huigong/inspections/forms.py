"""Forms of the inspection pages. They only parse types and offer the rows a user may pick
(organizations and departments in scope, the campaign's own targets, findings and
orders); the rules live in ``huigong.inspections.services``."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.cases.models import CaseCategory
from huigong.common.forms import (
    ObjectActionForm,
    amount_field,
    count_field,
    date_field,
    style_form,
    text_field,
)
from huigong.kernel.scope import scope_paths
from huigong.orgs.models import Organization
from huigong.partners.models import Department
from huigong.people.filters import OrganizationChoiceField

from . import services as inspection_services
from .models import (
    OPEN_RECTIFICATION_STATUSES,
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionTarget,
    RectificationOrder,
)


def manageable_organizations(user):
    """Organizations where ``user`` may organise a campaign."""
    return (
        Organization.objects.active()
        .visible_to(user, inspection_services.MANAGE)
        .only("id", "name", "path", "depth")
    )


def offered_departments(user):
    """Active departments registered in the user's scope or above it (a township campaign
    runs with the county's 劳动监察); the service checks the organizer's own ones."""
    paths = scope_paths(user, inspection_services.MANAGE)
    qs = Department.objects.active().select_related("organization")
    if paths is None:
        return qs.order_by("organization__path", "name")
    if not paths:
        return qs.none()
    step = Organization.steplen
    prefixes = {p[:i] for p in paths for i in range(step, len(p) + 1, step)}
    inside = reduce(or_, (Q(organization__path__startswith=p) for p in paths))
    return qs.filter(inside | Q(organization__path__in=prefixes)).order_by(
        "organization__path", "name"
    )


class DepartmentField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}({obj.get_kind_display()})"


class InspectionForm(forms.Form):
    """Plan a campaign, or correct its plan (the organizer is fixed once planned)."""

    organization = OrganizationChoiceField(
        label=_("组织单位"), queryset=Organization.objects.none()
    )
    name = forms.CharField(
        label=_("检查名称"),
        max_length=inspection_services.NAME_MAX_LENGTH,
        help_text=_("例如:2025 年民营企业劳动用工联合执法检查"),
    )
    start_date = date_field(_("开始日期"))
    end_date = date_field(_("结束日期"))
    departments = DepartmentField(
        label=_("联合部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = text_field(
        _("检查内容"), inspection_services.DESCRIPTION_MAX_LENGTH, required=False, rows=4
    )

    def __init__(self, *args, user, inspection: Inspection | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.inspection = user, inspection
        if inspection is None:
            self.fields["organization"].queryset = manageable_organizations(user)
            self.fields["organization"].widget.configure(
                perm=inspection_services.MANAGE, active=True
            )
            self.fields["departments"].queryset = offered_departments(user)
        else:
            del self.fields["organization"]
            self.fields["departments"].queryset = inspection_services.usable_inspection_departments(
                inspection.organization
            )
        style_form(self)


class InspectionActionForm(ObjectActionForm):
    """A small form on the inspection page (built with ``inspection=`` and ``user=``)."""

    subject = "inspection"

    def service_kwargs(self) -> dict:
        """What the action's service takes from this form."""
        return dict(self.cleaned_data)


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FindingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.target.name}:{obj.get_kind_display()}"


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(finding)s(期限 %(due)s)") % {
            "finding": f"{obj.finding.target.name}:{obj.finding.get_kind_display()}",
            "due": f"{obj.due_date:%Y-%m-%d}",
        }


def _targets(inspection: Inspection):
    return InspectionTarget.objects.filter(inspection=inspection).order_by("id")


def _findings(inspection: Inspection):
    return (
        InspectionFinding.objects.filter(target__inspection=inspection)
        .select_related("target")
        .order_by("id")
    )


class StartForm(InspectionActionForm):
    prefix_name = "start"


class FinishForm(InspectionActionForm):
    prefix_name = "finish"
    summary = text_field(
        _("检查总结"), inspection_services.RESULT_MAX_LENGTH, required=False, rows=4
    )


class CancelForm(InspectionActionForm):
    prefix_name = "cancel"
    reason = text_field(_("取消原因"), inspection_services.NOTE_MAX_LENGTH)


class TargetForm(InspectionActionForm):
    prefix_name = "target"
    organization = OrganizationChoiceField(
        label=_("已建会单位"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("未建会的企业、合作社请在下面填写名称"),
    )
    name = forms.CharField(
        label=_("单位名称"), required=False, max_length=inspection_services.NAME_MAX_LENGTH
    )
    credit_code = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=72)

    def setup(self):
        self.fields["organization"].queryset = inspection_services.target_organizations(
            self.inspection
        ).only("id", "name", "path", "depth")
        self.fields["organization"].widget.configure(
            perm=inspection_services.VIEW_INSPECTION,
            active=True,
            under=self.inspection.organization_id,
        )


class VisitForm(InspectionActionForm):
    prefix_name = "visit"
    target = TargetChoiceField(label=_("检查对象"), queryset=InspectionTarget.objects.none())
    visited_on = date_field(_("检查日期"))
    workers_employed = count_field(_("用工人数"), inspection_services.MAX_FIGURE)
    result_summary = text_field(
        _("检查情况"), inspection_services.RESULT_MAX_LENGTH, required=False, rows=3
    )

    def setup(self):
        self.fields["target"].queryset = _targets(self.inspection)


class FindingForm(InspectionActionForm):
    prefix_name = "finding"
    target = TargetChoiceField(label=_("检查对象"), queryset=InspectionTarget.objects.none())
    kind = forms.ChoiceField(label=_("问题类型"), choices=FindingKind.choices)
    workers_affected = count_field(_("涉及职工人数"), inspection_services.MAX_FIGURE)
    amount_involved = amount_field(_("涉及金额(元)"))
    description = text_field(_("问题描述"), inspection_services.DESCRIPTION_MAX_LENGTH, rows=3)

    def setup(self):
        self.fields["target"].queryset = _targets(self.inspection)


class OrderForm(InspectionActionForm):
    prefix_name = "order"
    finding = FindingChoiceField(label=_("发现问题"), queryset=InspectionFinding.objects.none())
    requirement = text_field(_("整改要求"), inspection_services.DESCRIPTION_MAX_LENGTH, rows=3)
    days = forms.IntegerField(
        label=_("整改期限(工作日)"),
        required=False,
        min_value=1,
        max_value=inspection_services.MAX_RECTIFICATION_DAYS,
        help_text=_("填写工作日数,或在下面选择日期"),
    )
    due_date = date_field(_("整改期限(日期)"), required=False)

    def setup(self):
        self.fields["finding"].queryset = _findings(self.inspection)


class RectifyForm(InspectionActionForm):
    prefix_name = "rectify"
    order = OrderChoiceField(label=_("整改通知"), queryset=RectificationOrder.objects.none())
    result_text = text_field(_("整改情况"), inspection_services.RESULT_MAX_LENGTH, rows=3)
    contracts_signed = count_field(_("新签劳动合同(份)"), inspection_services.MAX_FIGURE)
    workers_insured = count_field(_("新参保职工(人)"), inspection_services.MAX_FIGURE)
    amount_recovered = amount_field(_("追回金额(元)"))

    def setup(self):
        self.fields["order"].queryset = (
            RectificationOrder.objects.filter(
                finding__target__inspection=self.inspection,
                status__in=OPEN_RECTIFICATION_STATUSES,
            )
            .select_related("finding__target")
            .order_by("due_date", "id")
        )


class OpenCaseForm(InspectionActionForm):
    prefix_name = "case"
    finding = FindingChoiceField(label=_("发现问题"), queryset=InspectionFinding.objects.none())
    category = forms.ModelChoiceField(
        label=_("诉求类别"),
        queryset=CaseCategory.objects.none(),
        required=False,
        empty_label=_("按问题类型"),
    )
    applicant_name = forms.CharField(label=_("职工代表姓名"), max_length=50)
    applicant_id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=40,
        required=False,
        help_text=_("已登记的职工可只填手机号;新职工须填身份证号码"),
    )
    applicant_phone = forms.CharField(label=_("手机号"), max_length=40, required=False)

    def setup(self):
        self.fields["finding"].queryset = _findings(self.inspection).filter(case__isnull=True)
        self.fields["category"].queryset = CaseCategory.objects.active()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "finding": data["finding"],
            "category": data.get("category"),
            "applicants": [
                {
                    "name": data["applicant_name"],
                    "id_number": data.get("applicant_id_number", ""),
                    "phone": data.get("applicant_phone", ""),
                }
            ],
        }
