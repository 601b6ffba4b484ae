"""Mediation API (mounted at ``/api/v1/cases/``): the labour-dispute mediations of cases.

- Staff with ``cases.view_case`` list and read the mediations in their scope (filters
  ``status``, ``organization`` (its subtree), ``year`` of opening); those who hold
  ``cases.mediate_case`` at the mediation's organization open one for a case and take
  every step through ``cases.services.mediation``: sort, session, agreement, no
  agreement, withdraw, follow-up, file. The agreement PDF has the staff page's
  permission.
- Workers read the mediations of their own cases (those where their person record is a
  party) without the minutes, the attendees and the staff notes, and download their
  agreement. Any other id is a 404.

Errors follow ``cases.api.cases``: ``validation_error`` (400, field messages),
``invalid_input`` (422, malformed request), ``invalid_state`` (409, e.g. filing a
mediation still in session), ``permission_denied`` (403), ``not_found`` (404, also for
ids outside the scope).
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from huigong.api import (
    ACTION_ERRORS,
    ActionRoutes,
    ApiError,
    ErrorCode,
    ErrorOut,
    InputSchema,
    Pagination,
    body_arguments,
    call_service,
)
from huigong.kernel.timeline import Audience
from huigong.orgs.api import filter_organization, within
from huigong.orgs.models import Organization

from .. import policy
from ..actions import mediation_actions
from ..mediation_pdf import agreement_pdf_response
from ..models import (
    Mediation,
    MediationStatus,
    MediationTeam,
    Performance,
    ReferredTo,
)
from ..services import mediation as services
from .cases import acts_as_worker, event_rows, get_or_404, load_staff_case, party_rows, readable
from .schemas import MAX_ID, CaseEventOut, CasePartyOut, Ref

router = Router()


# -- schemas -------------------------------------------------------------------------------------


class CaseRef(Schema):
    id: int
    number: str
    title: str


class _MediationFields(Schema):
    id: int
    number: str
    status: str
    status_label: str
    case: CaseRef
    organization: Ref


class MediationListOut(_MediationFields):
    respondent_name: str
    team: str
    opened_at: datetime.datetime
    ended_at: datetime.datetime | None
    agreement_amount: Decimal | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class MediationSessionOut(Schema):
    held_at: datetime.datetime
    place: str
    attendees: str = Field("", description="仅工作人员可见")
    minutes: str = Field("", description="调解笔录,仅工作人员可见")
    recorded_by: str = Field("", description="仅工作人员可见")


class MediationOut(_MediationFields):
    team: str
    team_label: str
    mediators: list[str]
    respondent_name: str
    respondent_credit_code: str
    respondent_representative: str
    claims: str
    parties: list[CasePartyOut]
    opened_at: datetime.datetime
    sessions: list[MediationSessionOut]
    agreement_terms: str
    agreement_amount: Decimal | None
    performance_due: datetime.date | None
    agreed_at: datetime.datetime | None
    referred_to: str
    referred_to_label: str
    result_note: str = Field("", description="调解不成或撤回的说明,仅工作人员可见")
    performed: str
    performed_label: str
    performed_at: datetime.date | None
    follow_up_note: str = Field("", description="回访记录,仅工作人员可见")
    followed_up_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    filed_at: datetime.datetime | None
    agreement_pdf: bool = Field(description="可下载调解协议书")
    timeline: list[CaseEventOut] = Field(description="职工只看到公开的调解进度")
    actions: list[str] = Field(description="当前用户可执行的操作")


class MediatorOut(Schema):
    id: int
    name: str


class MediationOpenIn(InputSchema):
    respondent_name: str = Field("", description="留空则按诉求登记的用人单位")
    respondent_credit_code: str = ""
    respondent_representative: str = ""
    claims: str = Field("", description="留空则按诉求内容")


class MediationSortIn(InputSchema):
    team: MediationTeam
    mediator_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(max_length=50)
    note: str = ""


class MediationSessionIn(InputSchema):
    held_at: datetime.datetime = Field(description="无时区时按北京时间")
    place: str
    attendees: str
    minutes: str

    @field_validator("held_at")
    @classmethod
    def _aware(cls, moment: datetime.datetime) -> datetime.datetime:
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class MediationAgreementIn(InputSchema):
    terms: str
    amount: Decimal | None = None
    performance_due: datetime.date | None = None


class MediationNoAgreementIn(InputSchema):
    referred_to: ReferredTo
    note: str


class MediationWithdrawIn(InputSchema):
    reason: str


class MediationFollowUpIn(InputSchema):
    performed: Performance
    performed_at: datetime.date | None = None
    note: str = ""


class MediationFileIn(InputSchema):
    note: str = ""


class MediationQueryParams(Schema):
    status: MediationStatus | None = None
    organization: int | None = Field(None, ge=1, le=MAX_ID, description="调解组织(含下级)")
    year: int | None = Field(None, ge=2000, le=2100, description="受理年份")


# -- helpers -------------------------------------------------------------------------------------


def _readable_mediations(request):
    own = policy.own_mediations
    queryset = readable(request, Mediation.objects, own=own, denied=_("没有查看调解的权限"))
    return queryset.select_related("case", "organization")


def _load(request, mediation_id: int) -> Mediation:
    return get_or_404(_readable_mediations(request), mediation_id)


def _staff_mediation(request, mediation_id: int) -> Mediation:
    if acts_as_worker(request.auth):
        raise PermissionDenied(_("只有调解员可以办理调解"))
    return _load(request, mediation_id)


def _detail(request, mediation: Mediation) -> dict:
    worker = acts_as_worker(request.auth)
    mediation = Mediation.objects.select_related("case", "organization").get(pk=mediation.pk)
    case = mediation.case
    sessions = [
        {
            "held_at": s.held_at,
            "place": s.place,
            "attendees": "" if worker else s.attendees,
            "minutes": "" if worker else s.minutes,
            "recorded_by": ""
            if worker or s.recorded_by is None
            else (s.recorded_by.name or s.recorded_by.username),
        }
        for s in mediation.sessions.select_related("recorded_by")
    ]
    audience = Audience.WORKER if worker else Audience.STAFF
    timeline = policy.mediation_timeline(mediation, audience=audience)
    return {
        **policy.public_mediation(mediation),
        "case": case,
        "organization": mediation.organization,
        "team": mediation.team,
        "respondent_credit_code": "" if worker else mediation.respondent_credit_code,
        "respondent_representative": "" if worker else mediation.respondent_representative,
        "parties": party_rows(case.parties.select_related("person"), request),
        "sessions": sessions,
        "result_note": "" if worker else mediation.result_note,
        "follow_up_note": "" if worker else mediation.follow_up_note,
        "followed_up_at": mediation.followed_up_at,
        "agreement_pdf": mediation.status in policy.AGREED_STATUSES,
        # A mediation's events are about the mediation: the case's states do not change.
        "timeline": event_rows(timeline, request, statuses=False),
        "actions": [] if worker else mediation_actions.allowed_names(request.auth, mediation),
    }


# -- reading -------------------------------------------------------------------------------------


@router.get(
    "/mediations",
    response={200: list[MediationListOut], 403: ErrorOut, 422: ErrorOut},
    summary="调解列表(职工:本人诉求的;工作人员:管辖范围内的)",
)
@paginate(Pagination)
def list_mediations(request, filters: Query[MediationQueryParams]):
    queryset = _readable_mediations(request)
    if filters.organization is not None:
        if acts_as_worker(request.auth):
            # Only narrows the worker's own mediations: an unknown organization is simply
            # none of theirs, so the answer tells nothing about which ids exist.
            organization = Organization.objects.filter(pk=filters.organization).first()
            queryset = within(queryset, organization)
        else:
            queryset = within(queryset, filter_organization(request.auth, filters.organization))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.year:
        start = timezone.make_aware(datetime.datetime(filters.year, 1, 1))
        end = timezone.make_aware(datetime.datetime(filters.year + 1, 1, 1))
        queryset = queryset.filter(opened_at__gte=start, opened_at__lt=end)
    return queryset.order_by("-opened_at", "-id")


@router.get(
    "/mediations/{int:mediation_id}",
    response={200: MediationOut, 403: ErrorOut, 404: ErrorOut},
    summary="调解详情(当事人、调解员、调解会、协议、回访、办理记录)",
)
def get_mediation(request, mediation_id: int):
    return _detail(request, _load(request, mediation_id))


@router.get(
    "/mediations/{int:mediation_id}/agreement.pdf",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="下载调解协议书(PDF)",
)
def agreement_pdf(request, mediation_id: int):
    mediation = _load(request, mediation_id)
    if mediation.status not in policy.AGREED_STATUSES:
        raise ApiError(ErrorCode.NOT_FOUND, _("该调解尚未达成协议"), status=404)
    return agreement_pdf_response(mediation)


@router.get(
    "/mediations/{int:mediation_id}/mediators",
    response={200: list[MediatorOut], 403: ErrorOut, 404: ErrorOut},
    summary="可选调解员(本级或上级具有调解权限的工作人员)",
)
def list_mediators(request, mediation_id: int):
    mediation = _staff_mediation(request, mediation_id)
    return [
        {"id": u.pk, "name": u.name or u.username}
        for u in services.eligible_mediators(mediation.organization)
    ]


# -- actions -------------------------------------------------------------------------------------


@router.post(
    "/cases/{int:case_id}/mediations",
    response={201: MediationOut, **ACTION_ERRORS},
    summary="受理调解(为办理中的诉求申请劳动争议调解)",
)
def open_mediation(request, case_id: int, payload: MediationOpenIn):
    case = load_staff_case(request, case_id)
    mediation = call_service(
        services.open_mediation, actor=request.auth, case=case, **body_arguments(payload)
    )
    return Status(201, _detail(request, mediation))


steps = ActionRoutes(
    router,
    "/mediations/{int:mediation_id}",
    load=_staff_mediation,
    detail=_detail,
    subject="mediation",
    response={200: MediationOut, **ACTION_ERRORS, 422: ErrorOut},
    module=__name__,
)
steps.post("/sort", services.sort_mediation, MediationSortIn, summary="调解分流")
steps.post(
    "/sessions",
    services.record_session,
    MediationSessionIn,
    summary="记录调解会",
)
steps.post(
    "/agreement",
    services.record_agreement,
    MediationAgreementIn,
    summary="达成调解协议",
)
steps.post(
    "/no-agreement",
    services.record_no_agreement,
    MediationNoAgreementIn,
    summary="调解不成(引导仲裁或诉讼)",
)
steps.post(
    "/withdraw",
    services.withdraw_mediation,
    MediationWithdrawIn,
    summary="撤回调解",
)
steps.post(
    "/follow-up",
    services.record_follow_up,
    MediationFollowUpIn,
    summary="调解回访",
)
steps.post("/file", services.file_mediation, MediationFileIn, summary="调解归档")
