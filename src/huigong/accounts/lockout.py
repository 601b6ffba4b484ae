"""How django-axes names a sign-in attempt (``AXES_USERNAME_CALLABLE``).

Staff sign in with a username, workers with a phone number. Axes counts failures per
name and IP address, and on success resets the failures of ``user.get_username()``; so a
worker's phone is mapped to the worker's username, and an unknown phone to a keyed hash
of it (axes keeps attempt names in clear, and phone numbers are protected data).
"""

from __future__ import annotations

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
