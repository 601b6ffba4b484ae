"""The kernel's own tables. The timeline is an abstract model (``timeline``): each app
keeps its events in its own table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last number given out per kind of document, key and year. Drawn only through
    ``huigong.kernel.numbering.next_number`` (one atomic upsert)."""

    kind = models.CharField(_("单据类型"), max_length=24)
    key = models.CharField(_("编号前缀"), max_length=24, help_text=_("通常是办理单位的编号前缀"))
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "year"], name="kernel_unique_number_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}-{self.year}: {self.last}"
