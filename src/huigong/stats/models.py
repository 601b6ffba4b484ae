"""Materialized indicator values (rollups), written only by ``stats.services``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.orgs.models import organization_link


class IndicatorSnapshotQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"


class IndicatorSnapshot(models.Model):
    """The value of one indicator (or one part of its breakdown) for an organization's
    whole subtree in one period, as computed at ``computed_at``.

    Only organizations with children are rolled up: a leaf's figures are a cheap live
    query, and leaves are most of the tree.
    """

    organization = organization_link(
        _("组织"), related_name="indicator_snapshots", on_delete=models.CASCADE
    )
    key = models.CharField(_("指标"), max_length=80)
    part = models.CharField(_("分项"), max_length=40, blank=True)
    period = models.CharField(_("统计周期"), max_length=10)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=2)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = IndicatorSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "part", "period"], name="unique_indicator_snapshot"
            ),
        ]
        indexes = [models.Index(fields=["period", "computed_at"])]

    def __str__(self) -> str:
        part = f"[{self.part}]" if self.part else ""
        return f"{self.key}{part} {self.period} = {self.value}"
