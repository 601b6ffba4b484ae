"""Notifications: an outbox of things a user should hear about an object, and the daily
digest that sends each user one message instead of one per event.

A service calls ``notify(users, subject, kind)`` inside its transaction (a rolled-back
change notifies nobody); a sweep acting on many objects calls ``notify_many`` once. An
app describes its kinds once with ``register_digest_section``: the model whose objects
it notifies about, the kinds in the order the digest lists them, the digest's subject
and opening line, and how one object reads in a line. ``send_daily_digests`` (a
registered job, daily at 08:00) claims each user's pending rows with a compare-and-set
update and records one ``Digest`` per user and day, so two workers never send a user
two digests.

``notify`` tells staff only (the reminders of their work). ``tell`` tells anyone,
workers included, of a step of their own matter: the notification lands in their inbox
(the portal's 消息, the workbench's bell) and goes out through the channels they chose
(SMS, WeChat; ``kernel.delivery``). What a notification says is registered per app in
``kernel.notices`` and written in the reader's language when it is read or sent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.core.mail import send_mail
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .delivery import queue_deliveries
from .models import Digest, Notification
from .notices import (
    DigestSection,
    digest_section_for,
    load_subjects,
    preference_for,
    register_digest_section,
)

__all__ = [
    "DigestSection",
    "register_digest_section",
    "notify",
    "notify_many",
    "tell",
    "tell_many",
]


#: The SQL form of ``notify``'s rule that workers are not told here (``user.is_worker``
#: of a list): how the user model marks a worker account. The kernel names the user
#: model's fields without importing it, as the data scope does (``users_acting_in``).
_WORKER_ACCOUNT = {"kind": "worker"}


def notify(users: Iterable[Any], subject: models.Model, kind: str) -> int:
    """Queue a notification about ``subject`` for the daily digest of each distinct staff
    user (``None`` and workers are skipped). Returns how many were queued.

    ``users`` may be a queryset of users (``accounts.policy.users_holding``, as intake
    tells a case's handlers): it is then not read, the rows are written by one
    ``INSERT … SELECT`` under the same rules."""
    return notify_many([(users, subject, kind)])


def notify_many(items: Iterable[tuple[Iterable[Any], models.Model, str]]) -> int:
    """``notify`` for many subjects: each ``(users, subject, kind)`` is queued as
    ``notify`` would (its distinct staff users, ``None`` and workers skipped). The lists
    of users are written with one insert, so a sweep that marks a thousand cases writes
    their notifications at once; each queryset of users by its own ``INSERT … SELECT``.
    Returns how many were queued."""
    rows = []
    selected = 0
    for users, subject, kind in items:
        content_type = ContentType.objects.get_for_model(subject)
        if _selectable(users):
            selected += _insert_selected(users, content_type, subject.pk, kind)
            continue
        seen: set[int] = set()
        for user in users:
            if user is None or user.pk in seen or getattr(user, "is_worker", False):
                continue
            seen.add(user.pk)
            rows.append(
                Notification(user=user, content_type=content_type, object_id=subject.pk, kind=kind)
            )
    Notification.objects.bulk_create(rows)
    return selected + len(rows)


def tell(
    users: Iterable[Any], subject: models.Model, kind: str, data: dict | None = None
) -> list[Notification]:
    """Tell each distinct user (workers included) about ``subject``: a notification in
    their inbox and, once the transaction commits, a delivery through each channel they
    chose (``kernel.delivery``). ``data`` is what the notice's words need beyond the
    subject."""
    return tell_many([(users, subject, kind, data)])


def tell_many(
    items: Iterable[tuple[Iterable[Any], models.Model, str, dict | None]],
) -> list[Notification]:
    """``tell`` for many subjects with one insert of notifications and one of deliveries
    (a sweep escalating a thousand cases tells their workers at once). Workers'
    notifications are not for the staff digest (their channels carry each one), so they
    are written as already digested."""
    now = timezone.now()
    rows = []
    for users, subject, kind, data in items:
        content_type = ContentType.objects.get_for_model(subject)
        seen: set[int] = set()
        for user in users:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            rows.append(
                Notification(
                    user=user,
                    content_type=content_type,
                    object_id=subject.pk,
                    kind=kind,
                    data=data or {},
                    created_at=now,
                    sent_in_digest_at=now if getattr(user, "is_worker", False) else None,
                )
            )
    written = Notification.objects.bulk_create(rows)
    queue_deliveries(written)
    return written


def _selectable(users: Iterable[Any]) -> bool:
    """Whether ``users`` can feed an ``INSERT … SELECT``: a queryset of the user model
    without a slice (which a subquery would not keep on every database)."""
    return (
        isinstance(users, models.QuerySet)
        and users.model is get_user_model()
        and not users.query.is_sliced
    )


def _insert_selected(users: models.QuerySet, content_type, object_id: int, kind: str) -> int:
    """Queue ``kind`` about ``object_id`` for each staff user of ``users`` with one
    statement, the users never read into Python: each once (they are selected by primary
    key), workers left out (``_WORKER_ACCOUNT``)."""
    alias = router.db_for_write(Notification)
    connection = connections[alias]
    recipients = (
        users.model._default_manager.filter(pk__in=users.order_by().values("pk"))
        .exclude(**_WORKER_ACCOUNT)
        .values(recipient=F("pk"))
    )
    try:
        select_sql, select_params = recipients.query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:  # a queryset that can match nobody (``none()``, ``pk__in=[]``)
        return 0
    meta, quote = Notification._meta, connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("user", "content_type", "object_id", "kind", "created_at", "data")
    )
    created_at = meta.get_field("created_at").get_db_prep_value(
        timezone.now(), connection=connection
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT recipient, %s, %s, %s, %s, %s FROM ({select_sql}) recipients"
    )
    with connection.cursor() as cursor:
        no_data = meta.get_field("data").get_db_prep_value({}, connection=connection)
        cursor.execute(sql, [content_type.pk, object_id, kind, created_at, no_data, *select_params])
        return cursor.rowcount


def notifications_about(subject: models.Model):
    """The notifications queued about one object."""
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    )


def digest_body(user, notifications: list[Notification], today: datetime.date) -> str:
    """The digest's text: per section, per kind, one line per object."""
    subjects = load_subjects(notifications)
    grouped: dict[type, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for n in notifications:
        obj = subjects.get((n.content_type_id, n.object_id))
        if obj is not None:
            grouped[type(obj)][n.kind].append(obj)
    lines = [_("%(name)s,您好:") % {"name": user.name or user.username}]
    for model, by_kind in grouped.items():
        section = digest_section_for(model)
        if section is None:
            continue
        lines += ["", str(section.intro) % {"day": date_format(today)}]
        for kind, label in section.kinds.choices:
            items = by_kind.get(kind)
            if not items:
                continue
            lines += ["", _("【%(label)s】") % {"label": label}]
            seen: set[int] = set()
            for obj in items:
                if obj.pk not in seen:
                    seen.add(obj.pk)
                    lines.append("  " + section.line(obj, today))
    lines += ["", _("请登录惠工工作台处理。此邮件由系统每日汇总发送,请勿回复。")]
    return "\n".join(lines)


def _digest_title(notifications: list[Notification]) -> str:
    types = {n.content_type_id for n in notifications}
    if len(types) == 1:
        section = digest_section_for(ContentType.objects.get_for_id(types.pop()).model_class())
        if section is not None:
            return str(section.title)
    return _("惠工每日提醒")


def _send_digest(user, today: datetime.date, now: datetime.datetime) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user=user, day=today, sent_at=now)
        except IntegrityError:
            return False  # this user's digest for today is already out
        pending = list(
            Notification.objects.filter(user=user, sent_in_digest_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        claimed = Notification.objects.filter(
            pk__in=pending, sent_in_digest_at__isnull=True
        ).update(sent_in_digest_at=now)
        if not claimed:
            transaction.set_rollback(True)
            return False
        notifications = list(Notification.objects.filter(pk__in=pending, sent_in_digest_at=now))
        digest.notification_count = len(notifications)
        digest.save(update_fields=["notification_count"])
        if user.email and preference_for(user).email_digest:
            # Inside the transaction: when sending fails, the claim is undone and the
            # notifications wait for the next run.
            send_mail(
                subject=_("%(title)s(%(n)d 条)")
                % {"title": _digest_title(notifications), "n": len(notifications)},
                message=digest_body(user, notifications, today),
                from_email=None,
                recipient_list=[user.email],
            )
        return True


def send_daily_digests(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> int:
    """Send each user with queued notifications one message for ``today`` (users without
    an e-mail address see them on the workbench; their queue is marked as digested).
    Returns the number of digests made. A user who already had today's digest gets the
    newer notifications tomorrow."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    user_ids = (
        Notification.objects.filter(sent_in_digest_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True)
    return sum(_send_digest(user, today, now) for user in users.order_by("pk"))
