"""The kernel's own tables: number sequences, the notification outbox and the digests
sent. The timeline and attachments are abstract models (``timeline``, ``attachments``):
each app keeps those rows in its own tables."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """One sequence of document numbers per kind of document, key and year, drawn only
    through ``huigong.kernel.numbering.next_number``. On SQLite ``last`` is the last number
    given out (one atomic upsert per draw); on PostgreSQL the row registers the database
    ``SEQUENCE`` that gives the numbers (``kernel_number_<id>``) and ``last`` is only a
    floor below them (``numbering.last_number`` reads the current value)."""

    kind = models.CharField(_("单据类型"), max_length=24)
    key = models.CharField(_("编号前缀"), max_length=24, help_text=_("通常是办理单位的编号前缀"))
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("编号序列")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "year"], name="kernel_unique_number_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}-{self.year}: {self.last}"


class Notification(models.Model):
    """Something a user should hear about an object (its ``subject``), waiting in the
    outbox. Written only through ``huigong.kernel.notifications.notify``; sent as one
    daily digest per user (``send_daily_digests``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("类型"), max_length=40)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    sent_in_digest_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("提醒")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(sent_in_digest_at__isnull=True),
                name="kernel_notification_unsent_idx",
            ),
            models.Index(fields=["content_type", "object_id"], name="kernel_notification_subj_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"


class Digest(models.Model):
    """The daily digest sent to one user on one day; the unique pair guarantees one
    message per user per day even with two workers sending at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="digests",
    )
    day = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    notification_count = models.PositiveIntegerField(_("提醒条数"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("每日提醒摘要")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="kernel_unique_digest_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
