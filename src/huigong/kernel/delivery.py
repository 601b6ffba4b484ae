"""Deliveries: a notification sent to a user's phone or WeChat besides their inbox.

``queue_deliveries`` (called by ``notifications.tell``) writes one ``Delivery`` per
notification and channel the recipient chose and has an address on, due now or, inside
the recipient's quiet hours, when they end; once the transaction commits it asks a worker
to deliver. ``deliver_due`` (that task, and a registered job every minute for retries)
claims each due row with a compare-and-set update — ``pending``/``failed`` → ``sending``,
the attempt counted — so two workers never send the same row; it records the outcome:
``sent``, or ``failed`` with the error and a later due time (1 min, 5 min, 30 min, 2 h),
or ``gave_up`` after the last attempt. The unique (notification, channel) pair keeps a
notification from reaching a channel twice.

A worker killed between claiming and recording leaves a ``sending`` row; after
``STALE_CLAIM`` it is claimed again. The backend gets the delivery's own key each time,
so a provider that deduplicates by key sends it once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .channels import CHANNELS, Outgoing
from .models import Delivery, DeliveryStatus, Notification, NotificationPreference
from .notices import default_preference, message_in, preference_for, preference_loaded

#: Seconds to wait after the n-th failed attempt; one attempt more than the list ends it.
BACKOFF = (60, 300, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: A claim older than this was left by a worker that died while sending.
STALE_CLAIM = datetime.timedelta(minutes=10)
DELIVER_TASK = "huigong.kernel.deliver_notifications"


def after_quiet_hours(
    now: datetime.datetime, start: datetime.time | None, end: datetime.time | None
) -> datetime.datetime:
    """``now``, or the end of the quiet hours ``start``–``end`` (local time; the span may
    pass midnight) when ``now`` falls inside them."""
    if start is None or end is None or start == end:
        return now
    local = timezone.localtime(now)
    moment = local.time()
    quiet = start <= moment < end if start < end else (moment >= start or moment < end)
    if not quiet:
        return now
    day = local.date() if moment < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end), local.tzinfo)


def queue_deliveries(notifications: Iterable[Notification]) -> list[Delivery]:
    """One delivery per notification and channel its recipient chose and can be reached
    on (a kind they muted goes nowhere); after the commit, a worker is asked to send."""
    notifications = list(notifications)
    if not notifications:
        return []
    users = {n.user_id: n.user for n in notifications}
    saved = {}
    unread = []  # users whose preferences were not loaded with them
    for user in users.values():
        if preference_loaded(user):
            saved[user.pk] = preference_for(user)
        else:
            unread.append(user.pk)
    if unread:
        saved |= {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=unread)}
    now = timezone.now()
    rows = []
    for n in notifications:
        preference = saved.get(n.user_id) or default_preference(users[n.user_id])
        if n.kind in (preference.muted_kinds or []):
            continue
        due = after_quiet_hours(now, preference.quiet_start, preference.quiet_end)
        for code in preference.channels or []:
            channel = CHANNELS.get(code)
            address = channel.address(users[n.user_id], preference) if channel else ""
            if address:
                rows.append(Delivery(notification=n, channel=code, due_at=due))
    Delivery.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(_ask_worker)
    return rows


def _ask_worker() -> None:
    """Send now: in the embedded default (eager tasks) right here, otherwise by a worker."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        deliver_due()
        return
    from celery import current_app

    current_app.send_task(DELIVER_TASK)


def deliver_due(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the deliveries that are due (at most ``limit``); returns counts by outcome."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], due_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("due_at", "pk")
        .values_list("pk", "status", "attempts")[:limit]
    )
    outcome = {"sent": 0, "failed": 0, "gave_up": 0, "taken": 0}
    for pk, status, attempts in list(due):
        claimed = Delivery.objects.filter(pk=pk, status=status, attempts=attempts).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=attempts + 1
        )
        if not claimed:
            outcome["taken"] += 1  # another worker claimed it first
            continue
        outcome[_deliver(pk, now)] += 1
    return outcome


def _deliver(pk: int, now: datetime.datetime) -> str:
    delivery = Delivery.objects.select_related("notification__user").get(pk=pk)
    notification = delivery.notification
    preference = preference_for(notification.user)
    message = message_in(notification, preference.language)
    if message is None:
        return _record(delivery, DeliveryStatus.GAVE_UP, error="subject deleted")
    outgoing = Outgoing(
        title=message.title,
        text=message.text,
        url=_absolute(message.url),
        time=timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M"),
        key=f"hg-delivery-{delivery.pk}",
    )
    channel = CHANNELS[delivery.channel]
    address = channel.address(notification.user, preference)
    if not address:  # the phone was removed or the WeChat subscription ended
        return _record(delivery, DeliveryStatus.GAVE_UP, error="no address")
    try:
        reference = channel.send(address, outgoing)
    except Exception as error:  # any failure of a provider is recorded and retried
        if delivery.attempts >= MAX_ATTEMPTS:
            return _record(delivery, DeliveryStatus.GAVE_UP, error=repr(error))
        wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        return _record(
            delivery,
            DeliveryStatus.FAILED,
            error=repr(error),
            due_at=now + datetime.timedelta(seconds=wait),
        )
    return _record(delivery, DeliveryStatus.SENT, sent_at=timezone.now(), provider_ref=reference)


def _record(delivery: Delivery, status: str, *, error: str = "", **fields) -> str:
    fields = {"status": status, "last_error": error[:300], **fields}
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
    return "failed" if status == DeliveryStatus.FAILED else str(status)


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{url}" if base else ""
