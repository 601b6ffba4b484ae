"""Workbench pages for the organization tree: list, tree browser, node page, forms for
create/edit/move/merge/dissolve, grids and the Excel import. Views are thin: load through
the user's scope, call one service, render."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from huigong.api import ErrorCode
from huigong.audit.models import ChangeLog
from huigong.common.listing import ScopedListView, StaffRequiredMixin, save_form
from huigong.common.text import clean_text
from huigong.kernel.registry import picker_permissions
from huigong.kernel.scope import scope_paths, user_can_at

from .. import policy, services
from ..counts import attach_counts, organization_references, subtree_counts
from ..dependents import dissolve_blockers
from ..filters import OrganizationFilter
from ..forms import (
    DissolveForm,
    GridForm,
    MergeForm,
    MoveForm,
    OrganizationForm,
    apply_errors,
)
from ..models import Grid, Organization, OrgKind, OrgStatus
from ..tables import OrganizationTable
from ..widgets import is_pk_text

VIEW_PERM = "orgs.view_organization"
#: Children shown on the node page and in one expansion of the tree; more are in the list.
CHILDREN_LIMIT = 200


def _saved(text: str):
    """The success message naming the organization just saved."""
    return lambda org: text % {"name": org.name}


def load_org(request, pk: int) -> Organization:
    return policy.visible_organization(request.user, pk)


def require_at(user, perm: str, org: Organization) -> None:
    if not user_can_at(user, perm, org.path):
        raise PermissionDenied


# -- list, tree ----------------------------------------------------------------------------


class OrganizationListView(ScopedListView):
    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilter
    template_name = "orgs/organization_list.html"
    permission_required = VIEW_PERM
    export_permission = "orgs.export_organization"
    export_filename = gettext_lazy("工会组织")
    page_title = gettext_lazy("工会组织")

    def get_queryset(self):
        return Organization.objects.visible_to(self.request.user, VIEW_PERM).with_parent()

    def get_context_data(self, **kwargs):
        user = self.request.user
        self.create_url_name = "orgs:create" if user.has_perm("orgs.add_organization") else None
        self.import_url_name = "orgs:import" if user.has_perm("orgs.import_organization") else None
        return super().get_context_data(**kwargs)


class OrganizationTreeView(StaffRequiredMixin, View):
    """The user's scope roots; children are fetched when a node is expanded."""

    permission_required = VIEW_PERM

    def get(self, request):
        paths = scope_paths(request.user, VIEW_PERM)
        roots = (
            Organization.objects.filter(depth=1)
            if paths is None
            else Organization.objects.filter(path__in=paths)
        )
        return render(request, "orgs/tree.html", {"nodes": attach_counts(list(roots))})


class TreeChildrenView(StaffRequiredMixin, View):
    """htmx partial: the children of one node, with their counts."""

    permission_required = VIEW_PERM

    def get(self, request, pk: int):
        node = load_org(request, pk)
        children = list(Organization.objects.children_of(node)[: CHILDREN_LIMIT + 1])
        more_url = None
        if len(children) > CHILDREN_LIMIT:
            children = children[:CHILDREN_LIMIT]
            more_url = f"{reverse('orgs:list')}?under={node.pk}"
        return render(
            request,
            "orgs/_tree_nodes.html",
            {"nodes": attach_counts(children), "more_url": more_url},
        )


# -- node page -----------------------------------------------------------------------------

_HISTORY_LABELS = {
    "parent": gettext_lazy("上级组织"),
    "path": gettext_lazy("树路径"),
    "merge": gettext_lazy("合并结果"),
    "merged_from": gettext_lazy("并入的组织"),
    "officers": gettext_lazy("网格员"),
}
_ORG_REF_FIELDS = {"parent", "merged_into", "merged_from"}
_SUMMARY_LABELS = {
    "children_moved": gettext_lazy("移走的下级组织"),
    "references_moved": gettext_lazy("改指向的记录:"),
    "references_kept": gettext_lazy("留在原组织的重复记录:"),
}


