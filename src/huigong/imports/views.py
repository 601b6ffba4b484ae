"""Import pages: upload a file, follow its check and import, confirm or cancel, and
download the rows that were not imported. Each registry's import page (``people:import``,
``orgs:import``) is ``ImportStartView`` with its kind."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from huigong.common.excel import XLSX_MIME
from huigong.common.forms import add_service_errors, style_form
from huigong.common.listing import StaffRequiredMixin

from . import services
from .models import ImportState
from .policy import get_job_or_404, jobs_of
from .registry import get_kind
from .workbook import rejected_rows_workbook

#: How many row messages the job page lists; the workbook holds them all.
ISSUES_SHOWN = 200


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("支持 .xlsx、.xls、.ods、.csv;第一行为表头"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )


class ImportStartView(StaffRequiredMixin, View):
    """The upload page of one kind of import, with its template and the user's recent
    imports of that kind."""

    kind_key = ""
    template_name = "imports/start.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.kind = get_kind(kwargs.get("kind") or self.kind_key)
        except LookupError:
            raise Http404 from None
        self.permission_required = self.kind.permission
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form):
        spec = self.kind.spec_class(actor=self.request.user)
        style_form(form, mark_errors=True)
        context = {
            "kind": self.kind,
            "spec": spec,
            "form": form,
            "jobs": jobs_of(self.request.user, self.kind.key)[:10],
        }
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            return self.kind.spec_class(actor=request.user).template_response()
        return self.render_page(ImportUploadForm())

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.start_import(
                    actor=request.user, kind_key=self.kind.key, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("imports:job", pk=job.pk)
        return self.render_page(form)


class ImportJobView(StaffRequiredMixin, View):
    """A job's progress and result. While a worker is busy the status part reloads
    itself every second (htmx); it stops once the job waits for the user or is over."""

    def get(self, request, pk):
        job = get_job_or_404(request.user, pk)
        kind = get_kind(job.kind)
        context = {
            "job": job,
            "kind": kind,
            "spec": kind.spec_class(actor=request.user),
            "errors": job.issues.filter(level="error")[:ISSUES_SHOWN],
            "warnings": job.issues.filter(level="warning")[:ISSUES_SHOWN],
            "issues_shown": ISSUES_SHOWN,
            "States": ImportState,
        }
        template = "imports/_status.html" if request.htmx else "imports/job.html"
        return render(request, template, context)


class ImportActionView(StaffRequiredMixin, View):
    """Confirm or cancel (POST), then back to the job page with what happened."""

    action = ""

    def post(self, request, pk):
        job = get_job_or_404(request.user, pk)
        try:
            if self.action == "confirm":
                services.confirm_import(actor=request.user, job=job)
                job.refresh_from_db()  # without a broker the import has run already
                if job.state == ImportState.DONE:
                    messages.success(
                        request, _("导入完成:已导入 %(n)d 行") % {"n": job.imported_rows}
                    )
                else:
                    messages.success(request, _("已开始导入,可以离开本页,稍后回来查看结果"))
            else:
                job = services.cancel_import(actor=request.user, job=job)
                if job.state == ImportState.CANCELLED:
                    messages.info(request, _("已取消导入,上传的文件已删除"))
                else:
                    messages.info(request, _("正在停止导入:写完当前一批后停止,已导入的行保留"))
        except ValidationError as exc:
            messages.error(request, _("；").join(exc.messages))
        return redirect("imports:job", pk=job.pk)


class ImportRejectedRowsView(StaffRequiredMixin, View):
    """The rows that were not imported, as the user's own columns plus the reasons, to
    correct and upload again."""

    def get(self, request, pk):
        job = get_job_or_404(request.user, pk)
        if not job.stored_name:
            messages.error(request, _("文件已按规定删除,无法再生成错误行清单"))
            return redirect("imports:job", pk=job.pk)
        data = rejected_rows_workbook(job)
        response = HttpResponse(data, content_type=XLSX_MIME)
        filename = _("%(name)s_未导入的行.xlsx") % {"name": job.filename.rsplit(".", 1)[0]}
        response["Content-Disposition"] = _attachment(filename)
        return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=rejected.xlsx; filename*=UTF-8''{quote(filename)}"


def job_url(job) -> str:
    return reverse("imports:job", kwargs={"pk": job.pk})
