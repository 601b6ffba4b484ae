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
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from huigong.api import ACTION_ERRORS, ActionRoutes, ErrorOut, Pagination, call_service, filtered
from huigong.common.workdays import deadline_status
from huigong.kernel.timeline import Audience
from huigong.orgs.api import chosen_organization
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
    CaseRefuseIn,
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


def readable(request, queryset: QuerySet, *, own, denied: str) -> QuerySet:
    """The rows the caller reads: a worker their own (``own(user)``), staff those of
    ``queryset`` in their scope if they may view cases at all (``denied`` is the 403
    otherwise)."""
    user = request.auth
    if acts_as_worker(user):
        return own(user)
    if not user.has_perm(VIEW):
        raise PermissionDenied(denied)
    return queryset.visible_to(user, VIEW)


def get_or_404(queryset: QuerySet, pk: int):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404


def party_rows(parties, request) -> list[dict]:
    """``CasePartyOut`` rows of a case's parties: a worker sees only themselves."""
    user = request.auth
    worker = acts_as_worker(user)
    return [
        {
            "role": p.role,
            "name": p.person.name,
            "id_number_masked": p.person.masked_id_number,
            "phone_masked": p.person.masked_phone,
        }
        for p in parties
        if not worker or p.person_id == user.person_id
    ]


def event_rows(rows: list[dict], request, *, statuses: bool = True) -> list[dict]:
    """``CaseEventOut`` rows of timeline rows (``timeline_rows``): no actor names for a
    worker, and the case's states only where the events are the case's own."""
    worker = acts_as_worker(request.auth)
    return [
        {
            "kind": row["event"].kind,
            "label": str(row["label"]),
            "time": row["event"].time,
            "actor": "" if worker else str(row["actor"]),
            "from_status": row["event"].from_status if statuses else "",
            "to_status": row["event"].to_status if statuses else "",
            "note": row["note"],
            "details": [str(d) for d in row["details"]],
        }
        for row in rows
    ]


def _cases():
    return Case.objects.select_related("category", "organization")


def _readable_cases(request) -> QuerySet:
    return readable(request, Case.objects, own=policy.own_cases, denied=_("没有查看诉求的权限"))


def _load(request, case_id: int) -> Case:
    return get_or_404(_readable_cases(request).select_related("category", "organization"), case_id)


def _detail(request, case: Case, *, created: bool = False) -> dict:
    """``CaseOut`` of ``case``, read afresh; or, ``created``, of the case ``submit_case``
    has just returned, which is current and carries its parties and timeline, and has no
    referral, supervision, attachment or mediation yet (nothing to read back)."""
    user = request.auth
    worker = acts_as_worker(user)
    if created:
        case.referral_list, case.supervision_list, case.attachment_list = [], [], []
    else:
        case = _cases().get(pk=case.pk)
        policy.load_related(case)
    attachments = case.attachment_list
    if worker:
        attachments = [a for a in attachments if a.uploaded_by_id == user.pk]
    audience = Audience.WORKER if worker else Audience.STAFF
    timeline = policy.case_timeline(case, audience=audience, viewer=user)
    data = {
        **{f: getattr(case, f) for f in CaseOut.model_fields if hasattr(case, f)},
        "category": case.category,
        "organization": case.organization,
        "status_label": case.get_status_display(),
        "deadline": deadline_status(case.due_date).label if case.status in OPEN_STATUSES else "",
        "awaiting_rating": policy.awaiting_rating(case),
        "parties": party_rows(case.party_list, request),
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
        "timeline": event_rows(timeline, request),
        "mediations": [] if created else policy.public_mediations(case),
        "actions": case_actions.allowed_names(user, case, audience=audience),
    }
    return data


# -- reading ---------------------------------------------------------------------------------------

#: The columns a row of the list shows (``CaseListOut``, with what its status label,
#: deadline and rating flag are computed from): a page reads no descriptions, addresses
#: or amounts, and only the names of the category and the organization.
LIST_COLUMNS = (
    "id", "number", "kind", "status", "title", "channel", "urgency", "received_at",
    "due_date", "supervised", "satisfaction", "rated_at", "resolved_at",
    "category__id", "category__name", "organization__id", "organization__name",
)  # fmt: skip


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
    filter_class = CaseFilter if acts_as_worker(request.auth) else CaseApiFilter
    filterset = filter_class(data=request.GET, queryset=_readable_cases(request), request=request)
    cases = filtered(filterset)
    return (
        cases.select_related("category", "organization")
        .only(*LIST_COLUMNS)
        .order_by("-received_at", "-id")
    )


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut},
    summary="诉求详情与办理记录",
)
def get_case(request, case_id: int):
    return _detail(request, _load(request, case_id))


