"""Partner-department API: the referrals sent to the departments the user is a member
of (scoped by membership, not by the organization tree), and their replies."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from huigong.api import ApiError, ErrorCode, ErrorOut, Pagination, call_service

from .. import services
from .cases import acts_as_worker
from .schemas import Ref, ReferralReplyIn

router = Router()


# -- partner departments: the referrals sent to the user's department ------------------------------


class PartnerPartyOut(Schema):
    name: str
    id_number_masked: str
    phone_masked: str


class PartnerCaseOut(Schema):
    number: str
    title: str
    category: str
    description: str


class PartnerReferralOut(Schema):
    id: int
    department: Ref
    status: str
    status_label: str
    note: str = Field(description="转办说明(请求事项)")
    sent_at: datetime.datetime
    due_date: datetime.date
    reply_text: str
    replied_by: str
    replied_at: datetime.datetime | None
    can_reply: bool
    case: PartnerCaseOut
    parties: list[PartnerPartyOut] = Field(description="当事职工(证件号、手机号已遮蔽)")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_can_reply(obj) -> bool:
        return services.referral_answerable(obj)

    @staticmethod
    def resolve_case(obj) -> dict:
        case = obj.case
        return {
            "number": case.number,
            "title": case.title,
            "category": case.category.name,
            "description": case.description,
        }

    @staticmethod
    def resolve_parties(obj) -> list[dict]:
        return [
            {
                "name": p.person.name,
                "id_number_masked": p.person.masked_id_number,
                "phone_masked": p.person.masked_phone,
            }
            for p in obj.case.parties.all()
        ]


def _partner_referrals(request):
    user = request.auth
    if acts_as_worker(user) or not user.has_perm(services.ANSWER_REFERRAL):
        raise PermissionDenied(_("只有协作部门账号可以查看转给本部门的事项"))
    return services.referral_queue(user).prefetch_related("case__parties__person")


@router.get(
    "/referrals",
    response={200: list[PartnerReferralOut], 403: ErrorOut},
    summary="转办给本部门的事项(协作部门账号)",
)
@paginate(Pagination)
def list_partner_referrals(request):
    return _partner_referrals(request)


@router.post(
    "/referrals/{int:referral_id}/reply",
    response={200: PartnerReferralOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="协作部门答复转办事项",
)
def reply_partner_referral(request, referral_id: int, payload: ReferralReplyIn):
    queryset = _partner_referrals(request)
    referral = queryset.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    if not services.referral_answerable(referral):
        raise ApiError(
            ErrorCode.INVALID_STATE, _("该转办已答复或诉求已不在转办状态,不能再答复"), status=409
        )
    call_service(
        services.record_department_reply,
        actor=request.auth,
        referral=referral,
        reply_text=payload.reply_text,
        replied_by=payload.replied_by,
    )
    return queryset.get(pk=referral.pk)
