"""Workbench pages for managing partner departments: the union lists the departments in
its scope, registers, edits and deactivates them (``partners.manage_department``). The
pages where a department's members answer what is sent to them belong to the sending
app (``cases``: the referral queue)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from huigong.common.listing import StaffRequiredMixin, save_form

from . import services
from .forms import DepartmentForm
from .models import Department
from .policy import MANAGE_DEPARTMENT, managed_department_or_404, managed_departments


class DepartmentListView(StaffRequiredMixin, TemplateView):
    """The partner departments registered in the user's scope."""

    permission_required = MANAGE_DEPARTMENT
    template_name = "partners/departments/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        departments = (
            managed_departments(self.request.user)
            .select_related("organization")
            .prefetch_related("members")
            .order_by("-is_active", "organization__path", "name")
        )
        context.update({"departments": departments, "page_title": _("协作部门")})
        return context


class DepartmentFormView(StaffRequiredMixin, View):
    """What the create and edit pages share: the form page and the redirect after saving."""

    permission_required = MANAGE_DEPARTMENT
    template_name = "partners/departments/form.html"

    def render_form(self, form, department=None):
        title = _("编辑协作部门") if department else _("新建协作部门")
        return render(
            self.request,
            self.template_name,
            {"form": form, "department": department, "page_title": title},
            status=400 if form.errors else 200,
        )

    def save(self, form, perform, text: str, department: Department | None = None):
        """Run ``perform`` on the valid form: back to the list, naming the department in
        ``text``, or the form again with the service's messages."""
        done = save_form(
            self.request,
            form,
            perform,
            success=lambda saved: text % {"name": saved.name},
            redirect_to=reverse("partners:departments"),
            errors=DepartmentForm.apply_service_errors,
        )
        return done or self.render_form(form, department)


class DepartmentCreateView(DepartmentFormView):
    def get(self, request):
        return self.render_form(DepartmentForm(user=request.user))

    def post(self, request):
        form = DepartmentForm(request.POST, user=request.user)
        return self.save(
            form,
            lambda: services.create_department(actor=request.user, **form.service_kwargs()),
            _("已登记协作部门“%(name)s”"),
        )


class DepartmentEditView(DepartmentFormView):
    def get(self, request, pk: int):
        department = managed_department_or_404(request.user, pk)
        return self.render_form(
            DepartmentForm(user=request.user, department=department), department
        )

    def post(self, request, pk: int):
        department = managed_department_or_404(request.user, pk)
        form = DepartmentForm(request.POST, user=request.user, department=department)
        return self.save(
            form,
            lambda: services.update_department(
                actor=request.user, department=department, **form.service_kwargs()
            ),
            _("已保存协作部门“%(name)s”"),
            department,
        )


class DepartmentDeactivateView(StaffRequiredMixin, View):
    permission_required = MANAGE_DEPARTMENT
    http_method_names = ["post"]

    def post(self, request, pk: int):
        department = managed_department_or_404(request.user, pk)
        try:
            services.deactivate_department(actor=request.user, department=department)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已停用协作部门“%(name)s”") % {"name": department.name})
        return HttpResponseRedirect(reverse("partners:departments"))
