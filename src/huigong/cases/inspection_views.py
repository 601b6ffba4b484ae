"""Workbench pages for joint labour inspections (执法检查): the scoped list with filters
and export, the plan form (create and edit), and the campaign page with its targets,
findings, rectification orders, result totals and timeline, with one small POST form per
action.

Thin like ``cases.views``: load through the scope (a guessed id outside it is a 404), parse
a form, call one service in ``cases.services.inspections``; its ``PermissionDenied`` is
the 403 page, its ``ValidationError`` field messages on the page (status 400) with
nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
import django_tables2 as tables
from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View

from huigong.common.forms import add_service_errors
from huigong.common.listing import ScopedListView, StaffRequiredMixin
from huigong.common.workdays import deadline_status
from huigong.orgs.scope import get_visible_or_404
from huigong.orgs.widgets import OrganizationAutocomplete
from huigong.people.filters import OrganizationFilter, organization_choices

from . import inspection_forms as forms
from .models import (
    ACTIVE_INSPECTION_STATUSES,
    Case,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from .services import inspections as services

VIEW_PERM = services.VIEW_INSPECTION
EXPORT_PERM = "cases.export_case"

STATUS_COLOURS = {
    InspectionStatus.PLANNED: "bg-orange-lt",
    InspectionStatus.IN_PROGRESS: "bg-blue-lt",
    InspectionStatus.FINISHED: "bg-green-lt",
    InspectionStatus.CANCELLED: "bg-secondary-lt",
}


# -- list --------------------------------------------------------------------------------------


def _count(model, link: str, **filters) -> Subquery:
    rows = (
        model.objects.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_totals(queryset):
    """Annotate each campaign's counts (one subquery each, no row multiplication)."""
    orders = "finding__target__inspection"
    contracts = (
        RectificationOrder.objects.filter(**{orders: OuterRef("pk")}, status="rectified")
        .order_by()
        .values(orders)
        .annotate(n=Sum("contracts_signed"))
        .values("n")
    )
    return queryset.annotate(
        target_count=_count(InspectionTarget, "inspection"),
        finding_count=_count(InspectionFinding, "target__inspection"),
        order_count=_count(RectificationOrder, orders),
        rectified_count=_count(RectificationOrder, orders, status="rectified"),
        contracts_total=Coalesce(Subquery(contracts, output_field=IntegerField()), 0),
    )


class InspectionTable(tables.Table):
    name = tables.Column(
        verbose_name=_("检查名称"),
        linkify=("cases:inspection_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"data-testid": "inspection-name"}},
    )
    organization = tables.Column(
        verbose_name=_("组织单位"), accessor="organization__name", order_by=("organization__path",)
    )
    start_date = tables.Column(
        verbose_name=_("检查期间"),
        order_by=("start_date", "id"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    status = tables.Column(
        verbose_name=_("状态"), attrs={"td": {"data-testid": "inspection-status"}}
    )
    target_count = tables.Column(verbose_name=_("检查单位"))
    finding_count = tables.Column(verbose_name=_("发现问题"))
    order_count = tables.Column(verbose_name=_("整改通知"))
    rectified_count = tables.Column(verbose_name=_("已整改"))
    contracts_total = tables.Column(verbose_name=_("新签劳动合同"))

    class Meta:
        model = Inspection
        fields = (
            "name",
            "organization",
            "start_date",
            "status",
            "target_count",
            "finding_count",
            "order_count",
            "rectified_count",
            "contracts_total",
        )
        attrs = {"class": "table table-vcenter card-table", "data-testid": "inspection-table"}
        empty_text = _("没有符合条件的执法检查")
        order_by = ("-start_date",)

    def _period(self, record) -> str:
        return (
            f"{date_format(record.start_date, 'Y-m-d')} ~ {date_format(record.end_date, 'Y-m-d')}"
        )

    def render_start_date(self, record):
        return self._period(record)

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_COLOURS.get(record.status, "bg-secondary-lt"),
            record.get_status_display(),
        )

    def value_start_date(self, record):
        return self._period(record)

    def value_status(self, record):
        return record.get_status_display()


class _YearField(django_forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class _YearFilter(django_filters.Filter):
    field_class = _YearField


class InspectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=django_forms.TextInput(attrs={"placeholder": _("检查名称或单位"), "maxlength": 100}),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=InspectionStatus.choices, empty_label=_("全部")
    )
    year = _YearFilter(label=_("年份"), method="filter_year")
    organization = OrganizationFilter(
        label=_("组织单位(含下级)"),
        queryset=lambda request: organization_choices(getattr(request, "user", None), VIEW_PERM),
        empty_label=_("全部"),
        method="filter_subtree",
        widget=OrganizationAutocomplete(perm=VIEW_PERM),
    )

    class Meta:
        model = Inspection
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, django_forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter_search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(name__contains=value) | Q(targets__name__contains=value)
        ).distinct()

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_date__year__lte=value, end_date__year__gte=value)

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=value.path)


