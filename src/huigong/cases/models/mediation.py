"""Labour-dispute mediation (劳动争议调解): the mediation of a case and its sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin

from huigong.common.models import StateChange, not_negative, state_field, user_link
from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.orgs.models import employer_link, organization_link

from .case import (
    Case,
)

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
    organization = organization_link(_("调解组织"), related_name="mediations")
    number = models.CharField(_("调解编号"), max_length=24, unique=True)
    status = state_field(MediationStatus, MediationStatus.INTAKE)
    team = models.CharField(_("调解队伍"), max_length=20, choices=MediationTeam.choices, blank=True)
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("调解员"), blank=True, related_name="mediations"
    )
    respondent = employer_link(_("被申请人(已建会单位)"), related_name="respondent_mediations")
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
    opened_by = user_link(_("受理人"))
    opened_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("调解终结时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    objects = MediationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("劳动争议调解")
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
            not_negative("agreement_amount", name="mediation_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_MEDIATION_STATUSES

    sort = StateChange(MediationStatus.INTAKE, MediationStatus.SORTING)
    hold_session = StateChange(
        [MediationStatus.SORTING, MediationStatus.IN_SESSION], MediationStatus.IN_SESSION
    )
    agree = StateChange(MediationStatus.IN_SESSION, MediationStatus.AGREEMENT)
    fail = StateChange(
        [MediationStatus.SORTING, MediationStatus.IN_SESSION], MediationStatus.NO_AGREEMENT
    )
    withdraw = StateChange(
        [MediationStatus.INTAKE, MediationStatus.SORTING, MediationStatus.IN_SESSION],
        MediationStatus.WITHDRAWN,
    )
    follow_up = StateChange(MediationStatus.AGREEMENT, MediationStatus.FOLLOWED_UP)
    file = StateChange(
        [MediationStatus.FOLLOWED_UP, MediationStatus.NO_AGREEMENT], MediationStatus.FILED
    )


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
    recorded_by = user_link(_("记录人"), blank=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = MediationSessionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("调解会")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.mediation.number} {self.held_at:%Y-%m-%d}"

    def audit_org_path(self) -> str:
        return self.mediation.organization.path
