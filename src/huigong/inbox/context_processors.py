"""The unread count for the bell (workbench) and the 消息 tab (portal), read only by
the templates that show it."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from huigong.kernel.notices import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