def _summary_label(key: str) -> str:
    """Label of a merge-summary key, or of a relation "app.model.field" in it."""
    if key in _SUMMARY_LABELS:
        return str(_SUMMARY_LABELS[key])
    app_label, _sep, rest = key.partition(".")
    model_name, _sep, field_name = rest.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist, ValueError):
        return key
    return f"{model._meta.verbose_name}·{field.verbose_name}"


def history_entries(logs: list[ChangeLog]) -> list[dict]:
    """Change-log rows made readable: field labels, and organization ids as names."""
    ids = {
        value
        for log in logs
        for key, pair in log.changes.items()
        if key in _ORG_REF_FIELDS
        for value in pair
        if isinstance(value, int)
    }
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    labels = {f.name: f.verbose_name for f in Organization._meta.fields} | _HISTORY_LABELS
    choices = {f.name: dict(f.choices) for f in Organization._meta.fields if f.choices}

    def show(key, value):
        if value in (None, "", {}):
            return "—"
        if key in _ORG_REF_FIELDS and isinstance(value, int):
            return names.get(value, f"#{value}")
        if key in choices:
            return choices[key].get(value, value)
        if isinstance(value, dict):
            return ";".join(f"{_summary_label(k)} {show(k, v)}" for k, v in value.items())
        return value

    entries = []
    for log in logs:
        changes = [
            {"label": labels.get(key, key), "old": show(key, old), "new": show(key, new)}
            for key, (old, new) in sorted(log.changes.items())
        ]
        entries.append({"log": log, "changes": changes})
    return entries


def can_map(user, org: Organization) -> dict[str, bool]:
    return policy.allowed_changes(user, org)


class OrganizationDetailView(StaffRequiredMixin, View):
    permission_required = VIEW_PERM

    def get(self, request, pk: int, grid_form: GridForm | None = None):
        org = load_org(request, pk)
        return render(request, "orgs/detail.html", self.context(request, org, grid_form))

    @staticmethod
    def context(request, org: Organization, grid_form: GridForm | None = None) -> dict:
        user = request.user
        ancestors = list(
            Organization.objects.get_ancestors(org).visible_to(user, VIEW_PERM)
            if org.depth > 1
            else []
        )
        children = list(Organization.objects.children_of(org)[: CHILDREN_LIMIT + 1])
        counts = subtree_counts([org, *children[:CHILDREN_LIMIT]])
        for child in children:
            child.counts = counts.get(child.pk)
        # Like the audit pages: only the entries written while the organization was in
        # the viewer's scope (the log keeps the path it had then).
        logs = list(
            ChangeLog.objects.filter(
                object_type=Organization._meta.label_lower, object_id=str(org.pk)
            )
            .visible_to(user)
            .order_by("-time", "-id")[:50]
        )
        grids = list(
            Grid.objects.filter(organization=org).prefetch_related("officers").order_by("path")
        )
        can = can_map(user, org)
        if grid_form is None and can["add_grid"]:
            grid_form = GridForm(organization=org)
        merged_into = (
            Organization.objects.visible_to(user, VIEW_PERM).filter(pk=org.merged_into_id).first()
            if org.merged_into_id
            else None
        )
        return {
            "org": org,
            "ancestors": ancestors,
            "children": children[:CHILDREN_LIMIT],
            "more_children": len(children) > CHILDREN_LIMIT,
            "counts": counts[org.pk],
            "grids": grids,
            "history": history_entries(logs),
            "can": can,
            "grid_form": grid_form,
            "merged_into": merged_into,
        }


# -- create, edit --------------------------------------------------------------------------


class OrganizationCreateView(StaffRequiredMixin, View):
    permission_required = "orgs.add_organization"

    def get(self, request):
        initial = {}
        parent_id = request.GET.get("parent", "")
        if parent_id.isdigit():
            initial["parent"] = parent_id
        form = OrganizationForm(user=request.user, choose_parent=True, initial=initial)
        return self.render_form(request, form)

    def post(self, request):
        form = OrganizationForm(request.POST, user=request.user, choose_parent=True)
        done = save_form(
            request,
            form,
            lambda: services.create_organization(
                actor=request.user, parent=form.cleaned_data["parent"], **form.service_values()
            ),
            success=_saved(_("已新建组织“%(name)s”")),
            errors=apply_errors,
        )
        return done or self.render_form(request, form, status=400)

    def render_form(self, request, form, status=200):
        return render(
            request,
            "orgs/form.html",
            {"form": form, "title": _("新建组织"), "cancel_url": reverse("orgs:list")},
            status=status,
        )


