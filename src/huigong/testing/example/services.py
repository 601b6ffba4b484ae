"""The writes: one function per thing a user does, each in a transaction, each writing
the timeline (``record_event``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from huigong.kernel.scope import user_can_at
from huigong.kernel.timeline import record_event

from .models import Errand, ErrandEvent

CHANGE = "example.change_errand"


def _require(actor, errand: Errand) -> None:
    if actor.is_worker or not user_can_at(actor, CHANGE, errand.organization.path):
        raise PermissionDenied("没有办理该待办的权限")


@transaction.atomic
def open_errand(*, actor, organization, person, title: str, due_date: datetime.date) -> Errand:
    errand = Errand.objects.create(
        organization=organization, person=person, title=title, due_date=due_date
    )
    record_event(errand, ErrandEvent.Kind.OPENED, actor=actor, note=title)
    return errand


@transaction.atomic
def add_note(*, actor, errand: Errand, note: str) -> None:
    _require(actor, errand)
    if not note.strip():
        raise ValidationError({"note": "请填写备注"})
    record_event(errand, ErrandEvent.Kind.NOTE, actor=actor, note=note)


@transaction.atomic
def finish_errand(*, actor, errand: Errand, result: str) -> Errand:
    _require(actor, errand)
    claimed = Errand.objects.filter(pk=errand.pk, status=Errand.Status.OPEN).update(
        status=Errand.Status.DONE
    )
    if not claimed:
        raise ValidationError("该待办已办好")
    record_event(errand, ErrandEvent.Kind.DONE, actor=actor, note=result)
    errand.refresh_from_db()
    return errand


def mark_overdue_errands(*, today: datetime.date | None = None) -> dict:
    """The registered sweep: mark open errands past their due date, each claimed with a
    compare-and-set update so two runs never mark one twice."""
    today = today or timezone.localdate()
    marked = 0
    late = Errand.objects.filter(status=Errand.Status.OPEN, is_overdue=False, due_date__lt=today)
    for errand in late:
        with transaction.atomic():
            if Errand.objects.filter(pk=errand.pk, is_overdue=False).update(is_overdue=True):
                record_event(errand, ErrandEvent.Kind.OVERDUE)
                marked += 1
    return {"overdue": marked}