# -- intake ---------------------------------------------------------------------------------------


def _applicants(user, rows: list[CaseApplicantIn]) -> list:
    """The applicants as ``submit_case`` takes them; the persons named by id are read in
    one query, through the caller's scope."""
    ids = [row.person_id for row in rows if row.person_id is not None]
    found = Person.objects.visible_to(user, "people.view_person").in_bulk(ids) if ids else {}
    applicants = []
    for index, row in enumerate(rows):
        if row.person_id is not None:
            person = found.get(row.person_id)
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
        organization = chosen_organization(user, payload.organization_id, "organization_id")
        employer = chosen_organization(
            user,
            payload.employer_id,
            "employer_id",
            message=_("所选单位不存在或不在您的管辖范围内"),
        )
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
    return Status(201, _detail(request, case, created=True))


# -- worker and staff: information, rating, withdrawal ---------------------------------------------

case_steps = ActionRoutes(
    router,
    "/cases/{int:case_id}",
    load=_load,
    detail=_detail,
    subject="case",
    response={200: CaseOut, **ACTION_ERRORS},
    module=__name__,
)

case_steps.post(
    "/notes",
    services.add_note,
    CaseNoteIn,
    summary="补充情况(职工)或办理记录(工作人员)",
    created=True,
)


@router.post(
    "/cases/{int:case_id}/attachments",
    response={201: CaseOut, **ACTION_ERRORS},
    summary="上传附件(jpg、png、pdf、docx、xlsx,不超过 10 MB)",
)
def add_attachment(request, case_id: int, file: File[UploadedFile]):
    case = _load(request, case_id)
    with transaction.atomic():
        call_service(services.add_attachment, actor=request.auth, case=case, file=file)
    return Status(201, _detail(request, case))


case_steps.post(
    "/rate",
    services.rate_case,
    CaseRateIn,
    summary="满意度评价(职工,或工作人员回访记录)",
)
case_steps.post("/withdraw", services.withdraw_case, CaseReasonIn, summary="撤回诉求")


# -- staff actions --------------------------------------------------------------------------------

_STAFF = {200: CaseOut, **ACTION_ERRORS, 422: ErrorOut}


def load_staff_case(request, case_id: int) -> Case:
    if acts_as_worker(request.auth):
        raise PermissionDenied(_("只有工作人员可以办理诉求"))
    return _load(request, case_id)


staff_steps = ActionRoutes(
    router,
    "/cases/{int:case_id}",
    load=load_staff_case,
    detail=_detail,
    subject="case",
    response=_STAFF,
    module=__name__,
)

staff_steps.post("/accept", services.accept_case, CaseAcceptIn, summary="受理")
staff_steps.post("/refuse", services.refuse_case, CaseRefuseIn, summary="不予受理")


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


staff_steps.post("/contacts", services.log_contact, CaseContactIn, summary="联系记录")


@router.get(
    "/cases/{int:case_id}/departments",
    response={200: list[Ref], 403: ErrorOut, 404: ErrorOut},
    summary="可转办的协作部门",
)
def list_departments(request, case_id: int):
    case = load_staff_case(request, case_id)
    return list(services.usable_departments(case, request.auth))


staff_steps.post("/refer", services.refer_case, CaseReferIn, summary="转办协作部门")
staff_steps.post(
    "/referrals/{int:referral_id}/reply",
    services.record_department_reply,
    ReferralReplyIn,
    name="record_reply",
    summary="登记部门答复",
    part=("referral", lambda case, pk: get_or_404(case.referrals, pk)),
)
staff_steps.post("/escalate", services.escalate_case, CaseReasonIn, summary="上报上级工会")
staff_steps.post("/supervise", services.supervise_case, CaseSuperviseIn, summary="督办")
staff_steps.post(
    "/supervisions/{int:supervision_id}/answer",
    services.answer_supervision,
    SupervisionAnswerIn,
    summary="回复督办",
    part=("supervision", lambda case, pk: get_or_404(case.supervisions, pk)),
)
staff_steps.post("/resolve", services.resolve_case, CaseResolveIn, summary="办结")
staff_steps.post("/close", services.close_case, CaseCloseIn, summary="归档")
