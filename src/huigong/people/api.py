"""People API (mounted at ``/api/v1/people/``): persons and their household members.

ID numbers and phones are always masked in responses (``*_masked``, last four
characters of an ID number only) and persons carry their birth year, never the full
date, so that nothing a response shows rebuilds a number; the full values
come only from ``POST /persons/{id}/reveal`` with a reason, which needs
``people.reveal_person`` and is written to the access log with channel ``api``. Lists
use the same filters and search as the workbench list. Rules live in
``people.services``; these endpoints only translate JSON to service calls.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from huigong.api import (
    ApiError,
    ErrorCode,
    ErrorOut,
    InputSchema,
    Pagination,
    call_service,
    filtered,
)
from huigong.audit.models import RevealReason
from huigong.orgs.api import chosen_organization

from . import policy, services
from .filters import PersonFilter
from .models import EmploymentForm, HealthStatus, NewFormType, Person, Relation, Sex

router = Router()

VIEW_PERM = "people.view_person"
#: Largest id a client may send: ids beyond a 64-bit integer cannot exist.
MAX_ID = 2**63 - 1


# -- schemas -------------------------------------------------------------------------------


class OrgRef(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: int
    name: str
    organization: OrgRef
    id_number_masked: str = Field(description="身份证号码(脱敏)")
    phone_masked: str = Field(description="手机号(脱敏)")
    sex: str
    birth_year: int | None = Field(description="出生年份(完整出生日期不对外显示)")
    address: str
    employer: OrgRef | None = Field(description="已建会的工作单位")
    employer_name: str = Field(description="未建会的工作单位名称")
    employer_credit_code: str
    employment_form: str
    new_form_type: str
    is_member: bool
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_id_number_masked(obj: Person) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_phone_masked(obj: Person) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_employer(obj: Person):
        return obj.employer if obj.employer_id else None


class PersonSavedOut(PersonOut):
    warnings: list[str] = Field([], description="提醒(如身份证号码的行政区划代码未在区划库中)")


class PersonIn(InputSchema):
    organization_id: int = Field(ge=1, le=MAX_ID, description="所属工会")
    # Required, but checked by the service: a missing name is then reported together with
    # a bad ID number or phone, each with its code, instead of in a first round alone.
    name: str = Field("", description="姓名(必填)")
    id_number: str = Field("", description="身份证号码(必填)")
    phone: str = ""
    address: str = ""
    employer_id: int | None = Field(None, ge=1, le=MAX_ID, description="已建会的工作单位")
    employer_name: str = ""
    employer_credit_code: str = ""
    employment_form: EmploymentForm = EmploymentForm.STANDARD
    new_form_type: NewFormType | None = None
    is_member: bool = False
    notes: str = ""


class PersonPatch(InputSchema):
    """Only the fields sent are changed. ``phone: ""`` removes the phone number;
    ``employer_id: null`` removes the linked employer."""

    organization_id: int | None = Field(None, ge=1, le=MAX_ID)
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    employer_id: int | None = Field(None, ge=1, le=MAX_ID)
    employer_name: str | None = None
    employer_credit_code: str | None = None
    employment_form: EmploymentForm | None = None
    new_form_type: NewFormType | None = None
    is_member: bool | None = None
    notes: str | None = None


class PersonQueryParams(Schema):
    q: str = Field("", description="姓名、拼音、身份证号或后四位、手机号", max_length=200)
    organization: int | None = Field(None, ge=1, le=MAX_ID, description="所属工会(含下级)")
    employment_form: EmploymentForm | None = None
    new_form_type: NewFormType | None = None
    is_member: bool | None = None
    sex: Sex | None = None
    birth_year_from: int | None = Field(None, ge=1900, le=2100)
    birth_year_to: int | None = Field(None, ge=1900, le=2100)


class RevealIn(InputSchema):
    reason: RevealReason = Field(description="查看原因(从列表中选择,记入审计日志)")
    note: str = Field("", max_length=200, description="说明;原因为 other 时必填")


class RevealOut(Schema):
    id_number: str
    phone: str


class MemberOut(Schema):
    id: int
    relation: str
    name: str
    id_number_masked: str
    birth_year: int | None = Field(description="出生年份(完整出生日期不对外显示)")
    monthly_income: Decimal | None
    health: str
    disability_grade: int | None
    school: str

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return obj.masked_id_number


class MemberSavedOut(MemberOut):
    warnings: list[str] = []


class MemberIn(InputSchema):
    relation: Relation
    name: str
    id_number: str = ""
    birth_date: datetime.date | None = None
    monthly_income: Decimal | None = None
    health: HealthStatus = HealthStatus.HEALTHY
    disability_grade: int | None = None
    school: str = ""


class MemberPatch(InputSchema):
    relation: Relation | None = None
    name: str | None = None
    id_number: str | None = None
    birth_date: datetime.date | None = None
    monthly_income: Decimal | None = None
    health: HealthStatus | None = None
    disability_grade: int | None = None
    school: str | None = None


# -- helpers -------------------------------------------------------------------------------

#: The services' field names that the API names otherwise (``service_error``).
_API_FIELD_NAMES = {"organization": "organization_id", "employer": "employer_id"}


def _require_perm(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("没有执行此操作的权限"))


def _load_person(request, person_id: int) -> Person:
    _require_perm(request.auth, VIEW_PERM)
    return policy.visible_person(request.auth, person_id)


def _person_changes(user, payload: dict) -> dict:
    changes = dict(payload)
    if "organization_id" in changes:
        org_id = changes.pop("organization_id")
        if org_id is None:
            raise ValidationError({"organization_id": [_("请选择所属工会")]})
        changes["organization"] = chosen_organization(user, org_id, "organization_id")
    if "employer_id" in changes:
        changes["employer"] = chosen_organization(user, changes.pop("employer_id"), "employer_id")
    for name in ("employment_form", "new_form_type"):
        if name in changes and changes[name] is not None:
            changes[name] = str(changes[name].value)
    if changes.get("new_form_type") is None and "new_form_type" in changes:
        changes["new_form_type"] = ""
    for name, value in list(changes.items()):
        if value is None and name not in {"employer"}:
            raise ValidationError({name: [_("不能为空")]})
    return changes


def _member_changes(payload: dict) -> dict:
    changes = dict(payload)
    for name in ("relation", "health"):
        if name in changes:
            if changes[name] is None:
                raise ValidationError({name: [_("不能为空")]})
            changes[name] = str(changes[name].value)
    for name in ("name", "id_number", "school"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: [_("不能为空")]})
    return changes


def _saved(person: Person, warnings: list[str]) -> Person:
    """Reload the person with its organizations and carry the warnings to the response."""
    person = policy.persons().get(pk=person.pk)
    person.warnings = warnings
    return person


# -- persons -------------------------------------------------------------------------------


@router.get(
    "/persons",
    response={200: list[PersonOut], 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="职工列表(脱敏)",
    description=(
        "q 为完整身份证号或手机号时,没有查看权限的用户每小时最多检索 "
        "HUIGONG_FULL_NUMBER_SEARCH_LIMIT 次(默认 30),超出返回 429 throttled;"
        "每次检索记入敏感信息查看记录。"
    ),
)
@paginate(Pagination)
def list_persons(request, filters: Query[PersonQueryParams]):
    _require_perm(request.auth, VIEW_PERM)
    queryset = Person.objects.visible_to(request.auth, VIEW_PERM).select_related(
        "organization", "employer"
    )
    # The same filter set as the workbench list: one definition of each filter.
    filterset = PersonFilter(data=request.GET, queryset=queryset, request=request, channel="api")
    persons = filtered(filterset)
    if filterset.search_refusal is not None:
        raise ApiError(ErrorCode.THROTTLED, filterset.search_refusal.message, status=429)
    return persons


@router.get(
    "/persons/{int:person_id}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut},
    summary="职工详情(脱敏)",
)
def get_person(request, person_id: int):
    return _load_person(request, person_id)


@router.post(
    "/persons",
    response={201: PersonSavedOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="登记职工",
)
def create_person(request, payload: PersonIn):
    user = request.auth
    _require_perm(user, "people.add_person")
    changes = _person_changes(user, payload.model_dump())
    result = call_service(
        services.register_person, api_fields=_API_FIELD_NAMES, actor=user, **changes
    )
    return Status(201, _saved(result.person, result.warnings))


@router.patch(
    "/persons/{int:person_id}",
    response={200: PersonSavedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="修改职工信息",
)
def update_person(request, person_id: int, payload: PersonPatch):
    user = request.auth
    person = _load_person(request, person_id)
    changes = _person_changes(user, payload.model_dump(exclude_unset=True))
    result = call_service(
        services.update_person, api_fields=_API_FIELD_NAMES, actor=user, person=person, **changes
    )
    return _saved(result.person, result.warnings)


@router.post(
    "/persons/{int:person_id}/reveal",
    response={200: RevealOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="查看完整身份证号码和手机号(记录审计日志)",
)
def reveal_person(request, person_id: int, payload: RevealIn, response: HttpResponse):
    person = _load_person(request, person_id)
    revealed = call_service(
        services.reveal_person,
        actor=request.auth,
        person=person,
        reason=payload.reason,
        note=payload.note,
        channel="api",
    )
    response["Cache-Control"] = "no-store"
    return {"id_number": revealed.id_number, "phone": revealed.phone}


# -- household members ---------------------------------------------------------------------


def _load_member(person: Person, member_id: int):
    return get_object_or_404(person.household.all(), pk=member_id)


def _save_member(request, service, changes: dict, **subject):
    """Call a household member's service and carry its warnings to the response."""
    result = call_service(service, actor=request.auth, **subject, **_member_changes(changes))
    result.member.warnings = result.warnings
    return result.member


