"""What the inbox shows: the user's own notifications only (there is no other scope —
a notification belongs to its recipient), a page at a time, in the reader's words."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404

from huigong.kernel.models import Notification
from huigong.kernel.notices import inbox, messages, unread_count

PAGE_SIZE = 20

__all__ = ["PAGE_SIZE", "inbox_page", "own_notification_or_404", "unread_count"]


def inbox_page(user, *, page: str | int | None = 1, unread_only: bool = False):
    """A page of the user's inbox (``page.object_list`` holds ``Message`` rows)."""
    rows = inbox(user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    found = Paginator(rows, PAGE_SIZE).get_page(page)
    found.object_list = messages(found.object_list)
    return found


def own_notification_or_404(user, pk: int) -> Notification:
    found = Notification.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise Http404
    return found
