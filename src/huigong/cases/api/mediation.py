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
from django.http import Http404
from django.utils import timezone
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
    organization_filter_error,
)
from huigong.kernel.scope import get_visible_or_404
from huigong.kernel.timeline import Audience
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
from .cases import VIEW, acts_as_worker, load_staff_case
from .schemas import MAX_ID, CaseEventOut, CasePartyOut, Ref

router = Router()


# -- schemas -------------------------------------------------------------------------------------


class CaseRef(Schema):
    id: int
    number: str
    title: str


class MediationListOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    case: CaseRef
    organization: Ref
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


class MediationOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    case: CaseRef
    organization: Ref
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


def _mediations():
    return Mediation.objects.select_related("case", "organization")


def _load(request, mediation_id: int) -> Mediation:
    user = request.auth
    if acts_as_worker(user):
        try:
            return _mediations().get(
                pk=mediation_id, pk__in=policy.own_mediations(user).values("pk")
            )
        except (Mediation.DoesNotExist, ValueError, TypeError):
            raise Http404
    if not user.has_perm(VIEW):
        raise PermissionDenied(_("没有查看调解的权限"))
    return get_visible_or_404(_mediations(), user, VIEW, pk=mediation_id)


def _staff_mediation(request, mediation_id: int) -> Mediation:
    if acts_as_worker(request.auth):
        raise PermissionDenied(_("只有调解员可以办理调解"))
    return _load(request, mediation_id)


def _detail(request, mediation: Mediation) -> dict:
    user = request.auth
    worker = acts_as_worker(user)
    mediation = _mediations().get(pk=mediation.pk)
    data = policy.public_mediation(mediation)
    case = mediation.case
    parties = [
        {
            "role": p.role,
            "name": p.person.name,
            "id_number_masked": p.person.masked_id_number,
            "phone_masked": p.person.masked_phone,
        }
        for p in case.parties.select_related("person")
        if not worker or p.person_id == user.person_id
    ]
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
    actions = [] if worker else mediation_actions.allowed_names(user, mediation)
    events = [
        {
            "kind": row["event"].kind,
            "label": str(row["label"]),
            "time": row["event"].time,
            "actor": "" if worker else str(row["actor"]),
            "from_status": "",
            "to_status": "",
            "note": row["note"],
            "details": [str(d) for d in row["details"]],
        }
        for row in policy.mediation_timeline(
            mediation, audience=Audience.WORKER if worker else Audience.STAFF
        )
    ]
    return {
        **data,
        "case": case,
        "organization": mediation.organization,
        "team": mediation.team,
        "respondent_credit_code": "" if worker else mediation.respondent_credit_code,
        "respondent_representative": "" if worker else mediation.respondent_representative,
        "parties": parties,
        "sessions": sessions,
        "result_note": "" if worker else mediation.result_note,
        "follow_up_note": "" if worker else mediation.follow_up_note,
        "followed_up_at": mediation.followed_up_at,
        "agreement_pdf": mediation.status in policy.AGREED_STATUSES,
        "timeline": events,
        "actions": actions,
    }


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


# -- reading -------------------------------------------------------------------------------------


@router.get(
    "/mediations",
    response={200: list[MediationListOut], 403: ErrorOut, 422: ErrorOut},
    summary="调解列表(职工:本人诉求的;工作人员:管辖范围内的)",
)
@paginate(Pagination)
def list_mediations(request, filters: Query[MediationQueryParams]):
    user = request.auth
    worker = acts_as_worker(user)
    if worker:
        queryset = _mediations().filter(pk__in=policy.own_mediations(user).values("pk"))
        organizations = Organization.objects.all()
    else:
        if not user.has_perm(VIEW):
            raise PermissionDenied(_("没有查看调解的权限"))
        queryset = Mediation.objects.visible_to(user, VIEW).select_related("case", "organization")
        organizations = Organization.objects.visible_to(user)
    if filters.organization is not None:
        organization = organizations.filter(pk=filters.organization).first()
        if organization is None and worker:
            # Only narrows the worker's own mediations: an unknown organization is simply
            # none of theirs, so the answer tells nothing about which ids exist.
            queryset = queryset.none()
        elif organization is None:
            raise organization_filter_error()
        else:
            queryset = queryset.filter(organization__path__startswith=organization.path)
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

_ACT = {
    200: MediationOut,
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


@router.post(
    "/cases/{int:case_id}/mediations",
    response={201: MediationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="受理调解(为办理中的诉求申请劳动争议调解)",
)
def open_mediation(request, case_id: int, payload: MediationOpenIn):
    case = load_staff_case(request, case_id)
    mediation = call_service(
        services.open_mediation,
        actor=request.auth,
        case=case,
        respondent_name=payload.respondent_name,
        respondent_credit_code=payload.respondent_credit_code,
        respondent_representative=payload.respondent_representative,
        claims=payload.claims,
    )
    return Status(201, _detail(request, mediation))


@router.post("/mediations/{int:mediation_id}/sort", response=_ACT, summary="调解分流")
def sort_mediation(request, mediation_id: int, payload: MediationSortIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.sort_mediation,
        actor=request.auth,
        mediation=mediation,
        team=payload.team.value,
        mediators=payload.mediator_ids,
        note=payload.note,
    )
    return _detail(request, mediation)


@router.post("/mediations/{int:mediation_id}/sessions", response=_ACT, summary="记录调解会")
def record_session(request, mediation_id: int, payload: MediationSessionIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.record_session,
        actor=request.auth,
        mediation=mediation,
        held_at=_aware(payload.held_at),
        place=payload.place,
        attendees=payload.attendees,
        minutes=payload.minutes,
    )
    return _detail(request, mediation)


@router.post("/mediations/{int:mediation_id}/agreement", response=_ACT, summary="达成调解协议")
def record_agreement(request, mediation_id: int, payload: MediationAgreementIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.record_agreement,
        actor=request.auth,
        mediation=mediation,
        terms=payload.terms,
        amount=payload.amount,
        performance_due=payload.performance_due,
    )
    return _detail(request, mediation)


@router.post(
    "/mediations/{int:mediation_id}/no-agreement",
    response=_ACT,
    summary="调解不成(引导仲裁或诉讼)",
)
def record_no_agreement(request, mediation_id: int, payload: MediationNoAgreementIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.record_no_agreement,
        actor=request.auth,
        mediation=mediation,
        referred_to=payload.referred_to.value,
        note=payload.note,
    )
    return _detail(request, mediation)


@router.post("/mediations/{int:mediation_id}/withdraw", response=_ACT, summary="撤回调解")
def withdraw_mediation(request, mediation_id: int, payload: MediationWithdrawIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.withdraw_mediation,
        actor=request.auth,
        mediation=mediation,
        reason=payload.reason,
    )
    return _detail(request, mediation)


@router.post("/mediations/{int:mediation_id}/follow-up", response=_ACT, summary="调解回访")
def record_follow_up(request, mediation_id: int, payload: MediationFollowUpIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.record_follow_up,
        actor=request.auth,
        mediation=mediation,
        performed=payload.performed.value,
        performed_at=payload.performed_at,
        note=payload.note,
    )
    return _detail(request, mediation)


@router.post("/mediations/{int:mediation_id}/file", response=_ACT, summary="调解归档")
def file_mediation(request, mediation_id: int, payload: MediationFileIn):
    mediation = _staff_mediation(request, mediation_id)
    call_service(
        services.file_mediation, actor=request.auth, mediation=mediation, note=payload.note
    )
    return _detail(request, mediation)
