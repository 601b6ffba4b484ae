"""The holiday table in the admin: the missing-year warning and audited saves."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from huigong.audit.models import ChangeLog
from huigong.common import workdays
from huigong.common.models import Holiday, HolidaySource
from huigong.common.workdays import is_working_day, register_deadline_years


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_changelist_warns_about_a_year_used_by_open_deadlines(client, superuser, holidays):
    client.force_login(superuser)

    def open_case_years():
        return [2031]

    register_deadline_years(open_case_years)
    try:
        response = client.get(reverse("admin:common_holiday_changelist"))
    finally:
        workdays.unregister_deadline_years(open_case_years)
    assert response.status_code == 200
    warning = [m for m in _messages(response) if "还没有节假日安排" in m]
    assert len(warning) == 1 and "2031" in warning[0]


def test_changelist_warns_about_next_year_in_december(client, superuser, holidays, monkeypatch):
    client.force_login(superuser)
    monkeypatch.setattr(workdays.timezone, "localdate", lambda: date(2026, 12, 1))
    response = client.get(reverse("admin:common_holiday_changelist"))
    assert any("2027" in m for m in _messages(response))

    monkeypatch.setattr(workdays.timezone, "localdate", lambda: date(2026, 6, 1))
    response = client.get(reverse("admin:common_holiday_changelist"))
    assert not any("还没有节假日安排" in m for m in _messages(response))


def test_changelist_filters_by_year_and_searches_by_name(client, superuser, holidays):
    client.force_login(superuser)
    url = reverse("admin:common_holiday_changelist")
    response = client.get(url, {"year": "2026", "is_workday__exact": "1"})
    shown = {h.date for h in response.context["cl"].result_list}
    assert shown == set(
        Holiday.objects.filter(date__year=2026, is_workday=True).values_list("date", flat=True)
    )
    assert date(2026, 2, 14) in shown
    response = client.get(url, {"q": "国庆", "year": "2025"})
    names = {h.name for h in response.context["cl"].result_list}
    assert names == {"国庆节"}


def test_adding_a_date_in_admin_is_manual_audited_and_used_at_once(client, superuser):
    client.force_login(superuser)
    assert is_working_day(date(2030, 1, 1))
    response = client.post(
        reverse("admin:common_holiday_add"), {"date": "2030-01-01", "name": "元旦"}
    )
    assert response.status_code == 302
    row = Holiday.objects.get(date=date(2030, 1, 1))
    assert (row.is_workday, row.source) == (False, HolidaySource.MANUAL)
    assert not is_working_day(date(2030, 1, 1))
    assert ChangeLog.objects.filter(object_type="common.holiday", action="create").count() == 1


def test_admin_rejects_a_duplicate_date_with_a_message(client, superuser, holidays):
    client.force_login(superuser)
    count = Holiday.objects.count()
    response = client.post(
        reverse("admin:common_holiday_add"), {"date": "2026-02-16", "name": "重复"}
    )
    assert response.status_code == 200
    assert "日期" in str(response.context["adminform"].form.errors)
    assert Holiday.objects.count() == count
