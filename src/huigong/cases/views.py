"""Workbench pages for cases: the queues (scoped lists with filters and export), the
one-form intake with person lookup, category suggestion and duplicate check, the case
detail with its timeline, and one small POST form per action.

Views are thin: they load rows through ``visible_to`` / ``get_visible_or_404`` (a guessed
id outside the user's scope is a 404), parse a form and call one service. A service's
``PermissionDenied`` becomes the 403 page, its ``ValidationError`` field messages on the
detail page; nothing is changed by a refused call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_fsm import can_proceed

from huigong.common.files import private_file_response
from huigong.common.listing import ScopedListView, StaffRequiredMixin
from huigong.common.workdays import deadline_status
from huigong.orgs.scope import get_visible_or_404, user_can_at
from huigong.people.models import Person
from huigong.people.search import FullNumberSearchThrottled, search_persons

from . import forms as case_forms
from . import services
from .filters import CaseFilter, Queue, apply_queue
from .models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseParty,
    CaseStatus,
    ReferralStatus,
)
from .tables import STATUS_COLOURS, CaseTable

VIEW_PERM = services.VIEW


# -- helpers -----------------------------------------------------------------------------------


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: known fields on themselves, the
    rest (``applicants.0.id_number``, state errors) above the form, in Chinese."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        if name in form.fields:
            form.add_error(name, texts)
        elif name.startswith("applicants"):
            parts = name.split(".")
            label = (
                _("第 %(n)d 名职工") % {"n": int(parts[1]) + 1}
                if len(parts) > 1 and parts[1].isdigit()
                else _("申请人")
            )
            form.add_error(
                None, [_("%(label)s:%(error)s") % {"label": label, "error": t} for t in texts]
            )
        else:
            form.add_error(None, texts)


def visible_case(request, pk: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related(
            "organization", "category", "assignee", "owner", "received_by", "employer", "grid"
        ),
        request.user,
        VIEW_PERM,
        pk=pk,
    )


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


@dataclass
class Action:
    form_class: type
    label: str
    success: str


def _allowed(user, case: Case, can_handle: bool) -> dict[str, bool]:
    """Which action forms to show: the state allows the transition and the user holds the
    permission where the case is. The services check both again."""
    status = case.status
    active = status in (*OPEN_STATUSES, CaseStatus.RESOLVED)
    waiting_referrals = any(r.status != ReferralStatus.REPLIED for r in case.referral_list)
    open_supervisions = any(s.responded_at is None for s in case.supervision_list)
    rated = bool(case.rated_at and case.resolved_at and case.rated_at >= case.resolved_at)
    return {
        "accept": can_handle and can_proceed(case.accept),
        "note": can_handle and active,
        "contact": can_handle and active,
        "refer": can_handle and can_proceed(case.refer),
        "reply": can_handle and status == CaseStatus.REFERRED and waiting_referrals,
        "escalate": can_handle
        and status in (CaseStatus.NEW, CaseStatus.ACCEPTED)
        and case.organization.depth > 1,
        "supervise": status in OPEN_STATUSES
        and not user.is_worker
        and services.supervising_organization(user, case) is not None,
        "answer": can_handle and open_supervisions and status not in FINAL_STATUSES,
        "resolve": can_handle and can_proceed(case.resolve),
        "rate": can_handle and status == CaseStatus.RESOLVED and not rated,
        "close": can_handle and can_proceed(case.close),
        "reassign": can_handle and status in (CaseStatus.ACCEPTED, CaseStatus.REFERRED),
        "merge": can_handle and status in OPEN_STATUSES,
        "withdraw": can_handle and status in OPEN_STATUSES,
        "attach": can_handle and active,
        "update": can_handle and status in OPEN_STATUSES,
    }


def _call_accept(user, case, data):
    return services.accept_case(actor=user, case=case, assignee=data.get("assignee"))


def _call_note(user, case, data):
    return services.add_note(actor=user, case=case, note=data["note"])


def _call_contact(user, case, data):
    return services.log_contact(
        actor=user, case=case, note=data["note"], method=data["method"], contact=data["contact"]
    )


def _call_refer(user, case, data):
    return services.refer_case(
        actor=user, case=case, department=data["department"], note=data["note"]
    )


def _call_reply(user, case, data):
    return services.record_department_reply(
        actor=user,
        referral=data["referral"],
        reply_text=data["reply_text"],
        replied_by=data["replied_by"],
    )


def _call_escalate(user, case, data):
    return services.escalate_case(actor=user, case=case, reason=data["reason"])


def _call_supervise(user, case, data):
    return services.supervise_case(
        actor=user, case=case, comment=data["comment"], days=data["days"]
    )


def _call_answer(user, case, data):
    return services.answer_supervision(
        actor=user, supervision=data["supervision"], response=data["response"]
    )


def _call_resolve(user, case, data):
    return services.resolve_case(
        actor=user,
        case=case,
        outcome=data["outcome"],
        result_text=data["result_text"],
        amount_recovered=data.get("amount_recovered"),
        workers_benefited=data.get("workers_benefited"),
    )


def _call_rate(user, case, data):
    return services.rate_case(
        actor=user, case=case, satisfaction=data["satisfaction"], note=data.get("note", "")
    )


def _call_close(user, case, data):
    return services.close_case(actor=user, case=case, note=data.get("note", ""))


def _call_reassign(user, case, data):
    return services.reassign_case(
        actor=user, case=case, assignee=data["assignee"], note=data.get("note", "")
    )


def _call_merge(user, case, data):
    return services.merge_cases(actor=user, case=case, into=data["into"], note=data.get("note", ""))


def _call_withdraw(user, case, data):
    return services.withdraw_case(actor=user, case=case, reason=data["reason"])


def _call_update(user, case, data):
    return services.update_case(
        actor=user, case=case, **{name: data.get(name) for name in services.UPDATABLE_FIELDS}
    )


def _call_attach(user, case, data):
    with transaction.atomic():
        _attach_all(user, case, data["files"])


ACTIONS: dict[str, tuple[Action, Any]] = {
    "accept": (
        Action(case_forms.AcceptForm, pgettext_lazy("case action", "受理"), gettext_lazy("已受理")),
        _call_accept,
    ),
    "note": (
        Action(
            case_forms.NoteForm,
            pgettext_lazy("case action", "办理记录"),
            gettext_lazy("已添加办理记录"),
        ),
        _call_note,
    ),
    "contact": (
        Action(
            case_forms.ContactForm,
            pgettext_lazy("case action", "联系记录"),
            gettext_lazy("已添加联系记录"),
        ),
        _call_contact,
    ),
    "refer": (
        Action(case_forms.ReferForm, pgettext_lazy("case action", "转办"), gettext_lazy("已转办")),
        _call_refer,
    ),
    "reply": (
        Action(
            case_forms.ReplyForm,
            pgettext_lazy("case action", "登记部门答复"),
            gettext_lazy("已登记部门答复"),
        ),
        _call_reply,
    ),
    "escalate": (
        Action(
            case_forms.EscalateForm,
            pgettext_lazy("case action", "上报"),
            gettext_lazy("已上报上级工会"),
        ),
        _call_escalate,
    ),
    "supervise": (
        Action(
            case_forms.SuperviseForm, pgettext_lazy("case action", "督办"), gettext_lazy("已督办")
        ),
        _call_supervise,
    ),
    "answer": (
        Action(
            case_forms.AnswerForm,
            pgettext_lazy("case action", "回复督办"),
            gettext_lazy("已回复督办"),
        ),
        _call_answer,
    ),
    "resolve": (
        Action(
            case_forms.ResolveForm, pgettext_lazy("case action", "办结"), gettext_lazy("已办结")
        ),
        _call_resolve,
    ),
    "rate": (
        Action(
            case_forms.RateForm,
            pgettext_lazy("case action", "回访评价"),
            gettext_lazy("已记录满意度"),
        ),
        _call_rate,
    ),
    "close": (
        Action(case_forms.CloseForm, pgettext_lazy("case action", "归档"), gettext_lazy("已归档")),
        _call_close,
    ),
    "reassign": (
        Action(
            case_forms.ReassignForm, pgettext_lazy("case action", "改派"), gettext_lazy("已改派")
        ),
        _call_reassign,
    ),
    "merge": (
        Action(case_forms.MergeForm, pgettext_lazy("case action", "合并"), gettext_lazy("已合并")),
        _call_merge,
    ),
    "withdraw": (
        Action(
            case_forms.WithdrawForm, pgettext_lazy("case action", "撤回"), gettext_lazy("已撤回")
        ),
        _call_withdraw,
    ),
    "attach": (
        Action(
            case_forms.AttachForm,
            pgettext_lazy("case action", "上传附件"),
            gettext_lazy("已上传附件"),
        ),
        _call_attach,
    ),
    "update": (
        Action(
            case_forms.UpdateForm,
            pgettext_lazy("case action", "更正信息"),
            gettext_lazy("已更正诉求信息"),
        ),
        _call_update,
    ),
}


def timeline(case: Case, *, public_only: bool = False, viewer=None) -> list[dict]:
    """The case's events for display: label, actor, time, status change, note and the
    details that matter (department, amount, satisfaction)."""
    from .portal import PUBLIC_EVENT_KINDS, PUBLIC_NOTE_KINDS

    events = case.events.select_related("actor").order_by("time", "id")
    departments = {r.pk: r.department.name for r in case.referral_list}
    rows = []
    for event in events:
        own = viewer is not None and event.actor_id == viewer.pk
        if public_only and event.kind not in PUBLIC_EVENT_KINDS and not own:
            continue
        data = event.data or {}
        details = []
        if data.get("referral") in departments:
            details.append(departments[data["referral"]])
        if data.get("amount_recovered"):
            details.append(_("追回 %(amount)s 元") % {"amount": data["amount_recovered"]})
        if data.get("workers_benefited"):
            details.append(_("受益 %(n)s 人") % {"n": data["workers_benefited"]})
        if data.get("satisfaction"):
            from .models import Satisfaction

            details.append(str(Satisfaction(data["satisfaction"]).label))
        if data.get("merged_into_number"):
            details.append(_("并入 %(number)s") % {"number": data["merged_into_number"]})
        if data.get("merged_from_number"):
            details.append(_("并入了 %(number)s") % {"number": data["merged_from_number"]})
        if data.get("method") in services.CONTACT_METHODS:
            details.append(str(services.CONTACT_METHODS[data["method"]]))
        show_note = not public_only or own or event.kind in PUBLIC_NOTE_KINDS
        rows.append(
            {
                "event": event,
                "label": event.get_kind_display(),
                "actor": (event.actor.name or event.actor.username) if event.actor else _("系统"),
                "note": event.note if show_note else "",
                "details": details,
                "status_change": (
                    event.get_from_status_display(),
                    event.get_to_status_display(),
                )
                if event.from_status and event.to_status and event.from_status != event.to_status
                else None,
            }
        )
    return rows


def load_related(case: Case) -> Case:
    """Parties, referrals, supervisions and attachments, each in one query."""
    case.party_list = list(case.parties.select_related("person", "person__organization"))
    case.referral_list = list(case.referrals.select_related("department"))
    case.supervision_list = list(
        case.supervisions.select_related("organization", "supervised_by", "responded_by")
    )
    case.attachment_list = list(case.attachments.select_related("uploaded_by"))
    return case


def detail_context(request, case: Case, bound: tuple[str, Any] | None = None) -> dict:
    user = request.user
    load_related(case)
    can_handle = user_can_at(user, services.HANDLE, case.organization.path)
    allowed = _allowed(user, case, can_handle)
    forms = {}
    for name, (action, _call) in ACTIONS.items():
        if bound is not None and bound[0] == name:
            forms[name] = bound[1]
        elif allowed[name]:
            forms[name] = action.form_class(case=case, user=user)
    status = deadline_status(case.due_date) if case.status in OPEN_STATUSES else None
    accept_status = deadline_status(case.accept_due) if case.status == CaseStatus.NEW else None
    return {
        "case": case,
        "page_title": case.number,
        "status_colour": STATUS_COLOURS.get(case.status, "bg-secondary-lt"),
        "deadline": status,
        "accept_deadline": accept_status,
        "timeline": timeline(case),
        "action_forms": [
            {
                "name": name,
                "label": ACTIONS[name][0].label,
                "form": form,
                "open": bound[0] == name if bound is not None else name == "accept",
            }
            for name, form in forms.items()
        ],
        "allowed": allowed,
        "can_handle": can_handle,
        "mediation_card": _mediation_card(user, case),
    }


def _mediation_card(user, case: Case) -> dict:
    # Imported here: the mediation views build on this module.
    from .mediation_views import case_card

    return case_card(user, case)


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
        if action not in ACTIONS:
            raise Http404
        spec, call = ACTIONS[action]
        case = visible_case(request, pk)
        form = spec.form_class(request.POST, request.FILES, case=case, user=request.user)
        if form.is_valid():
            try:
                call(request.user, case, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(spec.success))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
        case = visible_case(request, pk)  # the state as stored (nothing was changed)
        return render(
            request,
            "cases/case_detail.html",
            detail_context(request, case, bound=(action, form)),
            status=400,
        )


class AttachmentDownloadView(StaffRequiredMixin, View):
    """An attachment of a case in the user's scope (files are not served publicly)."""

    permission_required = VIEW_PERM

    def get(self, request, pk: int):
        attachment = get_visible_or_404(
            Attachment.objects.select_related("case"), request.user, VIEW_PERM, pk=pk
        )
        return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> HttpResponse:
    """The file of an attachment the caller has authorised, under its original name."""
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
