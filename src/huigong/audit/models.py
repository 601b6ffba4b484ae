"""The change log and the access log. Rows are written only by ``audit.services`` and are
never edited or deleted from the UI."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from huigong.common.models import user_link
from huigong.kernel.scope import ScopedQuerySetMixin


class AuditQuerySet(ScopedQuerySetMixin, models.QuerySet):
    # The organization path is copied onto the row so that an auditor's scope applies to
    # the log without joining to every domain table (and survives deletions).
    scope_path_field = "org_path"


class ChangeAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class ChangeLog(models.Model):
    """One create/update/delete of a domain object: who, when, which fields old → new."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = user_link(_("操作人"))
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=10, choices=ChangeAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("变更日志")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        permissions = [("view_audit", _("查看审计日志"))]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class RevealReason(models.TextChoices):
    """Why someone looks at protected data: chosen from a list, so the access log can be
    read and counted, with a note where the list does not say enough."""

    VERIFY_IDENTITY = "verify_identity", _("核实本人身份")
    CASE = "case", _("办理诉求或调解")
    ASSISTANCE = "assistance", _("办理帮扶救助")
    MEMBERSHIP = "membership", _("办理入会或会员服务")
    CORRECT_RECORD = "correct_record", _("核对或更正档案")
    OTHER = "other", _("其他(请说明)")


class AccessLog(models.Model):
    """One reveal of protected personal data (full ID number, phone, bank account)."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = user_link(_("查看人"), blank=False)
    actor_name = models.CharField(_("查看人"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    fields = models.CharField(_("字段"), max_length=200)
    reason_code = models.CharField(
        _("查看原因"), max_length=20, choices=RevealReason.choices, blank=True
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, default="web")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_name} → {self.object_repr} ({self.fields})"
