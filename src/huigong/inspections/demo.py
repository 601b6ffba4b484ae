"""The inspections' part of the demo county (registered as a demo loader in ``apps.py``,
run after the cases' part, which registers the partner departments): the joint labour
inspections, played through the inspection services.

Modelled on the seed article: after residents complained about missing labour contracts,
黄土铺镇's union ran a joint inspection of the town's private enterprises and farmers'
cooperatives with the county's labour inspectorate and justice bureau. It is finished:
its rectification orders brought signed contracts, new social-insurance enrolments and
back pay, one order is overdue, and one wage finding became a case. 白地市镇's campaign is
still under way. Every call gets a back-dated ``now`` counted in working days before today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc

from huigong.accounts.models import User
from huigong.common.workdays import working_days_before
from huigong.kernel.registry import DemoContext
from huigong.orgs.models import Organization
from huigong.partners.models import Department, DepartmentKind
from huigong.people.models import Person

from . import services
from .models import (
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionTarget,
    RectificationOrder,
)

COUNTY = "祁东县总工会"


def _credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class Finding:
    kind: str
    workers: int
    description: str
    requirement: str
    days: int
    #: Results when rectified: (contracts, newly insured, amount); None: not yet.
    result: tuple[int, int, str] | None = None
    result_text: str = ""
    amount: str | None = None


@dataclass(frozen=True)
class Target:
    #: A union of the demo tree, or a firm without a union (then ``credit_body``).
    name: str
    workers: int
    summary: str
    findings: tuple[Finding, ...] = ()
    credit_body: str = ""
    has_union: bool = True


HUANGTUPU_TARGETS = (
    Target(
        "祁东县新发食品有限公司工会",
        186,
        "查阅职工花名册、劳动合同台账和工资发放记录,抽查车间一线职工 20 名。",
        (
            Finding(
                FindingKind.NO_CONTRACT,
                64,
                "季节性生产线 64 名职工未签订书面劳动合同。",
                "15 个工作日内与全部在岗职工签订书面劳动合同,报镇工会联合会备案。",
                15,
                (64, 0, "0"),
                "已与 64 名职工签订劳动合同,合同文本经劳动保障监察大队审核。",
            ),
            Finding(
                FindingKind.SOCIAL_INSURANCE,
                38,
                "38 名职工未参加工伤保险和养老保险。",
                "30 个工作日内为在岗职工办理社会保险参保登记。",
                30,
                (0, 38, "0"),
                "已为 38 名职工办理参保登记。",
            ),
        ),
    ),
    Target(
        "祁东县黄土铺镇黄花菜专业合作社工会",
        240,
        "合作社采摘期用工集中,核对用工登记和计件工资表。",
        (
            Finding(
                FindingKind.NO_CONTRACT,
                152,
                "采摘期临时用工 152 人未签订劳动合同或劳务协议。",
                "采摘期结束前与临时用工签订劳动合同或劳务协议。",
                10,
                (152, 0, "0"),
                "已签订劳动合同 152 份。",
            ),
        ),
    ),
    Target(
        "祁东县宏达建筑劳务有限公司工会",
        95,
        "核查工地实名制用工和工资专户代发记录。",
        (
            Finding(
                FindingKind.WAGE_ARREARS,
                9,
                "9 名农民工被拖欠工资 8.64 万元。",
                "10 个工作日内足额支付拖欠工资。",
                10,
                (0, 0, "86400.00"),
                "已通过工资专户足额补发。",
                "86400.00",
            ),
            Finding(
                FindingKind.OVERTIME,
                40,
                "工地班组连续 3 周每日工作超过 11 小时。",
                "调整排班,加班须协商一致并依法支付加班费。",
                10,
            ),
        ),
    ),
    Target(
        "祁东县黄土铺镇绿源农机专业合作社",
        26,
        "未建工会,检查组宣讲劳动法律法规并指导建会。",
        (
            Finding(
                FindingKind.NO_CONTRACT,
                26,
                "全部 26 名农机手未签订劳动合同。",
                "20 个工作日内签订劳动合同。",
                20,
                (26, 12, "0"),
                "已签订劳动合同 26 份,12 人新参保。",
            ),
        ),
        credit_body="93430426MA4P8K2L6",
        has_union=False,
    ),
)

BAIDISHI_TARGETS = (
    Target(
        "祁东县白地市镇鑫源建材有限公司工会",
        72,
        "检查粉尘防护和劳动合同签订情况。",
        (
            Finding(
                FindingKind.SAFETY,
                30,
                "破碎车间粉尘防护用品配发不足。",
                "10 个工作日内配齐防尘口罩并开展职业健康体检。",
                10,
            ),
        ),
    ),
    Target("祁东县白地市镇流泉生猪养殖专业合作社工会", 34, ""),
)


@dataclass(frozen=True)
class Campaign:
    """A joint inspection as its township cadre (``by``) planned it, dated in working days
    before today: planned ``planned_ago``, running from ``start_ago`` to ``end_ago`` (None:
    planned for 30 days from the start), the targets visited from ``visit_ago`` on."""

    by: str
    organization: str
    name: str
    description: str
    departments: tuple[str, ...]  # DepartmentKind values
    planned_ago: int
    start_ago: int
    end_ago: int | None
    visit_ago: int
    targets: tuple[Target, ...]


HUANGTUPU = Campaign(
    "huangtupu",
    "黄土铺镇工会联合会",
    "黄土铺镇民营企业劳动用工联合执法检查",
    "镇人大、镇工会联合会会同县人社局劳动保障监察大队、县司法局,对全镇民营企业和"
    "农民专业合作社开展劳动用工检查:劳动合同签订、社会保险缴纳、工资支付和工时。",
    (DepartmentKind.LABOUR_INSPECTION, DepartmentKind.JUSTICE),
    planned_ago=52,
    start_ago=48,
    end_ago=30,
    visit_ago=46,
    targets=HUANGTUPU_TARGETS,
)

BAIDISHI = Campaign(
    "baidishi",
    "白地市镇工会联合会",
    "白地市镇建材和养殖企业劳动用工检查",
    "检查建材企业职业安全防护和养殖合作社劳动合同签订情况。",
    (DepartmentKind.LABOUR_INSPECTION,),
    planned_ago=8,
    start_ago=5,
    end_ago=None,
    visit_ago=3,
    targets=BAIDISHI_TARGETS,
)


class InspectionLoader:
    """Plays the two campaigns; ``users`` maps demo usernames to users, ``orgs`` names to
    organizations, ``departments`` kinds to the county's partner departments."""

    def __init__(
        self,
        *,
        users: dict[str, User],
        orgs: dict[str, Organization],
        departments: dict[str, Department] | None = None,
        today: datetime.date | None = None,
    ):
        self.users = users
        self.orgs = orgs
        self.departments = departments or {
            d.kind: d for d in Department.objects.filter(organization=orgs[COUNTY]).order_by("pk")
        }
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.inspections: list[Inspection] = []

    def _day(self, ago: int) -> datetime.date:
        return working_days_before(self.today, ago)

    def _at(self, ago: int, clock: str = "09:30") -> datetime.datetime:
        hour, minute = map(int, clock.split(":"))
        return datetime.datetime.combine(
            self._day(ago), datetime.time(hour, minute), tzinfo=self.tz
        )

    def build(self) -> list[Inspection]:
        self.build_huangtupu()
        self.build_baidishi()
        services.mark_overdue_rectifications(today=self.today)
        return self.inspections

    def _open(self, campaign: Campaign) -> tuple[User, Inspection, list[InspectionTarget]]:
        """Plan and start ``campaign`` and visit its targets; returns its cadre, the
        inspection and its targets."""
        actor = self.users[campaign.by]
        start = self._day(campaign.start_ago)
        inspection = services.plan_inspection(
            actor=actor,
            organization=self.orgs[campaign.organization],
            name=campaign.name,
            start_date=start,
            end_date=(
                self._day(campaign.end_ago)
                if campaign.end_ago is not None
                else start + datetime.timedelta(days=30)
            ),
            departments=[self.departments[kind] for kind in campaign.departments],
            description=campaign.description,
            now=self._at(campaign.planned_ago),
        )
        services.start_inspection(
            actor=actor, inspection=inspection, now=self._at(campaign.start_ago)
        )
        visit_ago = campaign.visit_ago
        targets = []
        for i, spec in enumerate(campaign.targets):
            fields = (
                {"organization": self.orgs[spec.name]}
                if spec.has_union
                else {"name": spec.name, "credit_code": _credit_code(spec.credit_body)}
            )
            target = services.add_inspection_target(
                actor=actor, inspection=inspection, now=self._at(visit_ago + 1), **fields
            )
            if spec.summary:
                services.record_target_visit(
                    actor=actor,
                    target=target,
                    visited_on=self._day(visit_ago - i),
                    workers_employed=spec.workers,
                    result_summary=spec.summary,
                    now=self._at(visit_ago - i, "16:00"),
                )
            targets.append(target)
        return actor, inspection, targets

    def _finding(
        self, actor, target, spec: Finding, found_ago: int
    ) -> tuple[InspectionFinding, RectificationOrder]:
        """Record ``spec`` at ``target`` ``found_ago`` working days before today and order
        its rectification the next working day; returns the finding and the order."""
        finding = services.record_finding(
            actor=actor,
            target=target,
            kind=spec.kind,
            description=spec.description,
            workers_affected=spec.workers,
            amount_involved=spec.amount,
            now=self._at(found_ago, "16:30"),
        )
        order = services.issue_rectification_order(
            actor=actor,
            finding=finding,
            requirement=spec.requirement,
            days=spec.days,
            now=self._at(found_ago - 1, "10:00"),
        )
        return finding, order

    def build_huangtupu(self) -> Inspection:
        """The finished campaign of the seed article."""
        actor, inspection, targets = self._open(HUANGTUPU)
        wage_finding = None
        for n, (spec, target) in enumerate(zip(HUANGTUPU.targets, targets, strict=True)):
            for finding_spec in spec.findings:
                found_ago = HUANGTUPU.visit_ago - n  # found on the visit
                finding, order = self._finding(actor, target, finding_spec, found_ago)
                if finding_spec.kind == FindingKind.WAGE_ARREARS:
                    wage_finding = finding
                if finding_spec.result is not None:
                    contracts, insured, amount = finding_spec.result
                    done_ago = max(found_ago - 1 - finding_spec.days + 2, 3)
                    services.record_rectification(
                        actor=actor,
                        order=order,
                        result_text=finding_spec.result_text,
                        contracts_signed=contracts,
                        workers_insured=insured,
                        amount_recovered=Decimal(amount),
                        now=self._at(done_ago, "15:00"),
                    )
        services.finish_inspection(
            actor=actor,
            inspection=inspection,
            summary=(
                "检查民营企业和农民专业合作社 4 家,发现问题 6 个,下达整改通知 6 份;"
                "督促签订劳动合同 242 份,新参保 50 人,补发工资 8.64 万元。"
            ),
            now=self._at(30, "17:00"),
        )
        if wage_finding is not None:
            workers = Person.objects.filter(
                organization=self.orgs["祁东县宏达建筑劳务有限公司工会"]
            ).order_by("-pk")[:1]
            services.open_case_from_finding(
                actor=actor,
                finding=wage_finding,
                applicants=list(workers),
                now=self._at(2, "10:30"),
            )
        self.inspections.append(inspection)
        return inspection

    def build_baidishi(self) -> Inspection:
        """A campaign still under way."""
        actor, inspection, targets = self._open(BAIDISHI)
        self._finding(
            actor, targets[0], BAIDISHI.targets[0].findings[0], found_ago=BAIDISHI.visit_ago
        )
        self.inspections.append(inspection)
        return inspection


def load_inspections(context: DemoContext) -> int:
    """The demo's joint labour inspections; returns how many campaigns it played."""
    loader = InspectionLoader(users=context.users, orgs=context.orgs, today=context.today)
    return len(loader.build())
