"""The kernel's own tables: number sequences, the notification outbox (the in-app inbox),
its deliveries through other channels, each user's preferences and the digests sent. The timeline and attachments are abstract models (``timeline``, ``attachments``):
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
    outbox and the user's inbox. Written only through ``huigong.kernel.notifications.notify``;
    shown in the inbox (the workbench's bell, the portal's 消息), sent to staff as one daily
    digest (``send_daily_digests``) and to workers through their channels (``Delivery``)."""

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
    #: What the message needs beyond its subject (a reason, a date), kept as data so
    #: that the text is written in the reader's language when it is read or sent.
    data = models.JSONField(_("数据"), default=dict, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

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
            models.Index(
                fields=["user", "created_at"],
                condition=Q(read_at__isnull=True),
                name="kernel_notification_unread_idx",
            ),
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


class Channel(models.TextChoices):
    """Where a notification is delivered besides the in-app inbox (which always holds
    it). Each channel is a seam (``kernel.channels``) with a test double."""

    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信服务通知")


class NotificationPreference(models.Model):
    """How one user wants to be told: the delivery channels, the quiet hours during
    which nothing is sent (a message falling there waits for their end), the kinds they
    muted, whether staff get the daily e-mail digest, and the language of messages sent
    outside the site. A user without a row has the defaults (``preference_for``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    channels = models.JSONField(_("接收渠道"), default=list, blank=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    muted_kinds = models.JSONField(_("不接收的提醒"), default=list, blank=True)
    email_digest = models.BooleanField(_("每日邮件摘要"), default=True)
    wechat_openid = models.CharField(
        _("微信 OpenID"),
        max_length=64,
        blank=True,
        help_text=_("职工在小程序或公众号授权订阅后由接口写入"),
    )
    language = models.CharField(_("消息语言"), max_length=10, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("提醒设置")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    GAVE_UP = "gave_up", _("已放弃")


class Delivery(models.Model):
    """One notification sent (or to be sent) through one channel. The pair is unique,
    so a notification reaches a channel at most once however often delivery runs; a
    run claims a row (``pending``/``failed`` → ``sending``) with a compare-and-set
    update before it calls the channel, and records every attempt's outcome."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    due_at = models.DateTimeField(_("计划发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    provider_ref = models.CharField(_("渠道回执"), max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("提醒发送记录")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="kernel_unique_delivery_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["pending", "failed", "sending"]),
                name="kernel_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"
