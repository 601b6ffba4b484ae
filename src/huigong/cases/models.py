"""Worker demands, help requests and rights cases (诉求、求助、维权) and their handling.

A ``Case`` belongs to the organization that handles it (its data scope) and moves through
a small state machine (``CaseStatus``); every move writes a ``CaseEvent`` through the
functions in ``huigong.cases.events``. The rules — who may do what, routing, deadlines in
working days — live in ``huigong.cases.services``; the periodic deadline job in
``huigong.cases.sweep``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from huigong.orgs.scope import ScopedQuerySetMixin

# -- choices ------------------------------------------------------------------------------


class HandlingLevel(models.TextChoices):
    """Which level handles a category by default: small matters stay in the grid
    (小事不出网格), bigger ones in the township, big ones go to the county (大事不出网络)."""

    GRASSROOTS = "grassroots", _("基层(网格)")
    TOWNSHIP = "township", _("乡镇(街道)")
    COUNTY = "county", _("县(区)")


class CaseKind(models.TextChoices):
    DEMAND = "demand", _("诉求")
    HELP = "help", _("求助")
    RIGHTS = "rights", _("维权")
    CONSULTATION = "consultation", _("咨询")
    SUGGESTION = "suggestion", _("建议")


class Complexity(models.TextChoices):
    ORDINARY = "ordinary", _("一般")
    DIFFICULT = "difficult", _("疑难")
    COMPLEX = "complex", _("复杂")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("站点来访")
    HOTLINE = "hotline_12351", _("12351 热线")
    PORTAL = "portal", _("职工门户")
    API = "api", _("小程序/接口")
    GRID_OFFICER = "grid_officer", _("网格员上报")
    DEPUTY_REFERRAL = "deputy_referral", _("代表转交")
    LETTER = "letter", _("来信")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class CaseStatus(models.TextChoices):
    NEW = "new", _("待受理")
    ACCEPTED = "accepted", _("办理中")
    REFERRED = "referred", _("转办待复")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已归档")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")


#: Statuses whose deadline is running (the sweep looks at these only).
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.REFERRED)
#: Statuses from which a case may be escalated to the parent organization.
ESCALATABLE_STATUSES = (CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.RESOLVED)
#: Statuses that end the case for good.
FINAL_STATUSES = (CaseStatus.CLOSED, CaseStatus.MERGED, CaseStatus.WITHDRAWN)


class Outcome(models.TextChoices):
    IN_FAVOUR = "resolved_in_favour", _("诉求得到解决")
    PARTIALLY = "partially", _("部分解决")
    NOT_SUPPORTED = "not_supported", _("诉求不予支持")
    REFERRED_OUT = "referred_out", _("移交仲裁或法院")
    ADVICE_GIVEN = "advice_given", _("已解答或提供建议")
    HELP_GIVEN = "help_given", _("已提供帮扶")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CO_APPLICANT = "co_applicant", _("共同申请人")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("登记受理")
    ROUTED = "routed", _("分派")
    ACCEPTED = "accepted", _("受理")
    NOTE = "note", _("备注")
    CONTACT = "contact", _("联系记录")
    REFERRED = "referred", _("转办")
    DEPARTMENT_REPLIED = "department_replied", _("部门答复")
    ESCALATED = "escalated", _("上报")
    SUPERVISED = "supervised", _("督办")
    SUPERVISION_ANSWERED = "supervision_answered", _("督办回复")
    RESOLVED = "resolved", _("办结")
    RATED = "rated", _("满意度评价")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("归档")
    MERGED = "merged", _("合并")
    REASSIGNED = "reassigned", _("改派")
    WITHDRAWN = "withdrawn", _("撤回")
    MARKED_DUE_SOON = "marked_due_soon", _("即将到期")
    MARKED_OVERDUE = "marked_overdue", _("已逾期")
    ATTACHMENT_ADDED = "attachment_added", _("上传附件")
    MEDIATION_OPENED = "mediation_opened", _("受理调解")
    MEDIATION_SORTED = "mediation_sorted", _("调解分流")
    MEDIATION_SESSION = "mediation_session", _("调解会")
    MEDIATION_AGREEMENT = "mediation_agreement", _("达成调解协议")
    MEDIATION_FAILED = "mediation_failed", _("调解不成")
    MEDIATION_WITHDRAWN = "mediation_withdrawn", _("撤回调解")
    MEDIATION_FOLLOWED_UP = "mediation_followed_up", _("调解回访")
    MEDIATION_FILED = "mediation_filed", _("调解归档")


class DepartmentKind(models.TextChoices):
    LABOUR_INSPECTION = "labour_inspection", _("人社/劳动监察")
    ARBITRATION = "arbitration", _("劳动人事争议仲裁")
    JUSTICE = "justice", _("司法行政")
    COURT = "court", _("人民法院")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    HOUSING = "housing", _("住房和城乡建设")
    POLICE = "police", _("公安")
    HEALTH = "health", _("卫生健康")
    MARKET = "market", _("市场监管")
    OTHER = "other", _("其他部门")


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", _("待答复")
    REPLIED = "replied", _("已答复")
    OVERDUE = "overdue", _("逾期未复")


class NotificationKind(models.TextChoices):
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待受理")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    ESCALATED = "escalated", _("上报到本级")
    SUPERVISED = "supervised", _("被督办")
    REFERRAL_OVERDUE = "referral_overdue", _("转办逾期未复")
    REOPENED = "reopened", _("评价不满意,重新办理")


# -- categories and departments -------------------------------------------------------------


class CaseCategoryQuerySet(MP_NodeQuerySet):
    def active(self):
        return self.filter(is_active=True)


class CaseCategoryManager(MP_NodeManager.from_queryset(CaseCategoryQuerySet)):
    def get_queryset(self):
        return CaseCategoryQuerySet(self.model).order_by("path")


class CaseCategory(MP_Node):
    """A configurable category of demands (欠薪, 工伤, …) with the level that handles it by
    default and its deadlines in working days for each complexity."""

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by = []

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    handling_level = models.CharField(
        _("默认办理层级"),
        max_length=12,
        choices=HandlingLevel.choices,
        default=HandlingLevel.TOWNSHIP,
        help_text=_("小事不出网格,大事不出网络:该类诉求默认由哪一级办理"),
    )
    ordinary_days = models.PositiveSmallIntegerField(_("一般件时限(工作日)"), default=5)
    difficult_days = models.PositiveSmallIntegerField(_("疑难件时限(工作日)"), default=10)
    complex_days = models.PositiveSmallIntegerField(_("复杂件时限(工作日)"), default=20)
    auto_escalate = models.BooleanField(
        _("逾期自动上报"),
        default=True,
        help_text=_("逾期未办结时自动上报上级工会(每级一次);系统设置可整体关闭"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = CaseCategoryManager()

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        constraints = [
            models.CheckConstraint(
                condition=Q(ordinary_days__gte=1)
                & Q(difficult_days__gte=1)
                & Q(complex_days__gte=1),
                name="case_category_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def days_for(self, complexity: str) -> int:
        """The deadline in working days for a case of ``complexity``."""
        return {
            Complexity.ORDINARY: self.ordinary_days,
            Complexity.DIFFICULT: self.difficult_days,
            Complexity.COMPLEX: self.complex_days,
        }[complexity]


class DepartmentQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"

    def active(self):
        return self.filter(is_active=True)

    def usable_at(self, organization):
        """Departments a case at ``organization`` may be referred to: those registered at
        that organization or one of its ancestors (the county's 劳动监察 serves every
        township below it)."""
        steplen = type(organization).steplen
        prefixes = [
            organization.path[:i] for i in range(steplen, len(organization.path) + 1, steplen)
        ]
        return self.filter(organization__path__in=prefixes)


class Department(models.Model):
    """A partner department (人社/劳动监察, 司法, 法院, 民政, …) that cases are referred to,
    registered at the organization whose area it serves."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属组织"),
        on_delete=models.PROTECT,
        related_name="case_departments",
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    response_days = models.PositiveSmallIntegerField(_("答复时限(工作日)"), default=5)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("协作部门")
        verbose_name_plural = _("协作部门")
        ordering = ["organization__path", "name"]
        permissions = [("manage_department", _("管理协作部门"))]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="unique_department_name_per_org"
            ),
            models.CheckConstraint(
                condition=Q(response_days__gte=1), name="department_response_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# -- cases ----------------------------------------------------------------------------------


class CaseNumberSequence(models.Model):
    """The last number given out per prefix and year; locked with ``select_for_update``
    while a case number is drawn so that two intakes never get the same number."""

    prefix = models.CharField(_("前缀"), max_length=10)
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        verbose_name = _("诉求编号序列")
        verbose_name_plural = _("诉求编号序列")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_case_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class CaseQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"

    def visible_to(self, user, perm: str | None = None):
        """The cases in the user's subtrees, plus (for plain viewing) those the user owns
        as first-contact receiver: a case taken in at a station and routed to another
        organization stays visible to its receiver until it is accepted there (首问负责)."""
        from huigong.orgs.scope import scope_q

        q = scope_q(user, self.scope_path_field, perm)
        if q is None:
            return self
        if perm in (None, "cases.view_case") and user is not None and user.is_authenticated:
            q |= Q(owner=user, status=CaseStatus.NEW)
        return self.filter(q)

    def of_worker(self, user):
        """A worker's own cases (portal): those where they are a party or which they
        submitted."""
        if user is None or not user.is_authenticated:
            return self.none()
        q = Q(received_by=user)
        if getattr(user, "person_id", None):
            q |= Q(parties__person_id=user.person_id)
        return self.filter(pk__in=self.model.objects.filter(q).values("pk"))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Case(FSMModelMixin, models.Model):
    """A worker's demand, help request or rights case, owned by the organization that
    handles it. ``status`` only changes through the transitions below, called by the
    services (which also write the timeline and the audit)."""

    province = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("省级组织"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("所在组织树的根,供按省分库"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("办理组织"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    number = models.CharField(_("编号"), max_length=24, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=CaseKind.choices)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases"
    )
    complexity = models.CharField(
        _("复杂程度"), max_length=12, choices=Complexity.choices, default=Complexity.ORDINARY
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    status = FSMField(
        _("状态"),
        max_length=12,
        choices=CaseStatus.choices,
        default=CaseStatus.NEW,
        protected=True,
        db_index=True,
    )
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
    employer = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("用人单位(已建会)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employer_cases",
    )
    employer_name = models.CharField(_("用人单位"), max_length=200, blank=True)
    employer_credit_code = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True)
    amount_claimed = models.DecimalField(
        _("涉及金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_recovered = models.DecimalField(
        _("追回金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    workers_benefited = models.PositiveIntegerField(_("受益职工人数"), null=True, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    received_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_received",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_owned",
        help_text=_("首问负责:受理前为首问登记人,受理后为受理人"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_assigned",
    )
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
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("上报次数"), default=0)
    is_overdue = models.BooleanField(_("已逾期"), default=False)
    overdue_marked_at = models.DateTimeField(_("首次逾期时间"), null=True, blank=True)
    due_soon = models.BooleanField(_("即将到期"), default=False)
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
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
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
            models.Index(fields=["organization", "status"], name="case_org_status_idx"),
            models.Index(fields=["employer", "category"], name="case_employer_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_claimed__isnull=True) | Q(amount_claimed__gte=0),
                name="case_amount_claimed_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__isnull=True) | Q(amount_recovered__gte=0),
                name="case_amount_recovered_not_negative",
            ),
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

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # The transitions only move the state; the services do everything else around them.

    @transition(field=status, source=CaseStatus.NEW, target=CaseStatus.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.ACCEPTED, target=CaseStatus.REFERRED)
    def refer(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.REFERRED, target=CaseStatus.ACCEPTED)
    def department_replied(self) -> None:
        pass

    @transition(field=status, source=list(ESCALATABLE_STATUSES), target=CaseStatus.NEW)
    def escalate(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.ACCEPTED, target=CaseStatus.RESOLVED)
    def resolve(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.RESOLVED, target=CaseStatus.ACCEPTED)
    def reopen(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.RESOLVED, target=CaseStatus.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATUSES), target=CaseStatus.MERGED)
    def merge(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATUSES), target=CaseStatus.WITHDRAWN)
    def withdraw(self) -> None:
        pass


class CasePartyQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "case__organization__path"


class CaseParty(models.Model):
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

    objects = CasePartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求当事人")
        verbose_name_plural = _("诉求当事人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="unique_case_party"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.person}"

    def audit_org_path(self) -> str:
        return self.case.organization.path


class CaseEventQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "case__organization__path"


class CaseEvent(models.Model):
    """One entry of a case's timeline. Written only through ``huigong.cases.events``."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("为空表示系统"),
    )
    time = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(
        _("原状态"), max_length=12, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=12, choices=CaseStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class ReferralQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "case__organization__path"


class Referral(models.Model):
    """A case sent to a partner department (转办), with its own response deadline and the
    department's recorded reply."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("协作部门"), on_delete=models.PROTECT, related_name="referrals"
    )
    note = models.TextField(_("转办说明"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("转办")
        verbose_name_plural = _("转办")
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status="waiting"),
                name="referral_waiting_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department}"

    def audit_org_path(self) -> str:
        return self.case.organization.path


class SupervisionQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "case__organization__path"


class Supervision(models.Model):
    """A higher level chasing a case (督办) with a comment the handler must answer."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="supervisions"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("督办组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    comment = models.TextField(_("督办意见"))
    due_date = models.DateField(_("回复期限"))
    response = models.TextField(_("回复"), blank=True)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.organization}"

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None

    def audit_org_path(self) -> str:
        return self.case.organization.path


class AttachmentQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "case__organization__path"


class Attachment(models.Model):
    """A file attached to a case (photos, contracts, pay slips); size and type are checked
    by ``services.add_attachment``."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def audit_org_path(self) -> str:
        return self.case.organization.path


# -- notifications ----------------------------------------------------------------------------


class CaseNotification(models.Model):
    """Something a user should hear about a case; collected into one daily digest per user
    (``sweep.send_daily_digests``) instead of one message per event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="case_notifications",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    sent_in_digest_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("诉求提醒")
        verbose_name_plural = _("诉求提醒")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(sent_in_digest_at__isnull=True),
                name="case_notification_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()}"


class CaseDigest(models.Model):
    """The daily digest sent to one user on one day; the unique pair guarantees one
    message per user per day even with two workers sending at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="case_digests",
    )
    day = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    notification_count = models.PositiveIntegerField(_("提醒条数"), default=0)

    class Meta:
        verbose_name = _("每日提醒摘要")
        verbose_name_plural = _("每日提醒摘要")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="unique_case_digest_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


# -- mediation (劳动争议调解) ----------------------------------------------------------------------


class MediationStatus(models.TextChoices):
    INTAKE = "intake", _("受理")
    SORTING = "sorting", _("分流")
    IN_SESSION = "in_session", _("调解中")
    AGREEMENT = "agreement", _("达成协议")
    NO_AGREEMENT = "no_agreement", _("调解不成")
    WITHDRAWN = "withdrawn", _("撤回")
    FOLLOWED_UP = "followed_up", _("已回访")
    FILED = "filed", _("已归档")


#: A case has at most one mediation in these states at a time.
ACTIVE_MEDIATION_STATUSES = (
    MediationStatus.INTAKE,
    MediationStatus.SORTING,
    MediationStatus.IN_SESSION,
    MediationStatus.AGREEMENT,
    MediationStatus.NO_AGREEMENT,
    MediationStatus.FOLLOWED_UP,
)


class MediationTeam(models.TextChoices):
    MEDIATION_TEAM = "mediation_team", _("劳动关系调解队")
    LAWYER_VOLUNTEERS = "lawyer_volunteers", _("职工维权律师志愿者")
    STATION = "station", _("服务站调解员")
    OTHER = "other", _("其他")


class ReferredTo(models.TextChoices):
    ARBITRATION = "arbitration", _("劳动人事争议仲裁")
    COURT = "court", _("人民法院")
    NONE = "none", _("不再移交")


class Performance(models.TextChoices):
    YES = "yes", _("已履行")
    PARTLY = "partly", _("部分履行")
    NO = "no", _("未履行")


class MediationQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"


class Mediation(FSMModelMixin, models.Model):
    """A labour-dispute mediation opened from a case (受理 → 分流 → 调解 → 协议/不成 → 回访
    → 归档). The applicants are the case's parties; the scope is the case's handling
    organization at opening. ``status`` only changes through ``huigong.cases.services.mediation``."""

    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="mediations"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("调解组织"),
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    number = models.CharField(_("调解编号"), max_length=24, unique=True)
    status = FSMField(
        _("状态"),
        max_length=12,
        choices=MediationStatus.choices,
        default=MediationStatus.INTAKE,
        protected=True,
        db_index=True,
    )
    team = models.CharField(_("调解队伍"), max_length=20, choices=MediationTeam.choices, blank=True)
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("调解员"), blank=True, related_name="mediations"
    )
    respondent = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("被申请人(已建会单位)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="respondent_mediations",
    )
    respondent_name = models.CharField(_("被申请人"), max_length=200)
    respondent_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    respondent_representative = models.CharField(
        _("法定代表人或委托代理人"), max_length=50, blank=True
    )
    claims = models.TextField(_("申请调解事项"), blank=True)
    agreement_terms = models.TextField(_("协议内容"), blank=True)
    agreement_amount = models.DecimalField(
        _("协议金额(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    performance_due = models.DateField(_("履行期限"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("达成协议时间"), null=True, blank=True)
    referred_to = models.CharField(
        _("引导去向"), max_length=12, choices=ReferredTo.choices, blank=True
    )
    result_note = models.TextField(_("调解结果说明"), blank=True)
    performed = models.CharField(
        _("履行情况"), max_length=8, choices=Performance.choices, blank=True
    )
    performed_at = models.DateField(_("履行日期"), null=True, blank=True)
    follow_up_note = models.TextField(_("回访记录"), blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("调解终结时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    objects = MediationQuerySet.as_manager()

    class Meta:
        verbose_name = _("劳动争议调解")
        verbose_name_plural = _("劳动争议调解")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(
                    status__in=[
                        "intake",
                        "sorting",
                        "in_session",
                        "agreement",
                        "no_agreement",
                        "followed_up",
                    ]
                ),
                name="unique_active_mediation_per_case",
            ),
            models.CheckConstraint(
                condition=Q(agreement_amount__isnull=True) | Q(agreement_amount__gte=0),
                name="mediation_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_MEDIATION_STATUSES

    @transition(field=status, source=MediationStatus.INTAKE, target=MediationStatus.SORTING)
    def sort(self) -> None:
        pass

    @transition(
        field=status,
        source=[MediationStatus.SORTING, MediationStatus.IN_SESSION],
        target=MediationStatus.IN_SESSION,
    )
    def hold_session(self) -> None:
        pass

    @transition(field=status, source=MediationStatus.IN_SESSION, target=MediationStatus.AGREEMENT)
    def agree(self) -> None:
        pass

    @transition(
        field=status,
        source=[MediationStatus.SORTING, MediationStatus.IN_SESSION],
        target=MediationStatus.NO_AGREEMENT,
    )
    def fail(self) -> None:
        pass

    @transition(
        field=status,
        source=[MediationStatus.INTAKE, MediationStatus.SORTING, MediationStatus.IN_SESSION],
        target=MediationStatus.WITHDRAWN,
    )
    def withdraw(self) -> None:
        pass

    @transition(field=status, source=MediationStatus.AGREEMENT, target=MediationStatus.FOLLOWED_UP)
    def follow_up(self) -> None:
        pass

    @transition(
        field=status,
        source=[MediationStatus.FOLLOWED_UP, MediationStatus.NO_AGREEMENT],
        target=MediationStatus.FILED,
    )
    def file(self) -> None:
        pass


class MediationSessionQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "mediation__organization__path"


class MediationSession(models.Model):
    """One mediation meeting (调解会): when, where, who attended and the minutes."""

    mediation = models.ForeignKey(
        Mediation, verbose_name=_("调解"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("地点"), max_length=200)
    attendees = models.TextField(_("参加人员"))
    minutes = models.TextField(_("调解笔录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = MediationSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("调解会")
        verbose_name_plural = _("调解会")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.mediation.number} {self.held_at:%Y-%m-%d}"

    def audit_org_path(self) -> str:
        return self.mediation.organization.path
