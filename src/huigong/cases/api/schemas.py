"""Request and response schemas of the cases API (``cases/api/cases.py``); the other
routers of the app reuse some of them (``Ref``, the party and event shapes)."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from huigong.api import InputSchema, Ref
from huigong.common.workdays import deadline_status

from .. import services
from ..filters import Queue
from ..models import (
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    Channel,
    Complexity,
    Outcome,
    Satisfaction,
    Urgency,
)
from ..policy import awaiting_rating

#: The largest id a client may send: beyond a 64-bit integer no row can exist.
MAX_ID = 2**63 - 1


class CaseCategoryOut(Schema):
    id: int
    code: str
    name: str
    depth: int
    handling_level: str


class _CaseFields(Schema):
    id: int
    number: str
    kind: str
    category: Ref
    status: str
    status_label: str
    title: str
    organization: Ref
    channel: str
    urgency: str
    received_at: datetime.datetime
    due_date: datetime.date
    deadline: str = Field(description="剩余 N 个工作日 / 今天到期 / 已逾期 N 天(办理中的诉求)")
    supervised: bool
    satisfaction: str
    awaiting_rating: bool


class CaseListOut(_CaseFields):
    @staticmethod
    def resolve_status_label(obj) -> str:
        # The enum's label, not ``get_status_display()``: that rebuilds the dict of every
        # translated choice for each row (1.5–2 ms of a 50-row page).
        try:
            return str(CaseStatus(obj.status).label)
        except ValueError:
            return obj.status

    @staticmethod
    def resolve_deadline(obj) -> str:
        return deadline_status(obj.due_date).label if obj.status in OPEN_STATUSES else ""

    @staticmethod
    def resolve_awaiting_rating(obj) -> bool:
        return awaiting_rating(obj)


class CasePartyOut(Schema):
    role: str
    name: str
    id_number_masked: str
    phone_masked: str


class CaseEventOut(Schema):
    kind: str
    label: str
    time: datetime.datetime
    actor: str
    from_status: str
    to_status: str
    note: str
    details: list[str]


class CaseAttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_at: datetime.datetime


class CaseReferralOut(Schema):
    id: int
    department: Ref
    status: str
    note: str
    sent_at: datetime.datetime
    due_date: datetime.date
    reply_text: str
    replied_by: str
    replied_at: datetime.datetime | None


class CaseSupervisionOut(Schema):
    id: int
    organization: Ref
    comment: str
    created_at: datetime.datetime
    due_date: datetime.date
    response: str
    responded_at: datetime.datetime | None


class MediationSessionBrief(Schema):
    held_at: datetime.datetime
    place: str


class CaseMediationOut(Schema):
    """A mediation of the case as its parties see it (``portal.public_mediation``)."""

    id: int
    number: str
    status: str
    status_label: str
    organization: str
    respondent_name: str
    claims: str
    team_label: str
    mediators: list[str]
    opened_at: datetime.datetime
    sessions: list[MediationSessionBrief]
    agreed: bool
    agreement_terms: str
    agreement_amount: Decimal | None
    performance_due: datetime.date | None
    agreed_at: datetime.datetime | None
    referred_to: str
    referred_to_label: str
    performed: str
    performed_label: str
    performed_at: datetime.date | None
    ended_at: datetime.datetime | None
    filed_at: datetime.datetime | None


class CaseOut(_CaseFields):
    description: str
    address: str
    employer_name: str
    amount_claimed: Decimal | None
    workers_concerned: int | None
    amount_recovered: Decimal | None
    workers_benefited: int | None
    outcome: str
    result_text: str
    accept_due: datetime.date
    parties: list[CasePartyOut]
    attachments: list[CaseAttachmentOut]
    referrals: list[CaseReferralOut] = Field([], description="仅工作人员可见")
    supervisions: list[CaseSupervisionOut] = Field([], description="仅工作人员可见")
    timeline: list[CaseEventOut] = Field(description="职工只看到公开的办理进度")
    mediations: list[CaseMediationOut] = Field(
        [], description="劳动争议调解(公开部分:不含调解笔录和内部说明)"
    )
    actions: list[str] = Field(description="当前用户可执行的操作")


class CaseApplicantIn(InputSchema):
    """An existing person (``person_id``) or one found / registered by ID number or phone."""

    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)


class CaseSubmitIn(InputSchema):
    kind: CaseKind = CaseKind.DEMAND
    category_id: int = Field(ge=1, le=MAX_ID)
    title: str = Field("", description="留空则取诉求内容的开头")
    description: str
    address: str = ""
    employer_name: str = ""
    employer_credit_code: str = ""
    amount_claimed: Decimal | None = None
    urgency: Urgency = Urgency.NORMAL
    # Staff only (ignored for workers, whose own person is the applicant):
    organization_id: int | None = Field(None, ge=1, le=MAX_ID, description="受理组织(工作人员)")
    channel: Channel = Channel.API
    complexity: Complexity = Complexity.ORDINARY
    employer_id: int | None = Field(None, ge=1, le=MAX_ID)
    applicants: list[CaseApplicantIn] = Field([], max_length=500)


class CaseNoteIn(InputSchema):
    note: str


class CaseContactIn(InputSchema):
    note: str
    method: str = "phone"
    contact: str = ""


class CaseAcceptIn(InputSchema):
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)


class CaseRefuseIn(InputSchema):
    reason_id: int = Field(ge=1, le=MAX_ID)
    note: str


class CaseReferIn(InputSchema):
    department_id: int = Field(ge=1, le=MAX_ID)
    note: str


class ReferralReplyIn(InputSchema):
    reply_text: str
    replied_by: str = ""


class CaseReasonIn(InputSchema):
    reason: str


class CaseSuperviseIn(InputSchema):
    comment: str
    days: int = Field(services.SUPERVISION_DAYS, ge=1, le=30)


class SupervisionAnswerIn(InputSchema):
    response: str


class CaseResolveIn(InputSchema):
    outcome: Outcome
    result_text: str
    amount_recovered: Decimal | None = None
    workers_benefited: int | None = Field(None, ge=0, le=services.MAX_WORKERS)


class CaseRateIn(InputSchema):
    satisfaction: Satisfaction
    note: str = ""


class CaseCloseIn(InputSchema):
    note: str = ""


class CaseUpdateIn(InputSchema):
    """Only the fields sent are corrected; ``null`` clears an amount or a count."""

    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    complexity: Complexity | None = None
    title: str | None = None
    description: str | None = None
    urgency: Urgency | None = None
    amount_claimed: Decimal | None = None
    workers_concerned: int | None = Field(None, ge=0, le=services.MAX_WORKERS)
    employer_name: str | None = None
    employer_credit_code: str | None = None


class CaseQueryParams(Schema):
    """The filters of the case list: those of the workbench list (``CaseFilter``), for
    workers on their own cases too, plus the staff queues."""

    q: str = Field("", max_length=100, description="编号、标题或单位")
    status: CaseStatus | None = None
    category: int | None = Field(None, ge=1, le=MAX_ID, description="类别(含下级)")
    kind: CaseKind | None = None
    channel: Channel | None = None
    urgency: Urgency | None = None
    organization: int | None = Field(
        None, ge=1, le=MAX_ID, description="办理组织(含下级,须在管辖范围内;工作人员)"
    )
    received_from: datetime.date | None = Field(None, description="登记日期自(含)")
    received_to: datetime.date | None = Field(None, description="登记日期至(含)")
    queue: Queue | None = Field(
        None,
        description="工作人员的工作队列:awaiting 待我受理, mine 我的, organization 本组织, "
        "due_soon 即将到期, overdue 已逾期, supervised 被督办, referred 转办待复",
    )
