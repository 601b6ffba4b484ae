"""Authentication: permissions from roles, phone sign-in for workers, API tokens."""

from __future__ import annotations

import datetime

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from huigong.common.crypto import lookup_hash
from huigong.common.text import clean_phone
from huigong.kernel.scope import role_grants

from .models import ApiToken, User, UserKind


class _SessionUserMixin:
    """The signed-in user of each request is read with their notification preferences
    (the bell's unread count leaves out the kinds they muted): one query, not two."""

    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("notification_preference")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class RoleBackend(_SessionUserMixin, ModelBackend):
    """Staff sign in with username and password; their permissions are the union of the
    permissions of the roles they hold anywhere. *Where* they may use them is the data
    scope (``huigong.kernel.scope``), checked by services.

    The roles are read with the scope, in one query per request (``role_grants``): an
    endpoint that checks a permission and then filters by the scope asks once. Only a
    permission no role grants makes Django's own user and group permissions load."""

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return False
        if not user_obj.is_superuser and perm in role_grants(user_obj).by_permission:
            return True
        return super().has_perm(user_obj, perm, obj=obj)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        direct = super().get_all_permissions(user_obj)  # all of them for a superuser
        if user_obj.is_superuser:
            return direct
        return set(role_grants(user_obj).by_permission) | direct


class WorkerPhoneBackend(_SessionUserMixin, ModelBackend):
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
    try:
        # ``get`` on the unique hash: no ORDER BY as ``first()`` would add, on every call.
        token = ApiToken.objects.select_related("user").get(key_hash=ApiToken.hash_key(key))
    except ApiToken.DoesNotExist:
        return None
    if token.is_expired or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
