"""Nothing stored or shown without the reveal permission narrows an ID number down: no
birth date, no last four characters in clear, a masked form that shows the last four only
(docs/security.md, "Protected personal data")."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from huigong.audit.models import AccessLog, ChangeLog
from huigong.common.crypto import lookup_hash, mask_id_number
from huigong.people import services
from huigong.people.models import HouseholdMember, Person
from huigong.people.search import search_persons
from huigong.testing.factories import make_id_number

from .conftest import MINE_ID, MINE_PHONE

pytestmark = pytest.mark.django_db


def raw_row(table: str, pk: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_masked_id_number_shows_the_last_four_only():
    assert mask_id_number(MINE_ID) == "*" * 14 + MINE_ID[-4:]
    assert mask_id_number("") == ""


def test_stored_person_row_keeps_year_and_sex_and_hashes_only(mine):
    row = raw_row("people_person", mine.pk)
    assert {"birth_date", "id_last4", "phone_last4"}.isdisjoint(row)
    assert (row["birth_year"], row["sex"]) == (1990, "F")
    values = {str(v) for v in row.values()}
    assert MINE_ID[-4:] not in values and MINE_PHONE[-4:] not in values
    assert "1990-05-12" not in " ".join(values) and "19900512" not in " ".join(values)
    # A last-four hash is keyed and distinct from the hash of any full number.
    assert row["id_last4_hash"] not in {lookup_hash(MINE_ID[-4:]), row["id_number_hash"]}
    assert row["phone_last4_hash"] != row["id_last4_hash"]
    # The full birth date is still there for code that holds the decrypted number.
    assert Person.objects.get(pk=mine.pk).birth_date == datetime.date(1990, 5, 12)


def test_last_four_search_matches_through_the_hashes(township_cadre, mine, theirs):
    assert list(search_persons(township_cadre, MINE_ID[-4:])) == [mine]
    assert list(search_persons(township_cadre, MINE_PHONE[-4:])) == [mine]
    assert list(search_persons(township_cadre, "0000")) == []


def test_household_birth_date_is_stored_encrypted(township_cadre, mine):
    number = make_id_number(birth=datetime.date(2012, 9, 1))
    with_id = services.add_household_member(
        actor=township_cadre, person=mine, relation="child", name="刘小明", id_number=number
    ).member
    without_id = services.add_household_member(
        actor=township_cadre,
        person=mine,
        relation="parent",
        name="刘大山",
        birth_date=datetime.date(1950, 2, 3),
    ).member
    for member, date in ((with_id, "2012-09-01"), (without_id, "1950-02-03")):
        row = raw_row("people_householdmember", member.pk)
        assert row["birth_year"] == int(date[:4])
        assert date not in str(row["birth_date"]) and row["birth_date"]
        assert HouseholdMember.objects.get(pk=member.pk).birth_date.isoformat() == date
    log = ChangeLog.objects.get(object_type="people.householdmember", object_id=without_id.pk)
    assert log.changes["birth_year"] == [None, 1950] and "1950-02-03" not in str(log.changes)


def test_pages_without_reveal_show_birth_year_not_date(login, station_staff, mine, township_cadre):
    services.add_household_member(
        actor=township_cadre,
        person=mine,
        relation="child",
        name="刘小明",
        id_number=make_id_number(birth=datetime.date(2012, 9, 1)),
    )
    client = login(station_staff)
    detail = client.get(reverse("people:detail", args=[mine.pk])).content.decode()
    listing = client.get(reverse("people:list")).content.decode()
    for body in (detail, listing):
        assert mask_id_number(MINE_ID) in body and MINE_ID not in body
        assert "1990" in body
        for leaked in ("1990-05-12", "1990年5月12日", "19900512", "2012-09-01"):
            assert leaked not in body
    assert 'data-testid="birth-year">1990<' in detail
    member_edit = reverse("people:household_update", args=[mine.pk, mine.household.get().pk])
    edit = login(township_cadre).get(member_edit).content.decode()
    assert "2012-09-01" not in edit


def test_api_person_carries_birth_year_only(api_client, station_staff, mine):
    data = api_client(station_staff).get(f"/api/v1/people/persons/{mine.pk}").json()
    assert data["birth_year"] == 1990 and "birth_date" not in data
    assert data["id_number_masked"] == "*" * 14 + MINE_ID[-4:]


def test_reveal_reason_is_logged_with_numbers_masked(township_cadre, mine):
    services.reveal_person(
        actor=township_cadre,
        person=mine,
        reason="verify_identity",
        note=f"核对 {MINE_ID} 与 {MINE_PHONE}",
    )
    reason = AccessLog.objects.get().reason
    assert MINE_ID not in reason and MINE_PHONE not in reason
    assert mask_id_number(MINE_ID) in reason and "139****5678" in reason
