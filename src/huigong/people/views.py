"""Workbench pages for persons: list (filters, search, export), detail with the logged
reveal of protected data, register/edit forms, household members and the Excel import.

Views are thin: they load rows through ``visible_to`` / ``get_visible_or_404`` (so a guessed
id outside the user's scope is a 404), parse the form and call one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from huigong.audit.display import ChangeFormatter
from huigong.audit.models import ChangeAction, ChangeLog
from huigong.common.forms import add_check_errors, add_service_errors
from huigong.common.listing import ScopedListView, StaffRequiredMixin
from huigong.kernel.scope import user_can_at

from . import policy, services
from .filters import PersonFilter
from .forms import HouseholdMemberForm, PersonForm, RevealForm
from .models import HouseholdMember, Person
from .tables import PersonTable

VIEW_PERM = "people.view_person"


def _visible_person(request, pk: int, perm: str = VIEW_PERM) -> Person:
    return policy.visible_person(request.user, pk, perm)


def _visible_member(request, pk: int, member_pk: int) -> HouseholdMember:
    return policy.visible_member(request.user, pk, member_pk)


def _show_warnings(request, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


class PersonListView(ScopedListView):
    """职工名册: the persons in the user's scope with filters, search, sorting and export.

    The Excel export writes the filtered rows with ID numbers and phones *masked*, also
    for users who hold ``people.reveal_person``: an export is not a logged reveal, so it
    never carries protected values in clear."""

    model = Person
    table_class = PersonTable
    filterset_class = PersonFilter
    permission_required = VIEW_PERM
    export_permission = "people.export_person"
    export_filename = gettext_lazy("职工名册")
    page_title = gettext_lazy("职工")
    select_related = ("organization", "employer")

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user, VIEW_PERM).select_related(
            *self.select_related
        )

    def export(self):
        """The filtered rows as .xlsx, columns as on screen. ID numbers and phones stay
        masked whatever the user's permissions: only ``reveal_person`` (one person, with a
        reason, logged) shows them in clear."""
        return super().export()

    def get_context_data(self, **kwargs):
        user = self.request.user
        refusal = getattr(self.filterset, "search_refusal", None)
        if refusal is not None:
            messages.error(self.request, refusal.message)
        self.create_url_name = "people:create" if user.has_perm("people.add_person") else None
        self.import_url_name = "people:import" if user.has_perm("people.import_person") else None
        return super().get_context_data(**kwargs)


class PersonDetailView(StaffRequiredMixin, TemplateView):
    """A person with masked ID number and phone, household and change history."""

    permission_required = VIEW_PERM
    template_name = "people/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = _visible_person(self.request, self.kwargs["pk"])
        context.update(person_context(self.request, person))
        return context


def person_context(request, person: Person, **extra) -> dict:
    user = request.user
    path = person.organization.path
    household = list(person.household.all().order_by("id"))
    context = {
        "person": person,
        "household": household,
        "household_history": household_history(user, person),
        "can_change": user_can_at(user, "people.change_person", path),
        "can_reveal": user_can_at(user, "people.reveal_person", path),
        "can_add_member": user_can_at(user, "people.add_householdmember", path),
        "can_change_member": user_can_at(user, "people.change_householdmember", path),
        "can_delete_member": user_can_at(user, "people.delete_householdmember", path),
        "reveal_form": RevealForm(),
        "revealed": None,
    }
    context.update(extra)
    return context


def household_history(user, person: Person, limit: int = 20) -> list:
    """Changes to the person's household members, including removed ones (their creation
    entry names the person)."""
    member_ids = ChangeLog.objects.filter(
        object_type="people.householdmember",
        action=ChangeAction.CREATE,
        changes__person__1=person.pk,
    ).values("object_id")
    rows = list(
        ChangeLog.objects.filter(
            object_type="people.householdmember", object_id__in=Subquery(member_ids)
        )
        .visible_to(user)
        .order_by("-time", "-id")[:limit]
    )
    formatter = ChangeFormatter(user)
    formatter.prefetch(rows)
    return [(log, [c for c in formatter.changes(log) if c.name != "person"]) for log in rows]


@method_decorator(never_cache, name="dispatch")
class PersonRevealView(StaffRequiredMixin, View):
    """POST a reason, get the full ID number and phone (htmx swaps them into the page).
    Every reveal is written to the access log by ``services.reveal_person``."""

    permission_required = VIEW_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        person = _visible_person(request, pk)
        form = RevealForm(request.POST)
        revealed = None
        if form.is_valid():
            try:
                revealed = services.reveal_person(
                    actor=request.user,
                    person=person,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    channel="web",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        if request.htmx:
            return render(
                request,
                "people/_reveal.html",
                {"person": person, "reveal_form": form, "revealed": revealed, "can_reveal": True},
            )
        return render(
            request,
            "people/person_detail.html",
            person_context(request, person, reveal_form=form, revealed=revealed),
        )


class SavedThroughServiceMixin:
    """``form_valid`` of the register and edit forms: ``save(form)`` calls the service,
    whose result names the saved row (``result.<saved>``) and carries warnings shown after
    ``saved_message``; a ``ValidationError`` goes back onto the form. A form in error
    also gets what the service's ``check(form)`` finds in the fields that parsed, so one
    submit shows every problem."""

    saved = "person"
    saved_message = ""

    def save(self, form):
        raise NotImplementedError

    def check(self, form) -> None:
        raise NotImplementedError

    def saved_url(self, result) -> str:
        return reverse("people:detail", args=[result.person.pk])

    def form_invalid(self, form):
        add_check_errors(form, lambda: self.check(form))
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            result = self.save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return super().form_invalid(form)
        name = getattr(result, self.saved).name
        messages.success(self.request, self.saved_message % {"name": name})
        _show_warnings(self.request, result.warnings)
        return HttpResponseRedirect(self.saved_url(result))


class PersonMixin(StaffRequiredMixin):
    """Loads the person in scope (and the household member the URL names, if any) and
    checks ``permission_required`` at the person's union."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not getattr(request.user, "is_worker", False):
            self.person = _visible_person(request, kwargs["pk"])
            self.member = (
                _visible_member(request, kwargs["pk"], kwargs["member_pk"])
                if "member_pk" in kwargs
                else None
            )
            path = self.person.organization.path
            if not user_can_at(request.user, self.permission_required, path):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PersonFormView(SavedThroughServiceMixin, FormView):
    """The register and edit forms of a person."""

    template_name = "people/person_form.html"
    form_class = PersonForm
    page_title = ""
    person = None  # the person edited; none while registering one

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "person": self.person}

    def check(self, form) -> None:
        services.check_person(
            actor=self.request.user, data=form.service_kwargs(), instance=self.person
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=self.page_title, person=self.person, **kwargs)


