"""Organizations API, mounted at /api/v1/orgs/. Reads go through the caller's scope;
writes through ``huigong.orgs.services``. Ids outside the scope are 404 like missing ones."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huigong.api import ErrorOut, InputSchema, call_service, organization_filter_error
from huigong.common.text import clean_code, clean_text

from . import policy, services
from .counts import subtree_counts
from .models import GrassrootsCategory, Organization, OrgKind, OrgStatus

router = Router()

VIEW_PERM = "orgs.view_organization"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class OrgOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrgKind
    kind_display: str
    category: GrassrootsCategory | Literal[""]
    status: OrgStatus
    parent_id: int | None
    depth: int
    division_code: str
    credit_code: str
    employee_count: int | None
    member_count: int | None
    founded_on: datetime.date | None
    contact_name: str
    contact_phone: str
    address: str
    merged_into_id: int | None

    @staticmethod
    def resolve_kind_display(obj: Organization) -> str:
        return str(obj.get_kind_display())


class OrgDetailOut(OrgOut):
    children_count: int
    grassroots_count: int
    person_count: int


class OrgFilters(Schema):
    q: str | None = Field(None, description="名称或简称包含")
    kind: OrgKind | None = None
    category: GrassrootsCategory | None = None
    status: OrgStatus | None = None
    division_code: str | None = Field(None, description="行政区划代码前缀")
    under: int | None = Field(None, description="只列出该组织(含)的整个下级树")


class OrgFieldsIn(InputSchema):
    short_name: str = Field("", max_length=200)
    category: GrassrootsCategory | Literal[""] = ""
    division_code: str = Field("", max_length=40)
    credit_code: str = Field("", max_length=40)
    employee_count: int | None = None
    member_count: int | None = None
    founded_on: datetime.date | None = None
    contact_name: str = Field("", max_length=200)
    contact_phone: str = Field("", max_length=40)
    address: str = Field("", max_length=400)


class OrgCreateIn(OrgFieldsIn):
    parent_id: int
    name: str = Field(..., max_length=400)
    kind: OrgKind


class OrgUpdateIn(OrgFieldsIn):
    name: str = Field(None, max_length=400)
    kind: OrgKind = None


class MoveIn(InputSchema):
    parent_id: int


# -- organizations that other routers' requests name -------------------------------------------


def chosen_organization(user, org_id: int | None, field: str, *, perm=None, message=None):
    """The organization a request body names by id (``field``), in the caller's scope
    (where they hold ``perm``, if given); None when it names none. Missing and out of
    scope are the same field error, ``message`` or the general one."""
    if org_id is None:
        return None
    organization = Organization.objects.visible_to(user, perm).filter(pk=org_id).first()
    if organization is None:
        raise ValidationError({field: [message or _("所选组织不存在或不在您的管辖范围内")]})
    return organization


def filter_organization(user, org_id: int) -> Organization:
    """The organization a list's ``organization`` filter names, in the caller's scope, or
    the 422 that is the same for a missing one."""
    organization = Organization.objects.visible_to(user).filter(pk=org_id).first()
    if organization is None:
        raise organization_filter_error()
    return organization


def within(queryset: QuerySet, organization: Organization | None) -> QuerySet:
    """The rows of ``queryset`` whose organization lies in ``organization``'s subtree;
    none for no organization."""
    if organization is None:
        return queryset.none()
    return queryset.filter(organization__path__startswith=organization.path)


# -- this router ----------------------------------------------------------------------------------


def _visible(request) -> QuerySet:
    return Organization.objects.visible_to(request.auth, VIEW_PERM)


def _detail(request, pk: int) -> Organization:
    org = policy.visible_organization(request.auth, pk, with_parent=True)
    counts = subtree_counts([org])[org.pk]
    org.children_count = counts.children
    org.grassroots_count = counts.grassroots
    org.person_count = counts.persons
    return org


@router.get("/", response={200: list[OrgOut], **ERRORS}, summary="组织列表(按管辖范围,分页)")
@paginate
def list_organizations(request: HttpRequest, filters: Query[OrgFilters]):
    qs = _visible(request)
    text = clean_text(filters.q or "")
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    for name in ("kind", "category", "status"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if filters.division_code and clean_code(filters.division_code):
        qs = qs.filter(division_code__startswith=clean_code(filters.division_code))
    if filters.under is not None:
        root = policy.visible_organization(request.auth, filters.under)
        qs = qs.filter(path__startswith=root.path)
    return qs.with_parent().order_by("path")


@router.get("/{org_id}", response={200: OrgDetailOut, **ERRORS}, summary="组织详情")
def get_organization(request: HttpRequest, org_id: int):
    return _detail(request, org_id)


@router.get("/{org_id}/children", response={200: list[OrgOut], **ERRORS}, summary="直接下级组织")
@paginate
def list_children(request: HttpRequest, org_id: int):
    org = policy.visible_organization(request.auth, org_id)
    return Organization.objects.children_of(org).with_parent().order_by("path")


@router.post("/", response={201: OrgDetailOut, **ERRORS}, summary="新建组织")
def create_organization(request: HttpRequest, payload: OrgCreateIn):
    parent = policy.visible_organization(request.auth, payload.parent_id)
    data = payload.model_dump(exclude={"parent_id"})
    org = call_service(services.create_organization, actor=request.auth, parent=parent, **data)
    return Status(201, _detail(request, org.pk))


@router.patch("/{org_id}", response={200: OrgDetailOut, **ERRORS}, summary="修改组织")
def update_organization(request: HttpRequest, org_id: int, payload: OrgUpdateIn):
    org = policy.visible_organization(request.auth, org_id)
    changes = payload.model_dump(exclude_unset=True)
    call_service(services.update_organization, actor=request.auth, organization=org, **changes)
    return _detail(request, org.pk)


@router.post("/{org_id}/move", response={200: OrgDetailOut, **ERRORS}, summary="移动组织(连同下级)")
def move_organization(request: HttpRequest, org_id: int, payload: MoveIn):
    org = policy.visible_organization(request.auth, org_id)
    parent = policy.visible_organization(request.auth, payload.parent_id)
    call_service(
        services.move_organization, actor=request.auth, organization=org, new_parent=parent
    )
    return _detail(request, org.pk)
