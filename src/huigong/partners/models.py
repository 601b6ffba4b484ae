"""Partner departments and their kinds. A department is registered at the organization
whose area it serves and is usable by that organization's whole subtree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.orgs.models import organization_link


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


class DepartmentQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"

    def active(self):
        return self.filter(is_active=True)

    def usable_at(self, organization):
        """Departments a matter at ``organization`` may go to: those registered at that
        organization or one of its ancestors (the county's 劳动监察 serves every township
        below it)."""
        steplen = type(organization).steplen
        prefixes = [
            organization.path[:i] for i in range(steplen, len(organization.path) + 1, steplen)
        ]
        return self.filter(organization__path__in=prefixes)


class Department(models.Model):
    """A partner department (人社/劳动监察, 司法, 法院, 民政, …) that the union refers
    matters to, registered at the organization whose area it serves."""

    organization = organization_link(_("所属组织"), related_name="partner_departments")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    response_days = models.PositiveSmallIntegerField(_("答复时限(工作日)"), default=5)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("部门账号"),
        blank=True,
        related_name="partner_departments",
        help_text=_("可登录工作台答复转办事项的部门人员(协作部门角色)"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        # The table was created by ``cases`` (0001) and keeps its name, so moving the
        # model here (partners 0001, cases 0008) changed no data.
        db_table = "cases_department"
        verbose_name = verbose_name_plural = _("协作部门")
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
