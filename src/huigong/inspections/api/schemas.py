"""Request and response schemas of the inspection API. Their names are the components of
the OpenAPI document and stay as they were published under the cases API."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from huigong.api import InputSchema, Ref
from huigong.cases.models import CaseKind

from ..models import FindingKind, InspectionStatus
from ..services import MAX_FIGURE, MAX_RECTIFICATION_DAYS

#: The largest id a client may send: beyond a 64-bit integer no row can exist.
MAX_ID = 2**63 - 1

#: A department id as a client may send it: beyond a 64-bit integer no row can exist, and
#: the database would refuse the query (a 500) instead of finding nothing.
DepartmentId = Annotated[int, Field(ge=1, le=MAX_ID)]


class InspectionListOut(Schema):
    id: int
    name: str
    organization: Ref
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_label: str
    target_count: int
    finding_count: int
    order_count: int
    rectified_count: int
    contracts_total: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class RectificationOrderOut(Schema):
    id: int
    requirement: str
    due_date: datetime.date
    status: str
    status_label: str
    deadline: str = Field(description="剩余 N 个工作日 / 今天到期 / 已逾期 N 天(未整改的)")
    issued_at: datetime.datetime
    rectified_at: datetime.datetime | None
    rectified_on_time: bool | None
    result_text: str
    contracts_signed: int
    workers_insured: int
    amount_recovered: Decimal


class InspectionFindingOut(Schema):
    id: int
    kind: str
    kind_label: str
    workers_affected: int
    description: str
    amount_involved: Decimal | None
    case_id: int | None
    case_number: str
    recorded_at: datetime.datetime
    orders: list[RectificationOrderOut]


class InspectionTargetOut(Schema):
    id: int
    organization_id: int | None
    name: str
    credit_code: str
    visited_on: datetime.date | None
    workers_employed: int | None
    result_summary: str
    findings: list[InspectionFindingOut]


class InspectionTotalsOut(Schema):
    targets: int
    visited: int
    findings: int
    workers_affected: int
    orders: int
    rectified: int
    on_time: int
    overdue: int
    contracts_signed: int
    workers_insured: int
    amount_recovered: Decimal
    cases: int


class InspectionEventOut(Schema):
    kind: str
    label: str
    time: datetime.datetime
    actor: str
    note: str


class InspectionOut(Schema):
    id: int
    name: str
    organization: Ref
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_label: str
    description: str
    summary: str
    departments: list[Ref]
    targets: list[InspectionTargetOut]
    totals: InspectionTotalsOut
    timeline: list[InspectionEventOut]
    actions: list[str] = Field(description="当前用户可执行的操作")


class InspectionPlanIn(InputSchema):
    organization_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(max_length=800)
    start_date: datetime.date
    end_date: datetime.date
    department_ids: list[DepartmentId] = Field([], max_length=50)
    description: str = Field("", max_length=20000)


class InspectionUpdateIn(InputSchema):
    name: str = Field(max_length=800)
    start_date: datetime.date
    end_date: datetime.date
    department_ids: list[DepartmentId] = Field([], max_length=50)
    description: str = Field("", max_length=20000)


class InspectionFinishIn(InputSchema):
    summary: str = Field("", max_length=20000)


class InspectionCancelIn(InputSchema):
    reason: str = Field(max_length=8000)


class InspectionTargetIn(InputSchema):
    organization_id: int | None = Field(None, ge=1, le=MAX_ID)
    name: str = Field("", max_length=800)
    credit_code: str = Field("", max_length=72)
    visited_on: datetime.date | None = None
    workers_employed: int | None = Field(None, ge=0, le=MAX_FIGURE)
    result_summary: str = Field("", max_length=20000)


class TargetVisitIn(InputSchema):
    visited_on: datetime.date
    workers_employed: int | None = Field(None, ge=0, le=MAX_FIGURE)
    result_summary: str = Field("", max_length=20000)


class InspectionFindingIn(InputSchema):
    kind: FindingKind
    description: str = Field(max_length=20000)
    workers_affected: int = Field(0, ge=0, le=MAX_FIGURE)
    amount_involved: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class RectificationOrderIn(InputSchema):
    requirement: str = Field(max_length=20000)
    days: int | None = Field(None, ge=1, le=MAX_RECTIFICATION_DAYS)
    due_date: datetime.date | None = None


class RectificationIn(InputSchema):
    result_text: str = Field(max_length=20000)
    contracts_signed: int = Field(0, ge=0, le=MAX_FIGURE)
    workers_insured: int = Field(0, ge=0, le=MAX_FIGURE)
    amount_recovered: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class FindingApplicantIn(InputSchema):
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)


class FindingCaseIn(InputSchema):
    applicants: list[FindingApplicantIn] = Field(min_length=1, max_length=500)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: CaseKind = CaseKind.RIGHTS
    title: str = Field("", max_length=800)


class CaseOpenedOut(Schema):
    id: int
    number: str
    organization: Ref


class InspectionQueryParams(Schema):
    q: str = Field("", max_length=100, description="检查名称或单位")
    status: InspectionStatus | None = None
    year: int | None = Field(None, ge=2000, le=2100, description="检查期间所在年度")
    organization: int | None = Field(None, ge=1, le=MAX_ID, description="组织单位(含下级)")