class PersonCreateView(StaffRequiredMixin, PersonFormView):
    permission_required = "people.add_person"
    page_title = pgettext_lazy("page title", "登记职工")
    saved_message = gettext_lazy("已登记职工 %(name)s")

    def save(self, form):
        return services.register_person(actor=self.request.user, **form.service_kwargs())


class PersonUpdateView(PersonMixin, PersonFormView):
    permission_required = "people.change_person"
    page_title = gettext_lazy("修改职工信息")
    saved_message = gettext_lazy("已保存")

    def save(self, form):
        return services.update_person(
            actor=self.request.user, person=self.person, **form.service_kwargs()
        )


class HouseholdMemberMixin(PersonMixin):
    """The household pages of a person: back to its household section after saving."""

    saved = "member"

    def detail_url(self) -> str:
        return reverse("people:detail", args=[self.person.pk]) + "#household"

    def saved_url(self, result) -> str:
        return self.detail_url()


class HouseholdMemberFormView(HouseholdMemberMixin, SavedThroughServiceMixin, FormView):
    """The add and edit forms of a household member."""

    template_name = "people/household_form.html"
    form_class = HouseholdMemberForm
    page_title = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "member": self.member}

    def check(self, form) -> None:
        services.check_household_member(
            person=self.person, data=form.service_kwargs(), instance=self.member
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.page_title, person=self.person, member=self.member, **kwargs
        )


class HouseholdMemberCreateView(HouseholdMemberFormView):
    permission_required = "people.add_householdmember"
    page_title = gettext_lazy("添加家庭成员")
    saved_message = gettext_lazy("已添加家庭成员 %(name)s")

    def save(self, form):
        return services.add_household_member(
            actor=self.request.user, person=self.person, **form.service_kwargs()
        )


class HouseholdMemberUpdateView(HouseholdMemberFormView):
    permission_required = "people.change_householdmember"
    page_title = gettext_lazy("修改家庭成员")
    saved_message = gettext_lazy("已保存家庭成员 %(name)s")

    def save(self, form):
        return services.update_household_member(
            actor=self.request.user, member=self.member, **form.service_kwargs()
        )


class HouseholdMemberDeleteView(HouseholdMemberMixin, TemplateView):
    permission_required = "people.delete_householdmember"
    template_name = "people/household_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=_("删除家庭成员"), person=self.person, member=self.member, **kwargs
        )

    def post(self, request, *args, **kwargs):
        services.remove_household_member(actor=request.user, member=self.member)
        messages.success(request, _("已删除家庭成员 %(name)s") % {"name": self.member.name})
        return HttpResponseRedirect(self.detail_url())
