"""Joint labour inspections (联合执法检查): a campaign run by a union with partner
departments, the enterprises it visits, what it finds there, the rectification orders it
issues and their results (contracts signed, workers insured, wages recovered).

The tables were created by ``cases`` (0005) and keep their names (``db_table``): moving
the models into this app (inspections 0001, cases 0009) changed no data."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin

from huigong.cases.models import Case
from huigong.common.models import StateChange, not_negative, state_field, user_link
from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.kernel.timeline import TimelineEvent, TimelineQuerySet
from huigong.orgs.models import organization_link
from huigong.partners.models import Department

# -- choices ------------------------------------------------------------------------------------


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("检查中")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class FindingKind(models.TextChoices):
    NO_CONTRACT = "no_contract", _("未签订劳动合同")
    SOCIAL_INSURANCE = "social_insurance", _("未缴纳社会保险")
    WAGE_ARREARS = "wage_arrears", _("拖欠工资")
    OVERTIME = "overtime", _("超时加班")
    SAFETY = "safety", _("职业安全隐患")
    OTHER = "other", _("其他问题")


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    OVERDUE = "overdue", _("逾期未整改")


class InspectionEventKind(models.TextChoices):
    PLANNED = "planned", _("制定检查计划")
    UPDATED = "updated", _("修改检查计划")
    STARTED = "started", _("开始检查")
    FINISHED = "finished", _("结束检查")
    CANCELLED = "cancelled", _("取消检查")
    TARGET_ADDED = "target_added", _("添加检查对象")
    TARGET_VISITED = "target_visited", _("登记检查情况")
    FINDING_RECORDED = "finding_recorded", _("登记发现问题")
    ORDER_ISSUED = "order_issued", _("下达整改通知")
    RECTIFIED = "rectified", _("整改到位")
    ORDER_OVERDUE = "order_overdue", _("整改逾期")
    CASE_OPENED = "case_opened", _("立案转办")


#: Campaign states in which targets, findings and orders may still be added.
ACTIVE_INSPECTION_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
#: Order states whose rectification is still awaited.
OPEN_RECTIFICATION_STATUSES = (RectificationStatus.ISSUED, RectificationStatus.OVERDUE)


# -- campaign -----------------------------------------------------------------------------------


class InspectionQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"


class Inspection(FSMModelMixin, models.Model):
    """A joint labour inspection campaign (联合执法检查) organised by a union (its data
    scope) with partner departments over a period. ``status`` only changes through
    ``huigong.inspections.services``."""

    organization = organization_link(_("组织单位"), related_name="inspections")
    name = models.CharField(_("检查名称"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    departments = models.ManyToManyField(
        Department, verbose_name=_("联合部门"), blank=True, related_name="inspections"
    )
    description = models.TextField(_("检查内容"), blank=True)
    status = state_field(InspectionStatus, InspectionStatus.PLANNED)
    summary = models.TextField(_("检查总结"), blank=True)
    created_by = user_link(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始检查时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        db_table = "cases_inspection"
        verbose_name = verbose_name_plural = _("联合执法检查")
        ordering = ["-start_date", "-id"]
        permissions = [("manage_inspection", _("可组织联合执法检查"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="inspection_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    start = StateChange(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
    finish = StateChange(InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED)
    cancel = StateChange(
        [InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS], InspectionStatus.CANCELLED
    )


class InspectionTargetQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "inspection__organization__path"


class InspectionTarget(models.Model):
    """An enterprise a campaign inspects: a union in the organizer's subtree, or one
    without a union named by hand (most private firms and cooperatives have none)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("执法检查"), on_delete=models.CASCADE, related_name="targets"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("已建会单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_targets",
    )
    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    visited_on = models.DateField(_("检查日期"), null=True, blank=True)
    workers_employed = models.PositiveIntegerField(_("用工人数"), null=True, blank=True)
    result_summary = models.TextField(_("检查情况"), blank=True)
    created_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    objects = InspectionTargetQuerySet.as_manager()

    class Meta:
        db_table = "cases_inspectiontarget"
        verbose_name = verbose_name_plural = _("检查对象")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "name"], name="unique_inspection_target_name"
            ),
            models.UniqueConstraint(
                fields=["inspection", "organization"],
                condition=Q(organization__isnull=False),
                name="unique_inspection_target_org",
            ),
            not_negative("workers_employed", name="inspection_target_workers_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.inspection.organization.path


class InspectionFindingQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "target__inspection__organization__path"


class InspectionFinding(models.Model):
    """A problem found at an inspected enterprise (e.g. 32 workers without a labour
    contract); at most one case is opened from it."""

    target = models.ForeignKey(
        InspectionTarget,
        verbose_name=_("检查对象"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    kind = models.CharField(_("问题类型"), max_length=20, choices=FindingKind.choices)
    workers_affected = models.PositiveIntegerField(_("涉及职工人数"), default=0)
    description = models.TextField(_("问题描述"))
    amount_involved = models.DecimalField(
        _("涉及金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("立案诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    recorded_by = user_link(_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = InspectionFindingQuerySet.as_manager()

    class Meta:
        db_table = "cases_inspectionfinding"
        verbose_name = verbose_name_plural = _("检查发现问题")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workers_affected__gte=0),
                name="inspection_finding_workers_not_negative",
            ),
            not_negative("amount_involved", name="inspection_finding_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target.name} {self.get_kind_display()}"

    def audit_org_path(self) -> str:
        return self.target.inspection.organization.path


class RectificationOrderQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "finding__target__inspection__organization__path"


class RectificationOrder(FSMModelMixin, models.Model):
    """A rectification order (整改通知) for a finding, due by a date, and what the
    enterprise did: contracts signed, workers newly insured, money paid to workers."""

    finding = models.ForeignKey(
        InspectionFinding,
        verbose_name=_("发现问题"),
        on_delete=models.CASCADE,
        related_name="orders",
    )
    requirement = models.TextField(_("整改要求"))
    due_date = models.DateField(_("整改期限"))
    status = state_field(RectificationStatus, RectificationStatus.ISSUED, max_length=10)
    issued_by = user_link(_("下达人"))
    issued_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    overdue_marked_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectified_on_time = models.BooleanField(_("按期整改"), null=True, blank=True, editable=False)
    result_text = models.TextField(_("整改情况"), blank=True)
    contracts_signed = models.PositiveIntegerField(_("新签劳动合同(份)"), default=0)
    workers_insured = models.PositiveIntegerField(_("新参保职工(人)"), default=0)
    amount_recovered = models.DecimalField(
        _("追回金额(元)"), max_digits=12, decimal_places=2, default=0
    )

    objects = RectificationOrderQuerySet.as_manager()

    class Meta:
        db_table = "cases_rectificationorder"
        verbose_name = verbose_name_plural = _("整改通知")
        ordering = ["due_date", "id"]
        indexes = [
            # The deadline sweep scans issued orders by due date (STYLE.md, "History").
            models.Index(
                fields=["due_date"],
                condition=Q(status="issued"),
                name="rectification_issued_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contracts_signed__gte=0) & Q(workers_insured__gte=0),
                name="rectification_figures_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0),
                name="rectification_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(status="rectified") & Q(rectified_at__isnull=False))
                | (~Q(status="rectified") & Q(rectified_at__isnull=True)),
                name="rectification_rectified_at_iff_rectified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding} {self.due_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RECTIFICATION_STATUSES

    def audit_org_path(self) -> str:
        return self.finding.target.inspection.organization.path

    rectify = StateChange(OPEN_RECTIFICATION_STATUSES, RectificationStatus.RECTIFIED)


class InspectionEventQuerySet(ScopedQuerySetMixin, TimelineQuerySet):
    scope_path_field = "inspection__organization__path"


class InspectionEvent(TimelineEvent):
    """One entry of a campaign's timeline (the kernel's ``TimelineEvent``). Written only
    through ``huigong.inspections.events``. Campaigns are staff work: no worker or
    partner department sees their timeline."""

    subject_field = "inspection"

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("执法检查"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=24, choices=InspectionEventKind.choices)

    objects = InspectionEventQuerySet.as_manager()

    class Meta(TimelineEvent.Meta):
        db_table = "cases_inspectionevent"
        verbose_name = verbose_name_plural = _("执法检查记录")
