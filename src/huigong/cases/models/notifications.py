"""Notifications waiting for the daily digest, and the digests sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import (
    Case,
)
from .choices import (
    NotificationKind,
)

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
