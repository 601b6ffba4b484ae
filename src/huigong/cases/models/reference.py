"""Reference data: the configurable category tree. (Partner departments live in
``huigong.partners``.)"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from .choices import (
    Complexity,
    HandlingLevel,
)

# -- categories -------------------------------------------------------------------------


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
        verbose_name = verbose_name_plural = _("诉求类别")
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


# -- refusal reasons ----------------------------------------------------------------------


class RefusalReason(models.Model):
    """A configurable reason for not accepting a case (不予受理), chosen at intake with a
    written explanation; the worker is told both."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = verbose_name_plural = _("不予受理理由")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name