class InspectionListView(ScopedListView):
    """执法检查: the campaigns in the user's scope."""

    model = Inspection
    table_class = InspectionTable
    filterset_class = InspectionFilter
    template_name = "cases/inspections/list.html"
    permission_required = VIEW_PERM
    export_permission = EXPORT_PERM
    export_filename = pgettext_lazy("inspection list", "执法检查")
    page_title = pgettext_lazy("inspection list", "执法检查")

    def get_queryset(self):
        qs = Inspection.objects.visible_to(self.request.user, VIEW_PERM).select_related(
            "organization"
        )
        return with_totals(qs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        self.create_url_name = "cases:inspection_create" if user.has_perm(services.MANAGE) else None
        return super().get_context_data(**kwargs)


# -- plan form ---------------------------------------------------------------------------------


def visible_inspection(request, pk: int) -> Inspection:
    return get_visible_or_404(
        Inspection.objects.select_related("organization", "created_by"),
        request.user,
        VIEW_PERM,
        pk=pk,
    )


class InspectionCreateView(StaffRequiredMixin, View):
    permission_required = services.MANAGE
    template_name = "cases/inspections/form.html"

    def render_form(self, form, status: int = 200):
        context = {"form": form, "page_title": _("新建执法检查"), "inspection": None}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(forms.InspectionForm(user=request.user))

    def post(self, request):
        form = forms.InspectionForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                inspection = services.plan_inspection(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(_("已创建执法检查计划")))
                return HttpResponseRedirect(
                    reverse("cases:inspection_detail", args=[inspection.pk])
                )
        return self.render_form(form, status=400)


class InspectionEditView(StaffRequiredMixin, View):
    permission_required = services.MANAGE
    template_name = "cases/inspections/form.html"

    def load(self, pk: int) -> Inspection:
        inspection = visible_inspection(self.request, pk)
        if not services.can_manage_inspection(self.request.user, inspection.organization):
            raise PermissionDenied
        return inspection

    def render_form(self, form, inspection, status: int = 200):
        context = {"form": form, "page_title": _("修改执法检查计划"), "inspection": inspection}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        inspection = self.load(pk)
        initial = {
            "name": inspection.name,
            "start_date": inspection.start_date,
            "end_date": inspection.end_date,
            "departments": list(inspection.departments.all()),
            "description": inspection.description,
        }
        form = forms.InspectionForm(user=request.user, inspection=inspection, initial=initial)
        return self.render_form(form, inspection)

    def post(self, request, pk: int):
        inspection = self.load(pk)
        form = forms.InspectionForm(request.POST, user=request.user, inspection=inspection)
        if form.is_valid():
            try:
                services.update_inspection(
                    actor=request.user, inspection=inspection, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(_("已保存")))
                return HttpResponseRedirect(
                    reverse("cases:inspection_detail", args=[inspection.pk])
                )
        return self.render_form(form, visible_inspection(request, pk), status=400)


# -- detail and actions ------------------------------------------------------------------------


@dataclass
class Action:
    form_class: type
    label: Any
    success: Any
    states: tuple
    call: Any


def _start(user, inspection, form):
    return services.start_inspection(actor=user, inspection=inspection)


def _finish(user, inspection, form):
    return services.finish_inspection(actor=user, inspection=inspection, **form.cleaned_data)


def _cancel(user, inspection, form):
    return services.cancel_inspection(actor=user, inspection=inspection, **form.cleaned_data)


def _target(user, inspection, form):
    return services.add_inspection_target(actor=user, inspection=inspection, **form.cleaned_data)


def _visit(user, inspection, form):
    return services.record_target_visit(actor=user, **form.cleaned_data)


def _finding(user, inspection, form):
    return services.record_finding(actor=user, **form.cleaned_data)


def _order(user, inspection, form):
    return services.issue_rectification_order(actor=user, **form.cleaned_data)


def _rectify(user, inspection, form):
    return services.record_rectification(actor=user, **form.cleaned_data)


def _case(user, inspection, form):
    return services.open_case_from_finding(actor=user, **form.service_kwargs())


_RUNNING = (InspectionStatus.IN_PROGRESS,)
_FOLLOW_UP = (InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED)

ACTIONS: dict[str, Action] = {
    "start": Action(
        forms.StartForm,
        pgettext_lazy("inspection", "开始检查"),
        _("已开始检查"),
        (InspectionStatus.PLANNED,),
        _start,
    ),
    "target": Action(
        forms.TargetForm,
        pgettext_lazy("inspection", "添加检查对象"),
        _("已添加检查对象"),
        ACTIVE_INSPECTION_STATUSES,
        _target,
    ),
    "visit": Action(
        forms.VisitForm,
        pgettext_lazy("inspection", "登记检查情况"),
        _("已登记检查情况"),
        _RUNNING,
        _visit,
    ),
    "finding": Action(
        forms.FindingForm,
        pgettext_lazy("inspection", "登记发现问题"),
        _("已登记发现问题"),
        _RUNNING,
        _finding,
    ),
    "order": Action(
        forms.OrderForm,
        pgettext_lazy("inspection", "下达整改通知"),
        _("已下达整改通知"),
        _FOLLOW_UP,
        _order,
    ),
    "rectify": Action(
        forms.RectifyForm,
        pgettext_lazy("inspection", "登记整改结果"),
        _("已登记整改结果"),
        _FOLLOW_UP,
        _rectify,
    ),
    "case": Action(
        forms.OpenCaseForm,
        pgettext_lazy("inspection", "立案转办"),
        _("已立案"),
        _FOLLOW_UP,
        _case,
    ),
    "finish": Action(
        forms.FinishForm,
        pgettext_lazy("inspection", "结束检查"),
        _("已结束检查"),
        _RUNNING,
        _finish,
    ),
    "cancel": Action(
        forms.CancelForm,
        pgettext_lazy("inspection", "取消检查"),
        _("已取消检查"),
        ACTIVE_INSPECTION_STATUSES,
        _cancel,
    ),
}


def _targets_with_rows(inspection: Inspection) -> list[InspectionTarget]:
    orders = RectificationOrder.objects.order_by("due_date", "id")
    findings = InspectionFinding.objects.select_related("case").prefetch_related(
        Prefetch("orders", queryset=orders)
    )
    return list(
        inspection.targets.select_related("organization").prefetch_related(
            Prefetch("findings", queryset=findings.order_by("id"))
        )
    )


def _totals(targets: list[InspectionTarget]) -> dict[str, Any]:
    findings = [f for t in targets for f in t.findings.all()]
    orders = [o for f in findings for o in f.orders.all()]
    rectified = [o for o in orders if o.status == RectificationStatus.RECTIFIED]
    on_time = [o for o in rectified if o.rectified_on_time]
    return {
        "targets": len(targets),
        "visited": sum(1 for t in targets if t.visited_on),
        "workers": sum(t.workers_employed or 0 for t in targets),
        "findings": len(findings),
        "workers_affected": sum(f.workers_affected for f in findings),
        "orders": len(orders),
        "rectified": len(rectified),
        "on_time": len(on_time),
        "overdue": sum(1 for o in orders if o.status == RectificationStatus.OVERDUE),
        "contracts_signed": sum(o.contracts_signed for o in rectified),
        "workers_insured": sum(o.workers_insured for o in rectified),
        "amount_recovered": sum((o.amount_recovered for o in rectified), Decimal("0.00")),
        "cases": sum(1 for f in findings if f.case_id),
    }


def inspection_context(request, inspection: Inspection, bound=None) -> dict[str, Any]:
    user = request.user
    can = services.can_manage_inspection(user, inspection.organization)
    targets = _targets_with_rows(inspection)
    for target in targets:
        for finding in target.findings.all():
            for order in finding.orders.all():
                order.deadline = (
                    deadline_status(order.due_date)
                    if order.status != RectificationStatus.RECTIFIED
                    else None
                )
    action_forms = []
    for name, action in ACTIONS.items():
        if bound is not None and bound[0] == name:
            form = bound[1]
        elif can and inspection.status in action.states:
            form = action.form_class(inspection=inspection, user=user)
            if any(
                isinstance(f, django_forms.ModelChoiceField)
                and f.required
                and not f.queryset.exists()
                for f in form.fields.values()
            ):
                continue
        else:
            continue
        open_ = bound[0] == name if bound is not None else False
        action_forms.append({"name": name, "label": action.label, "form": form, "open": open_})
    return {
        "inspection": inspection,
        "page_title": inspection.name,
        "departments": list(inspection.departments.all()),
        "targets": targets,
        "totals": _totals(targets),
        "events": list(inspection.events.select_related("actor")),
        "action_forms": action_forms,
        "can_edit": can and inspection.status in ACTIVE_INSPECTION_STATUSES,
        "status_colour": STATUS_COLOURS.get(inspection.status, "bg-secondary-lt"),
    }


class InspectionDetailView(StaffRequiredMixin, View):
    permission_required = VIEW_PERM
    template_name = "cases/inspections/detail.html"

    def get(self, request, pk: int):
        inspection = visible_inspection(request, pk)
        return render(request, self.template_name, inspection_context(request, inspection))


class InspectionActionView(StaffRequiredMixin, View):
    """POST one action's form; the service decides (403 / field errors / done)."""

    permission_required = VIEW_PERM
    http_method_names = ["post"]

    def _case_visible(self, case) -> bool:
        return (
            Case.objects.visible_to(self.request.user, "cases.view_case")
            .filter(pk=case.pk)
            .exists()
        )

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404
        step = ACTIONS[action]
        inspection = visible_inspection(request, pk)
        form = step.form_class(request.POST, inspection=inspection, user=request.user)
        if form.is_valid():
            try:
                result = step.call(request.user, inspection, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(step.success))
                if action == "case" and self._case_visible(result):
                    return HttpResponseRedirect(reverse("cases:detail", args=[result.pk]))
                return HttpResponseRedirect(
                    reverse("cases:inspection_detail", args=[inspection.pk])
                )
        inspection = visible_inspection(request, pk)  # as stored: nothing was changed
        return render(
            request,
            "cases/inspections/detail.html",
            inspection_context(request, inspection, bound=(action, form)),
            status=400,
        )