class OrganizationEditView(StaffRequiredMixin, View):
    permission_required = "orgs.change_organization"

    def get(self, request, pk: int):
        org = load_org(request, pk)
        require_at(request.user, "orgs.change_organization", org)
        form = OrganizationForm(
            user=request.user, choose_parent=False, initial=OrganizationForm.initial_from(org)
        )
        return self.render_form(request, org, form)

    def post(self, request, pk: int):
        org = load_org(request, pk)
        require_at(request.user, "orgs.change_organization", org)
        form = OrganizationForm(request.POST, user=request.user, choose_parent=False)
        done = save_form(
            request,
            form,
            lambda: services.update_organization(
                actor=request.user, organization=org, **form.service_values()
            ),
            success=_saved(_("已保存“%(name)s”")),
            errors=apply_errors,
        )
        return done or self.render_form(request, org, form, status=400)

    def render_form(self, request, org, form, status=200):
        return render(
            request,
            "orgs/form.html",
            {
                "form": form,
                "org": org,
                "title": _("修改:%(name)s") % {"name": org.name},
                "cancel_url": org.get_absolute_url(),
            },
            status=status,
        )


# -- move, merge, dissolve -----------------------------------------------------------------


class _ActionView(StaffRequiredMixin, View, metaclass=ABCMeta):
    """A confirmation page for one action on one organization: GET shows what will
    happen, POST does it through the service. ``permission_required`` is also checked
    at the organization."""

    template_name = ""
    form_class = None

    def load(self, request, pk: int) -> Organization:
        org = load_org(request, pk)
        require_at(request.user, self.permission_required, org)
        return org

    def make_form(self, request, org, data=None):
        """The action's form (bound when ``data`` is given)."""
        return self.form_class(data, user=request.user, organization=org)

    @abstractmethod
    def perform(self, request, org, form) -> str:
        """Call the service; return the success message."""

    def summary(self, org) -> dict:
        counts = subtree_counts([org])[org.pk]
        return {"counts": counts}

    def get(self, request, pk: int):
        org = self.load(request, pk)
        return self.render_page(request, org, self.make_form(request, org))

    def post(self, request, pk: int):
        org = self.load(request, pk)
        form = self.make_form(request, org, request.POST)
        done = save_form(
            request,
            form,
            lambda: self.perform(request, org, form),
            success=lambda message: message,
            redirect_to=reverse("orgs:detail", args=[org.pk]),
            errors=apply_errors,
        )
        return done or self.render_page(request, org, form, status=400)

    def render_page(self, request, org, form, status=200):
        context = {"org": org, "form": form, **self.summary(org)}
        return render(request, self.template_name, context, status=status)


class OrganizationMoveView(_ActionView):
    permission_required = "orgs.move_organization"
    template_name = "orgs/move.html"
    form_class = MoveForm

    def summary(self, org):
        descendants = Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth)
        return {**super().summary(org), "descendants": descendants.count()}

    def perform(self, request, org, form):
        parent = form.cleaned_data["parent"]
        services.move_organization(actor=request.user, organization=org, new_parent=parent)
        return _("已把“%(name)s”移到“%(parent)s”之下") % {"name": org.name, "parent": parent.name}


class OrganizationMergeView(_ActionView):
    permission_required = "orgs.merge_organization"
    template_name = "orgs/merge.html"
    form_class = MergeForm

    def summary(self, org):
        return {
            **super().summary(org),
            "direct_children": org.numchild,
            "references": organization_references(org),
        }

    def perform(self, request, org, form):
        target = form.cleaned_data["target"]
        services.merge_organizations(
            actor=request.user, source=org, target=target, note=form.cleaned_data["note"]
        )
        return _("已把“%(name)s”并入“%(target)s”") % {"name": org.name, "target": target.name}


