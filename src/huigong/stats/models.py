"""Materialized indicator values (rollups) and the rollup's own bookkeeping, written only
by ``stats.rollups``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.orgs.models import organization_link


class IndicatorSnapshotQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"


class IndicatorSnapshot(models.Model):
    """The value of one indicator (or one part of its breakdown) for an organization's
    whole subtree in one period (``value``), and the part of it counted at the
    organization itself (``own``), for every organization, leaves included.

    Rows are sparse: a value that is 0 is not stored. A missing row means 0 only for a
    period listed in ``RollupPeriod`` (which says the snapshots of that period cover the
    whole tree); the incremental rollup adds differences of ``own`` to ``value`` up the
    tree, so ``own`` is what it compares with.
    """

    # No index of its own: the unique constraint's starts with it.
    organization = organization_link(
        _("组织"), related_name="indicator_snapshots", on_delete=models.CASCADE, db_index=False
    )
    key = models.CharField(_("指标"), max_length=80)
    part = models.CharField(_("分项"), max_length=40, blank=True)
    period = models.CharField(_("统计周期"), max_length=10)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=2)
    own = models.DecimalField(_("本级数值"), max_digits=20, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = IndicatorSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("指标快照")
        constraints = [
            # Its index is the table's only one, and serves every read: an organization's
            # (or its children's) rows of some indicators in some periods — the dashboard
            # and the rollup alike — and the deletions cascading from an organization.
            models.UniqueConstraint(
                fields=["organization", "key", "period", "part"], name="unique_indicator_snapshot"
            ),
        ]

    def __str__(self) -> str:
        part = f"[{self.part}]" if self.part else ""
        return f"{self.key}{part} {self.period} = {self.value}"


class RollupPeriod(models.Model):
    """A period whose snapshots cover every organization: its figures are those of the
    domain tables at ``as_of`` (what the dashboard shows as "数据更新于")."""

    period = models.CharField(_("统计周期"), max_length=10, unique=True)
    as_of = models.DateTimeField(_("数据截至"))

    class Meta:
        verbose_name = verbose_name_plural = _("汇总周期")

    def __str__(self) -> str:
        return f"{self.period} @ {self.as_of:%Y-%m-%d %H:%M}"


class RollupState(models.Model):
    """What the last rollup saw at one organization: its place in the tree, a fingerprint
    of the rows attached to it in each table the indicators read (row count and latest
    change), and how many rows of each table its subtree holds (the measured size that
    decides whether a dashboard computes live).

    ``organization_id`` is deliberately not a foreign key: the row outlives a deleted
    organization, which is how the next rollup notices that the tree lost a node.
    """

    organization_id = models.BigIntegerField(_("组织"), unique=True)
    path = models.CharField(_("路径"), max_length=255)
    fingerprints = models.JSONField(_("本级数据指纹"), default=dict)
    subtree_rows = models.JSONField(_("下级数据行数"), default=dict)

    class Meta:
        verbose_name = verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.path}"


class RollupMode(models.TextChoices):
    FULL = "full", _("全量")
    INCREMENTAL = "incremental", _("增量")
    PERIODS = "periods", _("指定周期")


class RollupRun(models.Model):
    """One run of the rollup, for operators and as a lock: each run continues the one
    before it (``based_on``, unique), so two runs started together cannot both apply
    their changes — the second one's insert fails and it writes nothing."""

    mode = models.CharField(_("方式"), max_length=12, choices=RollupMode.choices)
    based_on = models.BigIntegerField(_("接续"), unique=True)
    reason = models.CharField(_("原因"), max_length=60, blank=True)
    periods = models.TextField(_("统计周期"), blank=True)
    as_of = models.DateTimeField(_("数据截至"))
    organizations = models.PositiveIntegerField(_("重算组织数"), default=0)
    rows_written = models.PositiveIntegerField(_("写入行数"), default=0)
    seconds = models.FloatField(_("用时(秒)"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("汇总记录")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.as_of:%Y-%m-%d %H:%M}"
