"""The timeline: one row per thing that happened to an object (a state change, a note,
a referral, a mark by the deadline sweep), written only through ``record_event`` (or
``record_events``, many rows in one insert).

Each app that keeps a timeline declares a concrete event model on ``TimelineEvent`` (an
abstract model: one table per subject, so a timeline stays in its app's scope and is
read with one indexed join) with a foreign key to its subject named by
``subject_field``, its own ``kind`` choices and a ``visibility`` — which kinds workers
and partner departments see, and of which they see the note. Staff in scope see every
event. That rule lives here once: the workbench, the portal and the API all ask the
event (``shown_to`` / ``note_for``) or the queryset (``for_audience``).

Apps declare one named writer per kind of event (``case_referred_event = EventWriter(…)``)
so that every event of a kind carries the same data; the writers call ``record_event``,
and their ``bulk`` (a sweep marking many objects at once) ``record_events``.

Writing an event of a kind the visibility ``told`` tells the subject's workers of it
(``TimelineEvent.recipients``; ``notifications.tell_many``): a step of their own matter
reaches their inbox, SMS and WeChat without the services asking for it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from types import SimpleNamespace
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .notifications import tell_many


class Audience(models.TextChoices):
    STAFF = "staff", gettext_lazy("工作人员")
    WORKER = "worker", gettext_lazy("职工")
    PARTNER = "partner", gettext_lazy("协作部门")


@dataclass(frozen=True)
class Visibility:
    """Which event kinds an audience other than staff sees, and of which it sees the
    note (the rest show only what happened). An event whose actor is the viewer is
    always shown to them in full: a worker sees the information they added."""

    worker: frozenset[str] = frozenset()
    worker_note: frozenset[str] = frozenset()
    partner: frozenset[str] = frozenset()
    partner_note: frozenset[str] = frozenset()
    #: The kinds the subject's workers are told of when they happen (``TELL_PREFIX`` +
    #: kind, through ``notifications.tell``), unless they did it themselves…
    told: frozenset[str] = frozenset()
    #: …except these, confirmed even to the worker who did it (a receipt).
    told_own: frozenset[str] = frozenset()

    def kinds(self, audience: str) -> frozenset[str] | None:
        """The kinds ``audience`` sees; ``None`` means all of them (staff)."""
        return self._of(audience, "")

    def note_kinds(self, audience: str) -> frozenset[str] | None:
        return self._of(audience, "_note")

    def _of(self, audience: str, suffix: str) -> frozenset[str] | None:
        if audience in (Audience.WORKER, Audience.PARTNER):
            return getattr(self, f"{Audience(audience).value}{suffix}")
        return None


class TimelineQuerySet(models.QuerySet):
    def for_audience(self, audience: str, viewer=None) -> models.QuerySet:
        """The events ``audience`` sees (and the viewer's own events)."""
        kinds = self.model.visibility.kinds(audience)
        if kinds is None:
            return self
        q = Q(kind__in=kinds)
        if viewer is not None and getattr(viewer, "pk", None):
            q |= Q(actor_id=viewer.pk)
        return self.filter(q)


class TimelineEvent(models.Model):
    """One entry of a timeline. Concrete subclasses add the foreign key to their
    subject (named by ``subject_field``) and override ``kind`` with their choices."""

    subject_field: ClassVar[str] = ""
    visibility: ClassVar[Visibility] = Visibility()

    kind = models.CharField(gettext_lazy("事件"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("为空表示系统"),
    )
    time = models.DateTimeField(gettext_lazy("时间"), default=timezone.now)
    from_status = models.CharField(gettext_lazy("原状态"), max_length=12, blank=True)
    to_status = models.CharField(gettext_lazy("新状态"), max_length=12, blank=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    data = models.JSONField(gettext_lazy("数据"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{getattr(self, f'{self.subject_field}_id', '')} {self.get_kind_display()}"

    @classmethod
    def recipients(cls, subject_ids: set[int]) -> dict[int, list]:
        """The worker accounts to tell of this timeline's told kinds, by subject id (one
        query for many subjects). A timeline that tells nobody keeps the default."""
        return {}

    def notice_data(self) -> dict[str, Any]:
        """What a worker's notification of this event keeps: the event, its data and
        the note as a worker may read it."""
        return {"event": self.pk, "note": self.note_for(Audience.WORKER), **self.data}

    def own(self, viewer) -> bool:
        return viewer is not None and self.actor_id is not None and self.actor_id == viewer.pk

    def shown_to(self, audience: str, viewer=None) -> bool:
        kinds = self.visibility.kinds(audience)
        return kinds is None or self.kind in kinds or self.own(viewer)

    def note_for(self, audience: str, viewer=None) -> str:
        """The note as ``audience`` may read it (empty where it is staff-only)."""
        kinds = self.visibility.note_kinds(audience)
        if kinds is None or self.kind in kinds or self.own(viewer):
            return self.note
        return ""

    @property
    def actor_name(self) -> str:
        if self.actor_id is None:
            return _("系统")
        return self.actor.name or self.actor.username

    @property
    def status_change(self) -> tuple[str, str] | None:
        if self.from_status and self.to_status and self.from_status != self.to_status:
            return (self._status_label("from_status"), self._status_label("to_status"))
        return None

    def _status_label(self, field: str) -> str:
        display = getattr(self, f"get_{field}_display", None)
        return str(display()) if display else getattr(self, field)


@cache
def _event_models() -> dict[type[models.Model], type[TimelineEvent]]:
    found = {}
    for model in apps.get_models():
        if issubclass(model, TimelineEvent) and model.subject_field:
            subject = model._meta.get_field(model.subject_field).related_model
            found[subject] = model
    return found


def event_model_for(subject_model: type[models.Model]) -> type[TimelineEvent]:
    """The timeline model of a subject model (found from the installed models)."""
    try:
        return _event_models()[subject_model]
    except KeyError:
        raise LookupError(f"{subject_model.__name__} keeps no timeline") from None


def has_timeline(subject_model: type[models.Model]) -> bool:
    return subject_model in _event_models()


def _new_event(
    subject: models.Model,
    kind: str,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    time: datetime.datetime | None = None,
) -> TimelineEvent:
    """An unsaved event of ``subject``'s timeline (an anonymous actor is the system)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    model = event_model_for(type(subject))
    return model(
        **{model.subject_field: subject},
        kind=kind,
        actor=actor,
        time=time or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def record_event(subject: models.Model, kind: str, **fields: Any) -> TimelineEvent:
    """Append an event to ``subject``'s timeline; ``fields`` are ``actor`` (anonymous or
    ``None``: the system), ``from_status``, ``to_status``, ``note``, ``data`` and ``time``
    (default: now). Runs inside the caller's transaction: a service that fails after
    this call leaves no event behind."""
    event = _new_event(subject, kind, **fields)
    event.save(force_insert=True)
    _tell_workers([event])
    return event


def record_events(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Write many unsaved events with one insert per timeline table (a sweep marking a
    thousand cases writes a thousand rows in one statement, not one each)."""
    by_model: dict[type[TimelineEvent], list[TimelineEvent]] = defaultdict(list)
    for event in events:
        by_model[type(event)].append(event)
    written: list[TimelineEvent] = []
    for model, rows in by_model.items():
        written += model.objects.bulk_create(rows)
    _tell_workers(written)
    return written


#: Workers' notifications of timeline events are of kind ``TELL_PREFIX + event kind``
#: (apart from the staff reminders about the same subject).
TELL_PREFIX = "step:"


def _tell_workers(events: list[TimelineEvent]) -> None:
    """Tell the subjects' workers of the events of a kind their timeline tells."""
    by_model: dict[type[TimelineEvent], list[TimelineEvent]] = defaultdict(list)
    for event in events:
        if event.kind in event.visibility.told:
            by_model[type(event)].append(event)
    items = []
    for model, rows in by_model.items():
        ids = {getattr(event, f"{model.subject_field}_id") for event in rows}
        recipients = model.recipients(ids)
        for event in rows:
            users = [
                user
                for user in recipients.get(getattr(event, f"{model.subject_field}_id"), [])
                if user.pk != event.actor_id or event.kind in model.visibility.told_own
            ]
            if users:
                subject = getattr(event, model.subject_field)
                items.append((users, subject, TELL_PREFIX + event.kind, event.notice_data()))
    tell_many(items)


#: A value of an event, computed from the writer's keyword arguments: a dotted path
#: (``"referral.note"``) or a function of the arguments as attributes.
Value = str | Callable[[SimpleNamespace], Any]


def _value(value: Value, args: SimpleNamespace) -> Any:
    return attrgetter(value)(args) if isinstance(value, str) else value(args)


_ALWAYS = object()


def as_text(path: str, *, unset: Any = _ALWAYS) -> Callable[[SimpleNamespace], Any]:
    """The value at ``path`` as text (a date, an amount), for an event's ``data``; with
    ``unset``, what stands for a value that is ``None``."""
    get = attrgetter(path)

    def text(args: SimpleNamespace) -> Any:
        found = get(args)
        if found is None and unset is not _ALWAYS:
            return unset
        return str(found)

    return text


@dataclass(frozen=True)
class EventWriter:
    """One kind of event, declared as data and called like a function with keyword
    arguments: ``case_referred_event(case=…, actor=…, referral=…, from_status=…)``.

    ``subject`` is the path, among the arguments, of the object whose timeline gets the
    row (``"case"``, ``"order.finding.target.inspection"``); ``note`` the path of its note
    (without one, the caller's own ``note=``); ``data`` maps each key of the row's data to
    its value; ``to_status`` records the subject's status after the change (the caller
    passes ``from_status``). ``actor`` (``None``: the system) and ``time`` are the
    caller's, as for ``record_event``."""

    kind: str
    subject: str
    note: Value | None = None
    data: Mapping[str, Value] | Callable[[SimpleNamespace], dict[str, Any]] = field(
        default_factory=dict
    )
    to_status: bool = False

    def __call__(
        self,
        *,
        actor=None,
        from_status: str = "",
        note: str = "",
        time: datetime.datetime | None = None,
        **arguments: Any,
    ) -> TimelineEvent:
        event = self._event(arguments, actor=actor, from_status=from_status, note=note, time=time)
        event.save(force_insert=True)
        _tell_workers([event])
        return event

    def bulk(
        self,
        arguments: Iterable[Mapping[str, Any]],
        *,
        actor=None,
        from_status: str = "",
        note: str = "",
        time: datetime.datetime | None = None,
    ) -> list[TimelineEvent]:
        """One event per mapping of keyword arguments (``[{"case": c} for c in cases]``),
        each the row a call with them would write, inserted together
        (``record_events``). ``actor``, ``from_status``, ``note`` and ``time`` (default:
        now, once for all) are shared by the rows."""
        time = time or timezone.now()
        return record_events(
            self._event(args, actor=actor, from_status=from_status, note=note, time=time)
            for args in arguments
        )

    def _event(
        self,
        arguments: Mapping[str, Any],
        *,
        actor,
        from_status: str,
        note: str,
        time: datetime.datetime | None,
    ) -> TimelineEvent:
        args = SimpleNamespace(**arguments)
        subject = _value(self.subject, args)
        if callable(self.data):
            data = self.data(args)
        else:
            data = {key: _value(value, args) for key, value in self.data.items()}
        return _new_event(
            subject,
            self.kind,
            actor=actor,
            from_status=from_status,
            to_status=subject.status if self.to_status else "",
            note=note if self.note is None else _value(self.note, args),
            data=data,
            time=time,
        )


def timeline_rows(
    events: Iterable[TimelineEvent],
    *,
    audience: str = Audience.STAFF,
    viewer=None,
    details: Callable[[TimelineEvent], list[str]] | None = None,
) -> list[dict]:
    """The events ``audience`` sees, as display rows (label, actor, note as that
    audience may read it, the app's details, the status change). Pages, the portal and
    the API all build their timelines with this."""
    rows = []
    for event in events:
        if not event.shown_to(audience, viewer):
            continue
        rows.append(
            {
                "event": event,
                "label": event.get_kind_display(),
                "actor": event.actor_name,
                "note": event.note_for(audience, viewer),
                "details": [d for d in (details(event) if details else []) if d],
                "status_change": event.status_change,
            }
        )
    return rows
