"""Workbench pages of partner departments: the union manages them (list in scope,
create, edit, deactivate; ``cases.manage_department``), and a department's member
accounts (``cases.answer_referral``) see the referrals sent to their department and
answer them on a restricted page — the case's title, category and description, the
request and its deadline, the parties masked, nothing internal.

Member pages are scoped by membership, not by the organization tree: a referral of
another department, or any id that is not a referral to the user's department, is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from huigong.common.listing import StaffRequiredMixin
from huigong.orgs.scope import get_visible_or_404

from . import department_forms, services
from .models import CaseParty, Department, Referral
from .views import add_service_errors

MANAGE = services.MANAGE_DEPARTMENT
ANSWER = services.ANSWER_REFERRAL


# -- managing departments ------------------------------------------------------------------------


def _managed(request, pk: int) -> Department:
    return get_visible_or_404(
        Department.objects.select_related("organization"), request.user, MANAGE, pk=pk
    )


class DepartmentListView(StaffRequiredMixin, TemplateView):
    """The partner departments registered in the user's scope."""

    permission_required = MANAGE
    template_name = "cases/departments/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        departments = (
            Department.objects.visible_to(self.request.user, MANAGE)
            .select_related("organization")
            .prefetch_related("members")
            .order_by("-is_active", "organization__path", "name")
        )
        context.update({"departments": departments, "page_title": _("协作部门")})
        return context


class _DepartmentFormView(StaffRequiredMixin, View):
    permission_required = MANAGE
    template_name = "cases/departments/form.html"

    def render_form(self, form, department=None):
        title = _("编辑协作部门") if department else _("新建协作部门")
        return render(
            self.request,
            self.template_name,
            {"form": form, "department": department, "page_title": title},
            status=400 if form.errors else 200,
        )

    def saved(self, department: Department, text: str):
        messages.success(self.request, text % {"name": department.name})
        return HttpResponseRedirect(reverse("cases:departments"))


class DepartmentCreateView(_DepartmentFormView):
    def get(self, request):
        return self.render_form(department_forms.DepartmentForm(user=request.user))

    def post(self, request):
        form = department_forms.DepartmentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                department = services.create_department(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self.saved(department, _("已登记协作部门“%(name)s”"))
        return self.render_form(form)


class DepartmentEditView(_DepartmentFormView):
    def get(self, request, pk: int):
        department = _managed(request, pk)
        form = department_forms.DepartmentForm(user=request.user, department=department)
        return self.render_form(form, department)

    def post(self, request, pk: int):
        department = _managed(request, pk)
        form = department_forms.DepartmentForm(
            request.POST, user=request.user, department=department
        )
        if form.is_valid():
            try:
                department = services.update_department(
                    actor=request.user, department=department, **form.service_kwargs()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self.saved(department, _("已保存协作部门“%(name)s”"))
        return self.render_form(form, department)


class DepartmentDeactivateView(StaffRequiredMixin, View):
    permission_required = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        department = _managed(request, pk)
        try:
            services.deactivate_department(actor=request.user, department=department)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已停用协作部门“%(name)s”") % {"name": department.name})
        return HttpResponseRedirect(reverse("cases:departments"))


# -- the partner department's own pages -----------------------------------------------------------


class ReferralQueueView(StaffRequiredMixin, TemplateView):
    """转办给本部门: the referrals sent to the departments the user is a member of."""

    permission_required = ANSWER
    template_name = "cases/departments/referral_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "referrals": list(services.referral_queue(self.request.user)),
                "page_title": _("转办给本部门"),
            }
        )
        return context


class ReferralAnswerView(StaffRequiredMixin, View):
    """One referral as its department sees it, with the reply form while it waits."""

    permission_required = ANSWER
    template_name = "cases/departments/referral_detail.html"

    def load(self, request, pk: int) -> Referral:
        try:
            return services.referral_queue(request.user).get(pk=pk)
        except (Referral.DoesNotExist, ValueError, TypeError):
            raise Http404

    def render_page(self, referral: Referral, form=None, error: str = ""):
        parties = CaseParty.objects.filter(case=referral.case).select_related("person")
        can_answer = services.referral_answerable(referral)
        if can_answer and form is None:
            form = department_forms.PartnerReplyForm()
        failed = bool(error) or (form is not None and bool(form.errors))
        return render(
            self.request,
            self.template_name,
            {
                "referral": referral,
                "case": referral.case,
                "parties": parties,
                "form": form if can_answer else None,
                "error": error,
                "page_title": referral.case.number,
            },
            status=400 if failed else 200,
        )

    def get(self, request, pk: int):
        return self.render_page(self.load(request, pk))

    def post(self, request, pk: int):
        referral = self.load(request, pk)
        if not services.referral_answerable(referral):
            return self.render_page(
                referral, error=_("该转办已答复或诉求已不在转办状态,不能再答复")
            )
        form = department_forms.PartnerReplyForm(request.POST)
        if form.is_valid():
            try:
                services.record_department_reply(
                    actor=request.user,
                    referral=referral,
                    reply_text=form.cleaned_data["reply_text"],
                    replied_by=form.cleaned_data["replied_by"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已提交答复"))
                return HttpResponseRedirect(reverse("cases:referral", args=[referral.pk]))
        referral = self.load(request, pk)
        if not services.referral_answerable(referral):
            return self.render_page(referral, error=" ".join(form.non_field_errors()))
        return self.render_page(referral, form)