@router.get(
    "/persons/{int:person_id}/household",
    response={200: list[MemberOut], 403: ErrorOut, 404: ErrorOut},
    summary="家庭成员列表(脱敏)",
)
def list_household(request, person_id: int):
    person = _load_person(request, person_id)
    return list(person.household.order_by("id"))


@router.post(
    "/persons/{int:person_id}/household",
    response={201: MemberSavedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="添加家庭成员",
)
def create_household_member(request, person_id: int, payload: MemberIn):
    person = _load_person(request, person_id)
    member = _save_member(
        request, services.add_household_member, payload.model_dump(), person=person
    )
    return Status(201, member)


@router.patch(
    "/persons/{int:person_id}/household/{int:member_id}",
    response={200: MemberSavedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="修改家庭成员",
)
def update_household_member(request, person_id: int, member_id: int, payload: MemberPatch):
    member = _load_member(_load_person(request, person_id), member_id)
    changes = payload.model_dump(exclude_unset=True)
    return _save_member(request, services.update_household_member, changes, member=member)


@router.delete(
    "/persons/{int:person_id}/household/{int:member_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="删除家庭成员",
)
def delete_household_member(request, person_id: int, member_id: int):
    person = _load_person(request, person_id)
    member = _load_member(person, member_id)
    call_service(services.remove_household_member, actor=request.auth, member=member)
    return Status(204, None)
