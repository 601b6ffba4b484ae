"""Building blocks for workbench pages: staff access, scoped list pages with filters,
sorting, pagination and "export exactly what is shown", and saving a form through a
service (``save_form``). Imports are the import engine's pages (``huigong.imports``).

A registry's list page is a few declarations::

    class PersonListView(ScopedListView):
        model = Person
        table_class = PersonTable          # django-tables2
        filterset_class = PersonFilter     # django-filter
        permission_required = "people.view_person"
        export_permission = "people.export_person"
        export_filename = _("职工名册")

The queryset always starts from ``model.objects.visible_to(user)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .excel import xlsx_response
from .forms import add_service_errors


class StaffRequiredMixin(AccessMixin):
    """Signed-in staff only; workers go to the portal. ``permission_required`` is checked
    against the user's roles (where it applies is the data scope)."""

    permission_required: str | tuple[str, ...] | None = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if getattr(user, "is_worker", False):
            return redirect("portal:home")
        perms = (
            (self.permission_required,)
            if isinstance(self.permission_required, str)
            else self.permission_required
        )
        if perms and not user.has_perms(perms):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(StaffRequiredMixin, SingleTableMixin, FilterView):
    """A list page over ``model.objects.visible_to(user)`` with filters, sorting,
    pagination, and ``?export=xlsx`` exporting all filtered rows in the shown order, of
    the subtrees where the user holds ``export_permission``."""

    template_name = "common/list.html"
    paginate_by = 25
    export_permission: str | None = None
    export_filename = gettext_lazy("导出")
    import_url_name: str | None = None
    create_url_name: str | None = None
    page_title = ""
    select_related: tuple[str, ...] = ()
    # Keep the filter form usable on pages where no filter is set yet.
    filterset_kwargs: dict = {}

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def paginate_queryset(self, queryset, page_size):
        # The table paginates (and counts) the rows; ListView must not do it a second time.
        return None, None, queryset, False

    def can_export(self) -> bool:
        return bool(self.export_permission) and self.request.user.has_perm(self.export_permission)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            if not self.can_export():
                raise PermissionDenied
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        filterset = self.get_filterset(self.get_filterset_class())
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
        if filterset.is_bound and not filterset.is_valid():
            qs = self.get_queryset().none()
        # Only the subtrees where a role grants the export itself: a user who may view the
        # county but export only their township writes the township's rows.
        qs = qs.visible_to(self.request.user, self.export_permission)
        table = self.get_table_class()(qs, request=self.request)
        table.order_by = self.request.GET.get("sort") or table.order_by
        values = list(table.as_values())
        return xlsx_response(str(self.export_filename), values[0], values[1:])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        context.update(
            page_title=self.page_title or self.model._meta.verbose_name_plural,
            export_query=query.urlencode(),
            can_export=self.can_export(),
            import_url_name=self.import_url_name,
            create_url_name=self.create_url_name,
        )
        return context


# -- saving a form through a service ---------------------------------------------------------
#
# The POST half that every workbench and portal form shares: validate the form, call one
# service, and either flash the success message and redirect or put the service's
# ``ValidationError`` on the form for the page to be shown again with nothing changed.

Message = str | Promise


def save_form(
    request,
    form: forms.BaseForm,
    perform: Callable[[], Any],
    *,
    success: Message | Callable[[Any], Message],
    redirect_to: Any = None,
    errors: Callable[[Any, ValidationError], None] = add_service_errors,
) -> HttpResponse | None:
    """When ``form`` is valid, run ``perform()`` (the service call, reading the form's
    cleaned data) and return the redirect after a success message. ``None`` means "show the form again":
    it was invalid, or the service refused and ``errors(form, exc)`` put its messages on
    it. ``success`` and ``redirect_to`` (what ``redirect`` takes: a URL, a URL name, a
    model) may be functions of what ``perform`` returned; without ``redirect_to``, that
    is the saved object's own page."""
    if not form.is_valid():
        return None
    try:
        result = perform()
    except ValidationError as exc:
        errors(form, exc)
        return None
    messages.success(request, str(_of(success, result)))
    return redirect(result if redirect_to is None else _of(redirect_to, result))


def _of(value: Any, result: Any) -> Any:
    return value(result) if callable(value) and not isinstance(value, str | Promise) else value
