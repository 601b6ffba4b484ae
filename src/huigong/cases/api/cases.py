"""Cases API (mounted at ``/api/v1/cases/``): full parity with the workbench and the
portal for API clients such as the mini-program.

- Workers see and act on their own cases only (those where their person record is a
  party): list, detail with the public timeline, submit, add information and files,
  rate, withdraw. Any other id is a 404.
- Staff see the cases in their scope (``cases.view_case``), filter them like the
  workbench lists (``status``, ``category``, ``kind``, ``queue``, …) and act through the
  same services: intake, accept, note, contact, refer, department reply, escalate,
  supervise, answer, resolve, rate (follow-up call), close, withdraw.

Errors carry stable codes: ``validation_error`` (field messages), ``invalid_state``
(409: e.g. acting on a closed case), ``permission_denied`` (403), ``not_found`` (404,
also for ids outside the scope). Rules live in ``cases.services``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from huigong.api import ApiError, ErrorCode, ErrorOut, Pagination, call_service
from huigong.common.workdays import deadline_status
from huigong.kernel.scope import get_visible_or_404
from huigong.kernel.timeline import Audience
from huigong.orgs.models import Organization
from huigong.people.models import Person

from .. import policy, services
from ..actions import case_actions
from ..filters import CaseApiFilter, CaseFilter
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    Channel,
)
from .schemas import (
    CaseAcceptIn,
    CaseApplicantIn,
    CaseCategoryOut,
    CaseCloseIn,
    CaseContactIn,
    CaseListOut,
    CaseNoteIn,
    CaseOut,
    CaseQueryParams,
    CaseRateIn,
    CaseReasonIn,
    CaseReferIn,
    CaseResolveIn,
    CaseSubmitIn,
    CaseSuperviseIn,
    CaseUpdateIn,
    Ref,
    ReferralReplyIn,
    SupervisionAnswerIn,
)

router = Router()

VIEW = services.VIEW


# -- helpers -------------------------------------------------------------------------------------


def acts_as_worker(user) -> bool:
    return bool(getattr(user, "is_worker", False))


def _cases():
    return Case.objects.select_related("category", "organization")


def _load(request, case_id: int) -> Case:
    user = request.auth
    if acts_as_worker(user):
        try:
            return policy.own_case(user, case_id)
        except Http404:
            raise
    if not user.has_perm(VIEW):
        raise PermissionDenied(_("没有查看诉求的权限"))
    return get_visible_or_404(_cases(), user, VIEW, pk=case_id)


def _detail(request, case: Case) -> dict:
    user = request.auth
    worker = acts_as_worker(user)
    case = _cases().get(pk=case.pk)
    policy.load_related(case)
    attachments = case.attachment_list
    if worker:
        attachments = [a for a in attachments if a.uploaded_by_id == user.pk]
    audience = Audience.WORKER if worker else Audience.STAFF
    actions = case_actions.allowed_names(user, case, audience=audience)
    events = [
        {
            "kind": row["event"].kind,
            "label": str(row["label"]),
            "time": row["event"].time,
            "actor": "" if worker else str(row["actor"]),
            "from_status": row["event"].from_status,
            "to_status": row["event"].to_status,
            "note": row["note"],
            "details": [str(d) for d in row["details"]],
        }
        for row in policy.case_timeline(case, audience=audience, viewer=user)
    ]
    parties = [
        {
            "role": p.role,
            "name": p.person.name,
            "id_number_masked": p.person.masked_id_number,
            "phone_masked": p.person.masked_phone,
        }
        for p in case.party_list
        if not worker or p.person_id == user.person_id
    ]
    data = {
        **{f: getattr(case, f) for f in CaseOut.model_fields if hasattr(case, f)},
        "category": case.category,
        "organization": case.organization,
        "status_label": case.get_status_display(),
        "deadline": deadline_status(case.due_date).label if case.status in OPEN_STATUSES else "",
        "awaiting_rating": policy.awaiting_rating(case),
        "parties": parties,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "uploaded_at": a.uploaded_at,
            }
            for a in attachments
        ],
        "referrals": [] if worker else case.referral_list,
        "supervisions": [] if worker else case.supervision_list,
        "timeline": events,
        "mediations": policy.public_mediations(case),
        "actions": actions,
    }
    return data


# -- reading ---------------------------------------------------------------------------------------


@router.get("/categories", response=list[CaseCategoryOut], summary="诉求类别")
def list_categories(request):
    return list(CaseCategory.objects.active())


@router.get(
    "/cases",
    response={200: list[CaseListOut], 403: ErrorOut, 422: ErrorOut},
    summary="诉求列表(职工:本人的;工作人员:管辖范围内的)",
)
@paginate(Pagination)
def list_cases(request, filters: Query[CaseQueryParams]):
    # ``filters`` checks the types; the filter set (the workbench's) applies them.
    user = request.auth
    if acts_as_worker(user):
        filterset = CaseFilter(data=request.GET, queryset=policy.own_cases(user), request=request)
    else:
        if not user.has_perm(VIEW):
            raise PermissionDenied(_("没有查看诉求的权限"))
        queryset = Case.objects.visible_to(user, VIEW)
        filterset = CaseApiFilter(data=request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        errors = [
            {"field": name, "message": " ".join(messages), "type": "invalid"}
            for name, messages in filterset.errors.items()
        ]
        raise ApiError(ErrorCode.INVALID_INPUT, _("查询参数有误"), status=422, errors=errors)
    return filterset.qs.select_related("category", "organization").order_by("-received_at", "-id")


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut},
    summary="诉求详情与办理记录",
)
def get_case(request, case_id: int):
    return _detail(request, _load(request, case_id))


# -- intake ---------------------------------------------------------------------------------------


def _applicants(user, rows: list[CaseApplicantIn]) -> list:
    applicants = []
    visible = Person.objects.visible_to(user, "people.view_person")
    for index, row in enumerate(rows):
        if row.person_id is not None:
            person = visible.filter(pk=row.person_id).first()
            if person is None:
                raise ValidationError(
                    {f"applicants.{index}.person_id": [_("所选职工不存在或不在您的管辖范围内")]}
                )
            applicants.append(person)
        else:
            applicants.append({"name": row.name, "id_number": row.id_number, "phone": row.phone})
    return applicants


@router.post(
    "/cases",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="提交诉求(职工:本人诉求;工作人员:登记)",
)
def submit_case(request, payload: CaseSubmitIn):
    user = request.auth
    title = payload.title or services.derive_title(payload.description or "")
    common = {
        "kind": payload.kind.value,
        "category": payload.category_id,
        "title": title,
        "description": payload.description,
        "address": payload.address,
        "employer_name": payload.employer_name,
        "employer_credit_code": payload.employer_credit_code,
        "amount_claimed": payload.amount_claimed,
        "urgency": payload.urgency.value,
    }
    if acts_as_worker(user):
        case = call_service(services.submit_case, actor=user, channel=Channel.API, **common)
    else:
        organization = None
        if payload.organization_id is not None:
            organization = (
                Organization.objects.visible_to(user).filter(pk=payload.organization_id).first()
            )
            if organization is None:
                raise ValidationError(
                    {"organization_id": [_("所选组织不存在或不在您的管辖范围内")]}
                )
        employer = None
        if payload.employer_id is not None:
            employer = Organization.objects.visible_to(user).filter(pk=payload.employer_id).first()
            if employer is None:
                raise ValidationError({"employer_id": [_("所选单位不存在或不在您的管辖范围内")]})
        case = call_service(
            services.submit_case,
            actor=user,
            organization=organization,
            channel=payload.channel.value,
            complexity=payload.complexity.value,
            employer=employer,
            applicants=_applicants(user, payload.applicants),
            **common,
        )
    return Status(201, _detail(request, case))


# -- worker and staff: information, rating, withdrawal ---------------------------------------------


@router.post(
    "/cases/{int:case_id}/notes",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="补充情况(职工)或办理记录(工作人员)",
)
def add_note(request, case_id: int, payload: CaseNoteIn):
    case = _load(request, case_id)
    call_service(services.add_note, actor=request.auth, case=case, note=payload.note)
    return Status(201, _detail(request, case))


@router.post(
    "/cases/{int:case_id}/attachments",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="上传附件(jpg、png、pdf、docx、xlsx,不超过 10 MB)",
)
def add_attachment(request, case_id: int, file: File[UploadedFile]):
    case = _load(request, case_id)
    with transaction.atomic():
        call_service(services.add_attachment, actor=request.auth, case=case, file=file)
    return Status(201, _detail(request, case))


@router.post(
    "/cases/{int:case_id}/rate",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="满意度评价(职工,或工作人员回访记录)",
)
def rate_case(request, case_id: int, payload: CaseRateIn):
    case = _load(request, case_id)
    call_service(
        services.rate_case,
        actor=request.auth,
        case=case,
        satisfaction=payload.satisfaction.value,
        note=payload.note,
    )
    return _detail(request, case)


@router.post(
    "/cases/{int:case_id}/withdraw",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="撤回诉求",
)
def withdraw_case(request, case_id: int, payload: CaseReasonIn):
    case = _load(request, case_id)
    call_service(services.withdraw_case, actor=request.auth, case=case, reason=payload.reason)
    return _detail(request, case)


# -- staff actions --------------------------------------------------------------------------------

_STAFF = {200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def load_staff_case(request, case_id: int) -> Case:
    if acts_as_worker(request.auth):
        raise PermissionDenied(_("只有工作人员可以办理诉求"))
    return _load(request, case_id)


@router.post("/cases/{int:case_id}/accept", response=_STAFF, summary="受理")
def accept_case(request, case_id: int, payload: CaseAcceptIn):
    case = load_staff_case(request, case_id)
    call_service(services.accept_case, actor=request.auth, case=case, assignee=payload.assignee_id)
    return _detail(request, case)


@router.post("/cases/{int:case_id}/update", response=_STAFF, summary="更正诉求信息")
def update_case(request, case_id: int, payload: CaseUpdateIn):
    case = load_staff_case(request, case_id)
    sent = payload.model_dump(exclude_unset=True)
    fields = {}
    for name in services.UPDATABLE_FIELDS:
        key = "category_id" if name == "category" else name
        if key not in sent:
            continue
        value = sent[key]
        if name in ("complexity", "urgency", "category", "title", "description") and value is None:
            raise ValidationError({key: [_("该项不能为空")]})
        fields[name] = value.value if hasattr(value, "value") else value
        if name in ("employer_name", "employer_credit_code") and value is None:
            fields[name] = ""
    call_service(services.update_case, actor=request.auth, case=case, **fields)
    return _detail(request, case)


@router.post("/cases/{int:case_id}/contacts", response=_STAFF, summary="联系记录")
def log_contact(request, case_id: int, payload: CaseContactIn):
    case = load_staff_case(request, case_id)
    call_service(
        services.log_contact,
        actor=request.auth,
        case=case,
        note=payload.note,
        method=payload.method,
        contact=payload.contact,
    )
    return _detail(request, case)


@router.get(
    "/cases/{int:case_id}/departments",
    response={200: list[Ref], 403: ErrorOut, 404: ErrorOut},
    summary="可转办的协作部门",
)
def list_departments(request, case_id: int):
    case = load_staff_case(request, case_id)
    return list(services.usable_departments(case, request.auth))


@router.post("/cases/{int:case_id}/refer", response=_STAFF, summary="转办协作部门")
def refer_case(request, case_id: int, payload: CaseReferIn):
    case = load_staff_case(request, case_id)
    call_service(
        services.refer_case,
        actor=request.auth,
        case=case,
        department=payload.department_id,
        note=payload.note,
    )
    return _detail(request, case)


@router.post(
    "/cases/{int:case_id}/referrals/{int:referral_id}/reply",
    response=_STAFF,
    summary="登记部门答复",
)
def record_reply(request, case_id: int, referral_id: int, payload: ReferralReplyIn):
    case = load_staff_case(request, case_id)
    referral = case.referrals.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    call_service(
        services.record_department_reply,
        actor=request.auth,
        referral=referral,
        reply_text=payload.reply_text,
        replied_by=payload.replied_by,
    )
    return _detail(request, case)


@router.post("/cases/{int:case_id}/escalate", response=_STAFF, summary="上报上级工会")
def escalate_case(request, case_id: int, payload: CaseReasonIn):
    case = load_staff_case(request, case_id)
    call_service(services.escalate_case, actor=request.auth, case=case, reason=payload.reason)
    return _detail(request, case)


@router.post("/cases/{int:case_id}/supervise", response=_STAFF, summary="督办")
def supervise_case(request, case_id: int, payload: CaseSuperviseIn):
    case = load_staff_case(request, case_id)
    call_service(
        services.supervise_case,
        actor=request.auth,
        case=case,
        comment=payload.comment,
        days=payload.days,
    )
    return _detail(request, case)


@router.post(
    "/cases/{int:case_id}/supervisions/{int:supervision_id}/answer",
    response=_STAFF,
    summary="回复督办",
)
def answer_supervision(request, case_id: int, supervision_id: int, payload: SupervisionAnswerIn):
    case = load_staff_case(request, case_id)
    supervision = case.supervisions.filter(pk=supervision_id).first()
    if supervision is None:
        raise Http404
    call_service(
        services.answer_supervision,
        actor=request.auth,
        supervision=supervision,
        response=payload.response,
    )
    return _detail(request, case)


@router.post("/cases/{int:case_id}/resolve", response=_STAFF, summary="办结")
def resolve_case(request, case_id: int, payload: CaseResolveIn):
    case = load_staff_case(request, case_id)
    call_service(
        services.resolve_case,
        actor=request.auth,
        case=case,
        outcome=payload.outcome.value,
        result_text=payload.result_text,
        amount_recovered=payload.amount_recovered,
        workers_benefited=payload.workers_benefited,
    )
    return _detail(request, case)


@router.post("/cases/{int:case_id}/close", response=_STAFF, summary="归档")
def close_case(request, case_id: int, payload: CaseCloseIn):
    case = load_staff_case(request, case_id)
    call_service(services.close_case, actor=request.auth, case=case, note=payload.note)
    return _detail(request, case)