class OrganizationDissolveView(_ActionView):
    permission_required = "orgs.dissolve_organization"
    template_name = "orgs/dissolve.html"

    def make_form(self, request, org, data=None):
        return DissolveForm(data)

    def summary(self, org):
        return {
            "active_children": Organization.objects.children_of(org)
            .filter(status=OrgStatus.ACTIVE)
            .count(),
            "dependents_here": dissolve_blockers(org),
        }

    def perform(self, request, org, form):
        services.dissolve_organization(
            actor=request.user, organization=org, reason=form.cleaned_data["reason"]
        )
        return _("已撤销“%(name)s”") % {"name": org.name}


# -- import --------------------------------------------------------------------------------


# -- picker search -------------------------------------------------------------------------

#: A picker may search the scope of the permissions the apps register for their
#: organization fields (``kernel.registry.register_picker_permissions``).
AUTOCOMPLETE_PAGE_SIZE = 20
AUTOCOMPLETE_MAX_PAGE = 500
AUTOCOMPLETE_MAX_QUERY = 100


def _bad_param(field: str, message: str) -> JsonResponse:
    return JsonResponse(
        {
            "code": ErrorCode.INVALID_INPUT,
            "message": message,
            "errors": [{"field": field, "message": message, "type": "invalid"}],
        },
        status=400,
    )


class OrganizationAutocompleteView(StaffRequiredMixin, View):
    """JSON search for organization pickers: matches by name or short name inside the
    user's scope for ``perm``, ordered by path, ``AUTOCOMPLETE_PAGE_SIZE`` per page."""

    def get(self, request):
        params = request.GET
        perm = params.get("perm") or VIEW_PERM
        if perm not in picker_permissions():
            return _bad_param("perm", _("不支持的权限参数"))
        if not request.user.has_perm(perm):
            return JsonResponse(
                {"code": ErrorCode.PERMISSION_DENIED, "message": _("没有权限"), "errors": []},
                status=403,
            )
        text = clean_text(params.get("q", ""))
        if len(text) > AUTOCOMPLETE_MAX_QUERY:
            return _bad_param("q", _("搜索内容不能超过 %(n)d 个字") % {"n": AUTOCOMPLETE_MAX_QUERY})
        page_text = params.get("page") or "1"
        if (
            not (page_text.isascii() and page_text.isdigit())
            or not 1 <= int(page_text) <= AUTOCOMPLETE_MAX_PAGE
        ):
            return _bad_param(
                "page", _("页码应为 1 到 %(n)d 的整数") % {"n": AUTOCOMPLETE_MAX_PAGE}
            )
        page = int(page_text)
        kinds = [k for value in params.getlist("kind") for k in value.split(",") if k]
        if any(k not in OrgKind.values for k in kinds):
            return _bad_param("kind", _("组织类型不正确"))
        under_text = params.get("under") or ""
        if under_text and not is_pk_text(under_text):
            return _bad_param("under", _("上级组织参数应为整数"))

        qs = Organization.objects.visible_to(request.user, perm)
        if text:
            qs = qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
        if kinds:
            qs = qs.filter(kind__in=kinds)
        if params.get("active") == "1":
            qs = qs.filter(status=OrgStatus.ACTIVE)
        if under_text:
            under = Organization.objects.filter(pk=int(under_text)).values("path", "depth").first()
            if under is None:
                qs = qs.none()
            else:
                qs = qs.filter(path__startswith=under["path"], depth__gt=under["depth"])
        start = (page - 1) * AUTOCOMPLETE_PAGE_SIZE
        rows = list(
            qs.order_by("path")
            .with_parent()
            .only("id", "name", "path")[start : start + AUTOCOMPLETE_PAGE_SIZE + 1]
        )
        results = [
            {
                "id": org.pk,
                "text": org.name,
                "path_label": f"{org.parent_name} › {org.name}" if org.parent_name else org.name,
            }
            for org in rows[:AUTOCOMPLETE_PAGE_SIZE]
        ]
        return JsonResponse({"results": results, "more": len(rows) > AUTOCOMPLETE_PAGE_SIZE})
