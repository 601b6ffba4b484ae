"""The case itself and what hangs off it: parties, timeline, referrals, supervisions, attachments."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin

from huigong.common.models import StateChange, not_negative, state_field, user_link
from huigong.kernel.attachments import AttachmentBase, stored_name, stored_name_pattern
from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.kernel.timeline import TimelineEvent, TimelineQuerySet
from huigong.orgs.models import employer_link, organization_link
from huigong.partners.models import Department

from .choices import (
    CASE_EVENT_VISIBILITY,
    ESCALATABLE_STATUSES,
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    Channel,
    Complexity,
    EventKind,
    Outcome,
    PartyRole,
    ReferralStatus,
    Satisfaction,
    Urgency,
)
from .reference import CaseCategory

# -- cases ----------------------------------------------------------------------------------


class CaseQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"

    def visible_to(self, user, perm: str | None = None):
        """The cases in the user's subtrees, plus (for plain viewing) those the user owns
        as first-contact receiver: a case taken in at a station and routed to another
        organization stays visible to its receiver until it is accepted there (首问负责)."""
        from huigong.kernel.scope import scope_q

        q = scope_q(user, self.scope_path_field, perm)
        if q is None:
            return self
        if perm in (None, "cases.view_case") and user is not None and user.is_authenticated:
            q |= Q(owner=user, status=CaseStatus.NEW)
        return self.filter(q)

    def of_worker(self, user):
        """A worker's own cases (portal and API): those where their person record is a
        party. The one definition of "the worker's own cases"."""
        if user is None or not user.is_authenticated or not getattr(user, "person_id", None):
            return self.none()
        return self.filter(
            pk__in=CaseParty.objects.filter(person_id=user.person_id).values("case_id")
        )

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Case(FSMModelMixin, models.Model):
    """A worker's demand, help request or rights case, owned by the organization that
    handles it. ``status`` only changes through the transitions below, called by the
    services (which also write the timeline and the audit)."""

    province = organization_link(
        _("省级组织"), related_name="+", help_text=_("所在组织树的根,供按省分库")
    )
    organization = organization_link(_("办理组织"), related_name="cases")
    number = models.CharField(_("编号"), max_length=24, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=CaseKind.choices)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases"
    )
    complexity = models.CharField(
        _("复杂程度"), max_length=12, choices=Complexity.choices, default=Complexity.ORDINARY
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    status = state_field(CaseStatus, CaseStatus.NEW)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("诉求内容"))
    address = models.CharField(_("地点"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "orgs.Grid",
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    employer = employer_link(_("用人单位(已建会)"), related_name="employer_cases")
    employer_name = models.CharField(_("用人单位"), max_length=200, blank=True)
    employer_credit_code = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True)
    amount_claimed = models.DecimalField(
        _("涉及金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_recovered = models.DecimalField(
        _("追回金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    workers_benefited = models.PositiveIntegerField(_("受益职工人数"), null=True, blank=True)
    workers_concerned = models.PositiveIntegerField(
        _("涉及职工人数"), null=True, blank=True, help_text=_("留空则按当事人人数计")
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    received_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    received_by = user_link(_("首问登记人"), related_name="cases_received")
    owner = user_link(
        _("责任人"),
        related_name="cases_owned",
        help_text=_("首问负责:受理前为首问登记人,受理后为受理人"),
    )
    assignee = user_link(_("承办人"), related_name="cases_assigned")
    accept_due = models.DateField(_("受理期限"))
    due_date = models.DateField(_("办结期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    accepted_on_time = models.BooleanField(_("按时受理"), null=True, blank=True, editable=False)
    resolved_on_time = models.BooleanField(_("按时办结"), null=True, blank=True, editable=False)
    working_days_to_resolve = models.PositiveIntegerField(
        _("办理用时(工作日)"), null=True, blank=True, editable=False
    )
    outcome = models.CharField(_("办理结果"), max_length=20, choices=Outcome.choices, blank=True)
    result_text = models.TextField(_("办理情况"), blank=True)
    refusal_reason = models.ForeignKey(
        "RefusalReason",
        verbose_name=_("不予受理理由"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("不予受理时选择;说明写在办理情况里"),
    )
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("上报次数"), default=0)
    is_overdue = models.BooleanField(_("已逾期"), default=False)
    overdue_marked_at = models.DateTimeField(_("首次逾期时间"), null=True, blank=True)
    due_soon = models.BooleanField(_("即将到期"), default=False)
    acceptance_overdue_notified_at = models.DateTimeField(
        _("超时未受理提醒时间"), null=True, blank=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    supervised = models.BooleanField(_("被督办"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("intake_case", _("登记诉求")),
            ("handle_case", _("办理诉求")),
            ("supervise_case", _("督办诉求")),
            ("export_case", _("导出诉求")),
            ("mediate_case", _("调解劳动争议")),
        ]
        indexes = [
            # The deadline sweep scans open cases by due date (STYLE.md, "History").
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=["new", "accepted", "referred"]),
                name="case_open_due_idx",
            ),
            # The sweep's "not accepted in time" reminder scans new cases by accept_due.
            models.Index(
                fields=["accept_due"],
                condition=Q(status="new", acceptance_overdue_notified_at__isnull=True),
                name="case_accept_due_idx",
            ),
            models.Index(fields=["organization", "status"], name="case_org_status_idx"),
            models.Index(fields=["employer", "category"], name="case_employer_category_idx"),
            # The duplicate and open-wage-case checks at intake (``find_duplicates``) find
            # an employer by name or credit code, then name the statuses they look for
            # (open ones, or all but merged and withdrawn) and a date window.
            models.Index(
                fields=["employer_name", "status", "received_at"], name="case_employer_name_idx"
            ),
            models.Index(
                fields=["employer_credit_code", "status", "received_at"],
                name="case_employer_code_idx",
            ),
        ]
        constraints = [
            not_negative("amount_claimed", name="case_amount_claimed_not_negative"),
            not_negative("amount_recovered", name="case_amount_recovered_not_negative"),
            models.CheckConstraint(
                condition=(Q(status="merged") & Q(merged_into__isnull=False))
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="case_merged_into_iff_merged",
            ),
            models.CheckConstraint(
                condition=Q(accept_due__lte=models.F("due_date")),
                name="case_accept_due_before_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        """The case's workbench page (a staff reminder opens it)."""
        return reverse("cases:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # The transitions only move the state; the services do everything else around them.
    accept = StateChange(CaseStatus.NEW, CaseStatus.ACCEPTED)
    refer = StateChange(CaseStatus.ACCEPTED, CaseStatus.REFERRED)
    department_replied = StateChange(CaseStatus.REFERRED, CaseStatus.ACCEPTED)
    escalate = StateChange(ESCALATABLE_STATUSES, CaseStatus.NEW)
    resolve = StateChange(CaseStatus.ACCEPTED, CaseStatus.RESOLVED)
    reopen = StateChange(CaseStatus.RESOLVED, CaseStatus.ACCEPTED)
    close = StateChange(CaseStatus.RESOLVED, CaseStatus.CLOSED)
    merge = StateChange(OPEN_STATUSES, CaseStatus.MERGED)
    withdraw = StateChange(OPEN_STATUSES, CaseStatus.WITHDRAWN)
    refuse = StateChange(CaseStatus.NEW, CaseStatus.REFUSED)


class CaseChildQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "case__organization__path"


class CaseChild(models.Model):
    """What the rows hanging off a case (parties, referrals, supervisions, attachments)
    share: they are in scope, and audited, where their case is. Each declares its own
    foreign key ``case``."""

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_org_path(self) -> str:
        return self.case.organization.path


class CaseParty(CaseChild):
    """A worker concerned by a case; a group case (13 builders owed 11.5 万) has many."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="parties"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("职工"),
        on_delete=models.PROTECT,
        related_name="case_parties",
    )
    role = models.CharField(
        _("身份"), max_length=20, choices=PartyRole.choices, default=PartyRole.APPLICANT
    )

    class Meta:
        verbose_name = verbose_name_plural = _("诉求当事人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="unique_case_party"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.person}"


class CaseEventQuerySet(ScopedQuerySetMixin, TimelineQuerySet):
    scope_path_field = "case__organization__path"


class CaseEvent(TimelineEvent):
    """One entry of a case's timeline (the kernel's ``TimelineEvent``). Written only
    through ``huigong.cases.events``; mediation events stand on their case's timeline."""

    subject_field = "case"
    visibility = CASE_EVENT_VISIBILITY

    @classmethod
    def recipients(cls, subject_ids: set[int]) -> dict[int, list]:
        """The worker accounts of each case's parties (those who follow it on the
        portal), by case id, with their notification preferences: one query."""
        users = (
            get_user_model()
            .objects.filter(
                kind="worker", is_active=True, person__case_parties__case_id__in=subject_ids
            )
            .select_related("notification_preference")
            .annotate(told_of_case=models.F("person__case_parties__case_id"))
        )
        found: dict[int, list] = {}
        for user in users:
            found.setdefault(user.told_of_case, []).append(user)
        return found

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    from_status = models.CharField(
        _("原状态"), max_length=12, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=12, choices=CaseStatus.choices, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta(TimelineEvent.Meta):
        verbose_name = verbose_name_plural = _("办理记录")


class Referral(CaseChild):
    """A case sent to a partner department (转办), with its own response deadline and the
    department's recorded reply."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("协作部门"), on_delete=models.PROTECT, related_name="referrals"
    )
    note = models.TextField(_("转办说明"), blank=True)
    sent_by = user_link(_("转办人"), blank=False)
    sent_at = models.DateTimeField(_("转办时间"), default=timezone.now)
    due_date = models.DateField(_("答复期限"))
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.CharField(
        _("答复人"), max_length=100, blank=True, help_text=_("协作部门人员未必有账号,记录姓名")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.WAITING
    )

    class Meta:
        verbose_name = verbose_name_plural = _("转办")
        ordering = ["sent_at", "id"]
        permissions = [("answer_referral", _("答复转办事项"))]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status="waiting"),
                name="referral_waiting_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department}"


class Supervision(CaseChild):
    """A higher level chasing a case (督办) with a comment the handler must answer."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="supervisions"
    )
    organization = organization_link(_("督办组织"), related_name="+")
    supervised_by = user_link(_("督办人"), blank=False)
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    comment = models.TextField(_("督办意见"))
    due_date = models.DateField(_("回复期限"))
    response = models.TextField(_("回复"), blank=True)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    responded_by = user_link(_("回复人"))
    overdue_notified_at = models.DateTimeField(
        _("逾期提醒时间"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = verbose_name_plural = _("督办")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(responded_at__isnull=True, overdue_notified_at__isnull=True),
                name="supervision_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.organization}"

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None


#: Attachments are stored in the private storage under ``cases/<yyyy>/<mm>/``.
ATTACHMENT_DIR = "cases"
#: The name of a stored attachment: random, so neither the original name nor a guess
#: leads to it.
PRIVATE_ATTACHMENT_NAME = stored_name_pattern(ATTACHMENT_DIR)


def attachment_name(original_name: str, when=None) -> str:
    """``cases/<yyyy>/<mm>/<uuid4 hex><.ext>`` (``kernel.attachments.stored_name``)."""
    return stored_name(ATTACHMENT_DIR, original_name, when)


def attachment_upload_to(instance, filename: str) -> str:
    """Named by migration 0006; the field now uses the kernel's ``upload_to``."""
    return attachment_name(filename)


class Attachment(AttachmentBase, CaseChild):  # noqa: DJ008 (AttachmentBase has it)
    """A file attached to a case (photos, contracts, pay slips): the kernel's attachment
    (``AttachmentBase``), checked and stored by ``services.add_attachment``."""

    upload_dir = ATTACHMENT_DIR

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(AttachmentBase.Meta):
        verbose_name = verbose_name_plural = _("附件")
