"""Users, roles and role assignments (who may do what, where).

A *role* is a named set of Django permissions configured in admin. A *role assignment*
gives a user a role at one organization; it covers that organization's whole subtree.
The union of a user's assignments is their data scope (``huigong.kernel.scope``).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huigong.common.crypto import EncryptedTextField, lookup_hash, mask_phone
from huigong.common.text import clean_phone
from huigong.orgs.models import organization_link


class UserKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    WORKER = "worker", _("职工")


class User(AbstractUser):
    """A login. Staff act through role assignments; workers use the portal."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    kind = models.CharField(
        _("账号类型"), max_length=10, choices=UserKind.choices, default=UserKind.STAFF
    )
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("职工档案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    def save(self, *args, **kwargs):
        self.phone = clean_phone(self.phone)
        self.phone_hash = lookup_hash(self.phone) if self.phone else None
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_hash"}
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_worker(self) -> bool:
        return self.kind == UserKind.WORKER

    def audit_org_path(self) -> str:
        """Where this account's audit entries belong: a worker's union, or the highest
        organization where a staff user holds a role (so the auditors there see them)."""
        if self.person_id is not None:
            return self.person.organization.path
        paths = self.assignments.values_list("organization__path", flat=True)
        return min(paths, key=len, default="")


class Role(models.Model):
    """A named set of permissions, e.g. 乡镇工会干部 or 财务人员."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("权限"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("角色")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self):
        today = timezone.localdate()
        return self.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today))


class RoleAssignment(models.Model):
    """``user`` holds ``role`` at ``organization`` and everything below it."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="assignments"
    )
    organization = organization_link(_("组织"), related_name="assignments")
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"], name="unique_role_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.organization}"


class TokenScope(models.TextChoices):
    """What an API token may do: read only (GET), or read and write."""

    READ = "read", _("只读")
    WRITE = "write", _("读写")


class ApiToken(models.Model):
    """A bearer token for API clients (mini-program, integrations). Only its hash is kept.
    Every token has a scope and an expiry date: a forgotten read-only token of a reporting
    script can neither change data nor stay valid for ever."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"))
    scope = models.CharField(
        _("权限范围"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )

    class Meta:
        verbose_name = verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_org_path(self) -> str:
        return self.user.audit_org_path()

    @property
    def is_expired(self) -> bool:
        """Past its own expiry date, or older than the longest lifetime allowed now (so
        lowering ``API_TOKEN_MAX_DAYS`` also shortens the tokens already issued)."""
        now = timezone.now()
        limit = datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        return self.expires_at <= now or (
            self.created_at is not None and self.created_at + limit <= now
        )

    def allows(self, method: str) -> bool:
        """May this token make a request with this HTTP method?"""
        return self.scope == TokenScope.WRITE or method in {"GET", "HEAD", "OPTIONS"}

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user: User, name: str, *, scope: str = TokenScope.READ, expires_at=None
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with its plain key (shown once, never stored).
        Without ``expires_at`` it lives for the longest lifetime allowed
        (``API_TOKEN_MAX_DAYS``)."""
        key = "hg_" + secrets.token_urlsafe(32)
        if expires_at is None:
            expires_at = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[3:11],
            key_hash=cls.hash_key(key),
            expires_at=expires_at,
            scope=scope,
        )
        return token, key


class PhoneCodePurpose(models.TextChoices):
    SIGNUP = "signup", _("注册")
    RESET = "reset", _("找回密码")


class PhoneCode(models.Model):
    """A one-time SMS verification code for worker sign-up and password reset. Only a keyed
    hash of the code is kept; the newest code of a phone and purpose is the one that counts."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=20, choices=PhoneCodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("短信验证码")

    def __str__(self) -> str:
        return f"{self.purpose} code, expires {self.expires_at:%Y-%m-%d %H:%M}"
