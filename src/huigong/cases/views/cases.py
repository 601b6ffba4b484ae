"""Workbench pages for cases: the queues (scoped lists with filters and export), the
one-form intake with person lookup, category suggestion and duplicate check, the case
detail with its timeline, and one small POST form per action.

Views are thin: they load rows through ``visible_to`` / ``get_visible_or_404`` (a guessed
id outside the user's scope is a 404), parse a form and call one service. A service's
``PermissionDenied`` becomes the 403 page, its ``ValidationError`` field messages on the
detail page; nothing is changed by a refused call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from huigong.common.listing import ScopedListView, StaffRequiredMixin
from huigong.common.workdays import deadline_status
from huigong.kernel.attachments import attachment_response
from huigong.kernel.scope import get_visible_or_404, user_can_at
from huigong.kernel.timeline import Audience
from huigong.people.models import Person
from huigong.people.search import FullNumberSearchThrottled, search_persons

from .. import policy, services
from ..actions import case_actions
from ..filters import CaseFilter, Queue, apply_queue
from ..forms import intake as case_forms
from ..forms import mediation as mediation_forms
from ..forms.base import add_service_errors
from ..models import (
    ACTIVE_MEDIATION_STATUSES,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseParty,
    CaseStatus,
)
from ..services import mediation as mediation_services
from ..services.intake import duplicate_area
from ..tables import STATUS_COLOURS, CaseTable

VIEW_PERM = policy.VIEW_PERM


# -- helpers -----------------------------------------------------------------------------------


def visible_case(request, pk: int) -> Case:
    return policy.visible_case(request.user, pk)


# -- queues ------------------------------------------------------------------------------------


class CaseListView(ScopedListView):
    """诉求 and its queues: ``/cases/`` (all cases in scope) and ``/cases/q/<queue>/``."""

    model = Case
    table_class = CaseTable
    filterset_class = CaseFilter
    template_name = "cases/case_list.html"
    permission_required = VIEW_PERM
    export_permission = "cases.export_case"
    export_filename = pgettext_lazy("case list", "诉求")
    page_title = pgettext_lazy("case list", "诉求")

    def dispatch(self, request, *args, **kwargs):
        self.queue = kwargs.get("queue") or ""
        if self.queue and self.queue not in Queue.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        qs = (
            Case.objects.visible_to(user, VIEW_PERM)
            .select_related("category", "organization", "assignee")
            .prefetch_related(
                Prefetch("parties", queryset=CaseParty.objects.select_related("person"))
            )
        )
        if self.queue:
            qs = apply_queue(qs, user, self.queue)
        return qs

    def get_context_data(self, **kwargs):
        user = self.request.user
        if self.queue:
            self.page_title = Queue(self.queue).label
            self.export_filename = f"{pgettext('case list', '诉求')}-{Queue(self.queue).label}"
        self.create_url_name = "cases:intake" if user.has_perm(services.INTAKE) else None
        context = super().get_context_data(**kwargs)
        context["queues"] = [
            {"key": q.value, "label": q.label, "active": q.value == self.queue} for q in Queue
        ]
        context["queue"] = self.queue
        return context


# -- intake ------------------------------------------------------------------------------------


class IntakeView(StaffRequiredMixin, View):
    """Take a case in with one form; likely duplicates are shown once before saving."""

    permission_required = services.INTAKE
    template_name = "cases/intake.html"

    def render_form(self, form, **extra):
        chosen = []
        if form.is_bound:
            ids = [i for i in form.data.getlist("persons") if str(i).isdigit()][:50]
            chosen = list(
                form.fields["persons"].queryset.filter(pk__in=ids).select_related("organization")
            )
        return render(
            self.request,
            self.template_name,
            {"form": form, "page_title": _("登记诉求"), "chosen_persons": chosen, **extra},
            status=400 if form.errors else 200,
        )

    def get(self, request):
        return self.render_form(case_forms.IntakeForm(user=request.user))

    def post(self, request):
        form = case_forms.IntakeForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_form(form)
        if not form.cleaned_data.get("confirm_duplicates"):
            data = form.cleaned_data
            report = services.find_duplicates(
                actor=request.user,
                category=data["category"],
                persons=form.known_persons(),
                employer=data.get("employer"),
                employer_name=data.get("employer_name", ""),
                employer_credit_code=data.get("employer_credit_code", ""),
                # The county of the receiving organization, as the service bounds its check.
                area=duplicate_area(data["organization"]),
            )
            if report:
                return self.render_form(form, duplicates=report)
        try:
            with transaction.atomic():
                case = services.submit_case(actor=request.user, **form.service_kwargs())
                _attach_all(request.user, case, form.cleaned_data.get("attachments") or [])
        except ValidationError as exc:
            add_service_errors(form, _rename(exc, {"file": "attachments"}))
            return self.render_form(form)
        messages.success(request, _("已登记诉求 %(number)s") % {"number": case.number})
        if case.organization_id != form.cleaned_data["organization"].pk:
            messages.info(
                request,
                _("按分派规则,该诉求由“%(org)s”办理") % {"org": case.organization.name},
            )
        if Case.objects.visible_to(request.user, VIEW_PERM).filter(pk=case.pk).exists():
            return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
        return HttpResponseRedirect(reverse("cases:list"))


def _attach_all(actor, case: Case, files) -> None:
    for upload in files:
        services.add_attachment(actor=actor, case=case, file=upload)


def _rename(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


class PersonLookupView(StaffRequiredMixin, View):
    """htmx: persons matching the lookup box (masked), within scope, with those already
    chosen kept at the top."""

    permission_required = services.INTAKE
    limit = 10

    def get(self, request):
        user = request.user
        chosen_ids = [i for i in request.GET.getlist("persons") if i.isdigit()][:50]
        visible = Person.objects.visible_to(user, "people.view_person")
        chosen = list(visible.filter(pk__in=chosen_ids).select_related("organization"))
        query = (request.GET.get("lookup") or "")[:100]
        found, refusal = [], None
        if query.strip():
            try:
                found = [
                    p
                    for p in search_persons(user, query)
                    .select_related("organization")
                    .order_by("name_pinyin", "id")[: self.limit]
                    if p not in chosen
                ]
            except FullNumberSearchThrottled as exc:
                refusal = exc.message
        context = {"chosen": chosen, "found": found, "query": query, "refusal": refusal}
        context["searched"] = bool(query.strip())
        return render(request, "cases/_person_lookup.html", context)


class CategorySuggestView(StaffRequiredMixin, View):
    """htmx: the category proposed by the description's keywords; when none is chosen yet
    the category box is switched to it (out-of-band swap)."""

    permission_required = services.INTAKE
    http_method_names = ["post"]

    def post(self, request):
        description = (request.POST.get("description") or "")[: services.DESCRIPTION_MAX_LENGTH]
        suggestion = case_forms.suggest_category(description)
        form = None
        if suggestion is not None and not request.POST.get("category"):
            form = case_forms.IntakeForm(user=request.user, initial={"category": suggestion.pk})
        return render(
            request, "cases/_category_suggestion.html", {"suggestion": suggestion, "form": form}
        )


# -- detail and actions ------------------------------------------------------------------------


def detail_context(request, case: Case, bound: tuple[str, Any] | None = None) -> dict:
    user = request.user
    policy.load_related(case)
    allowed = case_actions.allowed_names(user, case, audience=Audience.STAFF)
    action_forms = [
        {
            "name": action.name,
            "label": action.label,
            "form": form,
            "open": bound[0] == action.name if bound is not None else action.name == "accept",
        }
        for action, form in case_actions.forms(user, case, bound=bound, offered=allowed)
    ]
    status = deadline_status(case.due_date) if case.status in OPEN_STATUSES else None
    accept_status = deadline_status(case.accept_due) if case.status == CaseStatus.NEW else None
    return {
        "case": case,
        "page_title": case.number,
        "status_colour": STATUS_COLOURS.get(case.status, "bg-secondary-lt"),
        "deadline": status,
        "accept_deadline": accept_status,
        "timeline": policy.case_timeline(case),
        "action_forms": action_forms,
        "allowed": {
            action.name: action.name in allowed for action in case_actions.of(Audience.STAFF)
        },
        "can_handle": user_can_at(user, services.HANDLE, case.organization.path),
        "mediation_card": mediation_card(user, case),
    }


def mediation_card(user, case: Case, open_form=None) -> dict[str, Any]:
    """The "调解" card of the case detail page: the case's mediations, and the form to
    open one where the user may and none is under way."""
    mediations = list(case.mediations.order_by("-opened_at", "-id"))
    may_open = (
        mediation_services.can_mediate(user, case.organization)
        and case.status in mediation_services.OPENABLE_CASE_STATUSES
        and not any(m.status in ACTIVE_MEDIATION_STATUSES for m in mediations)
    )
    if open_form is None and may_open:
        open_form = mediation_forms.OpenMediationForm(case=case, user=user)
    return {"mediations": mediations, "open_form": open_form}


class CaseDetailView(StaffRequiredMixin, TemplateView):
    permission_required = VIEW_PERM
    template_name = "cases/case_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, visible_case(self.request, self.kwargs["pk"])))
        return context


class CaseActionView(StaffRequiredMixin, View):
    """POST one action form; the service decides (403 / field errors / done)."""

    permission_required = VIEW_PERM
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        case = visible_case(request, pk)
        detail = reverse("cases:detail", args=[case.pk])
        done, form = case_actions.post(request, action, case, redirect_to=detail)
        if done:
            return done
        case = visible_case(request, pk)  # the state as stored (nothing was changed)
        context = detail_context(request, case, bound=(action, form))
        return render(request, "cases/case_detail.html", context, status=400)


class AttachmentDownloadView(StaffRequiredMixin, View):
    """An attachment of a case in the user's scope (files are not served publicly)."""

    permission_required = VIEW_PERM

    def get(self, request, pk: int):
        attachment = get_visible_or_404(
            Attachment.objects.select_related("case"), request.user, VIEW_PERM, pk=pk
        )
        return attachment_response(attachment)
