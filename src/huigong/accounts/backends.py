"""Authentication: permissions from roles, phone sign-in for workers, API tokens."""

from __future__ import annotations

import datetime

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.utils import timezone

from huigong.common.crypto import lookup_hash
from huigong.common.text import clean_phone

from .models import ApiToken, User, UserKind


class RoleBackend(ModelBackend):
    """Staff sign in with username and password; their permissions are the union of the
    permissions of the roles they hold anywhere. *Where* they may use them is the data
    scope (``huigong.kernel.scope``), checked by services."""

    def _get_role_permissions(self, user_obj):
        return Permission.objects.filter(role__assignments__in=user_obj.assignments.active())

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            perms = (
                self._get_role_permissions(user_obj)
                .values_list("content_type__app_label", "codename")
                .distinct()
            )
            user_obj._role_perm_cache = {f"{ct}.{name}" for ct, name in perms}
            user_obj._role_perm_cache |= super().get_all_permissions(user_obj)
        return user_obj._role_perm_cache


class WorkerPhoneBackend(ModelBackend):
    """Workers sign in on the portal with their phone number and password."""

    def authenticate(self, request, phone=None, password=None, **kwargs):
        if not phone or not password:
            return None
        phone = clean_phone(phone)
        try:
            user = User.objects.get(phone_hash=lookup_hash(phone), kind=UserKind.WORKER)
        except User.DoesNotExist:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


#: ``last_used_at`` is refreshed at most this often, so API reads do not all write.
_TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=5)


def authenticate_api_key(key: str | None) -> ApiToken | None:
    """The unexpired API token ``key`` of an active user (with ``user`` loaded), or None.
    For the API's bearer authentication; the key itself is never stored, only its hash."""
    if not key or not key.startswith("hg_") or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or token.is_expired or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
