"""How django-axes names a sign-in attempt (``AXES_USERNAME_CALLABLE``), and when it
locks an address that tries many names (``AXES_HANDLER``).

Staff sign in with a username, workers with a phone number. Axes counts failures per
name and IP address, and on success resets the failures of ``user.get_username()``; so a
worker's phone is mapped to the worker's username, and an unknown phone to a keyed hash
of it (axes keeps attempt names in clear, and phone numbers are protected data).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from huigong.common.crypto import lookup_hash
from huigong.common.text import clean_phone


def worker_attempt_name(phone: str) -> str:
    """The name axes counts a worker's phone sign-in attempts under."""
    from .models import User, UserKind

    phone_hash = lookup_hash(clean_phone(phone))
    username = (
        User.objects.filter(phone_hash=phone_hash, kind=UserKind.WORKER)
        .values_list("username", flat=True)
        .first()
    )
    return username or f"phone:{phone_hash[:32]}"


def attempt_name(request, credentials: dict | None) -> str | None:
    credentials = credentials or {}
    if credentials.get("username"):
        return str(credentials["username"])
    phone = credentials.get("phone")
    data = getattr(request, "POST", None) or {}
    if not phone and not credentials:
        if data.get("username"):
            return str(data["username"])
        phone = data.get("phone")
    if phone:
        return worker_attempt_name(str(phone))
    return None


def client_address(request) -> str | None:
    """The address a sign-in attempt came from (``AXES_CLIENT_IP_CALLABLE``).

    Each of the ``PROXY_COUNT`` trusted proxies appends the address it received the
    request from to X-Forwarded-For, so the client is the entry that many places from
    the right; anything further left was written by the client and is not trusted."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if not count:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    return hops[-count] if len(hops) >= count else remote


class AddressAwareHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, looser limit per address.

    Axes counts failures per name *and* address (``AXES_LOCKOUT_PARAMETERS``) against one
    limit, which stops guessing one password but not password spraying: one address
    trying one password against hundreds of names never fails twice on any of them. So
    an address is also locked once its failures over all names, within the cool-off time,
    reach ``AXES_ADDRESS_FAILURE_LIMIT``; that limit is higher than the per-name one, so
    that a station's shared office connection is not locked by a few mistyped passwords.
    """

    def address_failures(self, request) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        cooloff = get_cool_off(request)
        if cooloff:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Axes flags a request as locked only when the per-name count reaches its
            # limit; flag this one ourselves so its middleware answers with the lock page.
            request.axes_address_locked = True
            request.axes_locked_out = True
            return True
        return False
