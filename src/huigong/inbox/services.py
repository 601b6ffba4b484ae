"""The inbox's writes: marking read, and saving a user's notification preferences."""

from __future__ import annotations

from django.db import transaction

from huigong.kernel.models import Notification, NotificationPreference
from huigong.kernel.notices import mark_read, message_in, preference_for

__all__ = ["mark_read", "open_notification", "save_preferences"]


def open_notification(user, notification: Notification) -> str:
    """Mark the user's notification read; returns the page it leads to ("" if none)."""
    mark_read(user, [notification.pk])
    message = message_in(notification, "")
    return message.url if message else ""


@transaction.atomic
def save_preferences(user, values: dict) -> NotificationPreference:
    """Save the cleaned values of the preferences form for ``user``."""
    preference = preference_for(user)
    for name, value in values.items():
        setattr(preference, name, value)
    preference.user = user
    preference.save()
    return preference
