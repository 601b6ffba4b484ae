"""Audited changes to the holiday table: hand-entered rows win over the package, take
effect at once, are logged, and need the model permissions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from huigong.audit.models import ChangeLog
from huigong.common.models import Holiday, HolidaySource
from huigong.common.workdays import is_working_day, seed_holidays
from huigong.holidays.services import delete_holiday, save_holiday


def test_seed_never_overwrites_a_year_an_admin_edited(holidays):
    # The admin moves a date of 2026 and deletes another: the package must not undo either.
    edited = Holiday.objects.get(date=date(2026, 2, 23))
    edited.is_workday = True
    edited.name = "春节(本地调整)"
    save_holiday(actor=None, holiday=edited)
    delete_holiday(actor=None, holiday=Holiday.objects.get(date=date(2026, 2, 22)))
    # A year entered by hand before the package knew it is also left alone.
    save_holiday(actor=None, holiday=Holiday(date=date(2027, 1, 1), name="元旦"))

    assert seed_holidays() == 0
    edited.refresh_from_db()
    assert (edited.is_workday, edited.name, edited.source) == (
        True,
        "春节(本地调整)",
        HolidaySource.MANUAL,
    )
    assert not Holiday.objects.filter(date=date(2026, 2, 22)).exists()
    assert list(Holiday.objects.filter(date__year=2027).values_list("name", flat=True)) == ["元旦"]


def test_saving_a_row_takes_effect_at_once(db):
    new_year = date(2030, 1, 1)
    assert is_working_day(new_year)  # now cached as a plain Tuesday
    holiday = save_holiday(actor=None, holiday=Holiday(date=new_year, name="元旦"))
    assert not is_working_day(new_year)
    holiday.is_workday = True
    save_holiday(actor=None, holiday=holiday)
    assert is_working_day(new_year)
    delete_holiday(actor=None, holiday=holiday)
    assert is_working_day(new_year) and not Holiday.objects.exists()


def test_admin_changes_are_audited(superuser):
    holiday = save_holiday(actor=superuser, holiday=Holiday(date=date(2030, 1, 1), name="元旦"))
    holiday.name = "元旦节"
    save_holiday(actor=superuser, holiday=holiday)
    logs = list(ChangeLog.objects.filter(object_type="common.holiday").order_by("id"))
    assert [log.action for log in logs] == ["create", "update"]
    assert logs[1].changes == {"name": ["元旦", "元旦节"]}
    assert logs[1].actor == superuser


def test_cadre_without_permission_cannot_change_the_table(county_cadre, holidays):
    row = Holiday.objects.get(date=date(2026, 2, 16))
    row.is_workday = True
    with pytest.raises(PermissionDenied):
        save_holiday(actor=county_cadre, holiday=row)
    with pytest.raises(PermissionDenied):
        delete_holiday(actor=county_cadre, holiday=row)
    with pytest.raises(PermissionDenied):
        save_holiday(actor=county_cadre, holiday=Holiday(date=date(2030, 1, 1), name="元旦"))
    row.refresh_from_db()
    assert row.is_workday is False and row.source == HolidaySource.PACKAGE
    assert not Holiday.objects.filter(date=date(2030, 1, 1)).exists()
    assert not ChangeLog.objects.filter(object_type="common.holiday").exists()
    assert not is_working_day(date(2026, 2, 16))
