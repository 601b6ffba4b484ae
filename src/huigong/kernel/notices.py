"""What a notification says: each app registers, per subject model and kind, a short
title, one sentence and the page it links to (``register_notice``). The words are
written when the notification is read or sent, in the reader's language, from the
subject and the notification's ``data`` — nothing translated is stored.

A kind without a registered notice falls back on the app's digest section (its kind's
label as the title, the digest line as the text), so every staff reminder reads in the
workbench's bell as it does in the e-mail digest.

The inbox reads live here too: a user's notifications, newest first, without the kinds
they muted, the unread count (the bell's badge, the portal's 消息) and marking as read.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise

from .models import Notification, NotificationPreference


@dataclass(frozen=True)
class DigestSection:
    """How the daily digest (and the bell, for kinds without a ``Notice``) speaks of
    one model's objects."""

    model: type[models.Model]
    #: The kinds, in the order the digest lists them (a ``TextChoices``).
    kinds: type[models.TextChoices]
    #: The digest's subject when it holds only this section ("惠工诉求每日提醒").
    title: str | Promise
    #: The opening line, with ``%(day)s`` ("截至 %(day)s,以下诉求需要您关注:").
    intro: str | Promise
    #: One object as a line of the digest, as of a day.
    line: Callable[[Any, datetime.date], str]
    #: Related rows to load with the subjects (``select_related`` names).
    related: tuple[str, ...] = ()


_SECTIONS: dict[type[models.Model], DigestSection] = {}


def register_digest_section(section: DigestSection) -> None:
    _SECTIONS[section.model] = section


def digest_section_for(model: type[models.Model]) -> DigestSection | None:
    return _SECTIONS.get(model)


def staff_kinds() -> list[tuple[str, str]]:
    """Every kind of staff reminder the apps declared, as (kind, label) choices (what a
    user may mute)."""
    return [choice for section in _SECTIONS.values() for choice in section.kinds.choices]


@dataclass(frozen=True)
class Notice:
    model: type[models.Model]
    kind: str
    #: A few words ("诉求已受理").
    title: str | Promise
    #: One or two sentences from the subject and the notification's data.
    text: Callable[[Any, dict], str]
    #: The page the notification opens, for the recipient (``None``: no link).
    url: Callable[[Any], str] | None = None


_NOTICES: dict[tuple[type[models.Model], str], Notice] = {}


def register_notice(*notices: Notice) -> None:
    for notice in notices:
        _NOTICES[(notice.model, notice.kind)] = notice


def notice_for(model: type[models.Model], kind: str) -> Notice | None:
    return _NOTICES.get((model, kind))


@dataclass(frozen=True)
class Message:
    """A notification as its reader sees it."""

    notification: Notification
    title: str
    text: str
    url: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def preference_for(user) -> NotificationPreference:
    """The user's preferences; a user who never saved them has the defaults (workers:
    every channel; staff: the in-app bell and the e-mail digest only), unsaved."""
    if preference_loaded(user):  # read with the user (``select_related``)
        try:
            return user.notification_preference
        except NotificationPreference.DoesNotExist:
            return default_preference(user)
    found = NotificationPreference.objects.filter(user=user).first()
    return found if found is not None else default_preference(user)


def preference_loaded(user) -> bool:
    """Whether ``user`` came with its preferences (``select_related``; none saved reads
    as missing), so that they need no query."""
    # ``__class__``, not ``type()``: request.user is a lazy object standing for the user.
    descriptor = getattr(user.__class__, "notification_preference", None)
    return descriptor is not None and descriptor.is_cached(user)


def default_preference(user) -> NotificationPreference:
    """The preferences of a user who never saved theirs (unsaved)."""
    quiet = getattr(settings, "NOTIFICATION_QUIET_HOURS", None) or (None, None)
    return NotificationPreference(
        user=user,
        channels=list(settings.NOTIFICATION_WORKER_CHANNELS) if _is_worker(user) else [],
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )


def _is_worker(user) -> bool:
    return bool(getattr(user, "is_worker", False))


def load_subjects(notifications: list[Notification]) -> dict[tuple[int, int], Any]:
    """The subjects of ``notifications`` by (content type, id), one query per model
    (with the related rows its digest section names)."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for n in notifications:
        by_type[n.content_type_id].add(n.object_id)
    found = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        section = _SECTIONS.get(model)
        if section and section.related:
            queryset = queryset.select_related(*section.related)
        for obj in queryset:
            found[(type_id, obj.pk)] = obj
    return found


def render(notification: Notification, subject: Any, *, today: datetime.date | None = None):
    """The notification's title, text and link, in the active language."""
    model = type(subject)
    notice = notice_for(model, notification.kind)
    if notice is not None:
        url = notice.url(subject) if notice.url else ""
        return str(notice.title), notice.text(subject, notification.data or {}), url
    section = _SECTIONS.get(model)
    url = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
    if section is None:
        label = dict(staff_kinds()).get(notification.kind, notification.kind)
        return str(label), str(subject), url
    label = dict(section.kinds.choices).get(notification.kind, notification.kind)
    return str(label), section.line(subject, today or timezone.localdate()), url


def messages(notifications) -> list[Message]:
    """Notifications as their reader sees them (the subjects loaded once per model); a
    notification whose subject is gone is left out."""
    rows = list(notifications)
    subjects = load_subjects(rows)
    today = timezone.localdate()
    found = []
    for n in rows:
        subject = subjects.get((n.content_type_id, n.object_id))
        if subject is not None:
            title, text, url = render(n, subject, today=today)
            found.append(Message(n, title, text, url))
    return found


def message_in(notification: Notification, language: str) -> Message | None:
    """One notification in ``language`` (a delivery to a phone speaks the recipient's
    language, not the sender's)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        found = messages([notification])
    return found[0] if found else None


def inbox(user) -> models.QuerySet:
    """The user's notifications, newest first, without the kinds they muted."""
    muted = preference_for(user).muted_kinds or []
    return (
        Notification.objects.filter(user=user)
        .exclude(kind__in=muted)
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user, pks=None) -> int:
    """Mark the user's notifications (all, or those of ``pks``) read; returns how many
    changed. Another user's notification is never touched."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    return rows.update(read_at=timezone.now())
