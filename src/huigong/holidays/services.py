"""Audited changes to the holiday table, made by administrators (the admin calls these).

Each change marks the row as entered by hand so that seeding never overwrites its year,
is written to the change log in the same transaction, and drops the cached years of
``huigong.common.workdays`` at once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.models import Holiday, HolidaySource
from huigong.common.workdays import invalidate_years_now_and_on_commit


def _check_perm(actor, codename: str) -> None:
    # ``actor=None`` is system set-up (commands, tests); people need the model permission.
    if actor is not None and not actor.has_perm(f"common.{codename}"):
        raise PermissionDenied


@transaction.atomic
def save_holiday(*, actor, holiday: Holiday) -> Holiday:
    """Create or change one row as an administrator. The row is marked as entered by hand
    so that seeding never overwrites its year; the change is audited and the cached
    years are dropped."""
    creating = holiday.pk is None
    _check_perm(actor, "add_holiday" if creating else "change_holiday")
    years = {holiday.date.year}
    before = None
    if not creating:
        old = Holiday.objects.select_for_update().get(pk=holiday.pk)
        before = snapshot(old)
        years.add(old.date.year)
    holiday.source = HolidaySource.MANUAL
    holiday.full_clean()
    holiday.save()
    record_change(
        actor=actor,
        obj=holiday,
        action=ChangeAction.CREATE if creating else ChangeAction.UPDATE,
        before=before,
    )
    invalidate_years_now_and_on_commit(years)
    return holiday


@transaction.atomic
def delete_holiday(*, actor, holiday: Holiday) -> None:
    """Delete one row as an administrator (audited; the cached year is dropped).

    To override a date the package got wrong, change the row instead of deleting it:
    a deleted package date comes back on the next seed unless its year has hand-edited
    rows.
    """
    _check_perm(actor, "delete_holiday")
    record_change(actor=actor, obj=holiday, action=ChangeAction.DELETE)
    year = holiday.date.year
    holiday.delete()
    invalidate_years_now_and_on_commit({year})
