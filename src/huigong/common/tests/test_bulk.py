"""``insert_many`` writes the rows ``bulk_create`` would (COPY on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from huigong.audit.models import ChangeLog
from huigong.common.bulk import insert_many
from huigong.people.models import Person
from huigong.testing.factories import make_id_number


def _person(tree, seq: int, name: str) -> Person:
    person = Person(
        organization=tree.xinfa,
        province=tree.province,
        name=name,
        id_number=make_id_number(seq=seq),
        phone="13800138000",
    )
    person.derive()
    return person


def test_rows_keys_and_prepared_values(tree):
    people = [_person(tree, 10 + i, f"职工{i}") for i in range(3)]
    insert_many(Person, people)
    assert all(p.pk and not p._state.adding for p in people)
    assert len({p.pk for p in people}) == 3
    stored = Person.objects.get(pk=people[1].pk)
    assert (stored.name, stored.id_number, stored.phone) == (
        "职工1",
        people[1].id_number,
        "13800138000",
    )
    assert stored.created_at is not None and stored.updated_at is not None  # auto_now(_add)
    with connection.cursor() as cursor:  # encrypted at rest, as bulk_create would write it
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [people[1].pk])
        assert cursor.fetchone()[0] not in ("", people[1].id_number)

    entries = [
        ChangeLog(action="create", object_type="x.y", object_id="1", changes={"a": [None, "乙"]}),
        ChangeLog(action="create", object_type="x.y", object_id="2", changes={}),
    ]
    insert_many(ChangeLog, entries)
    assert ChangeLog.objects.get(pk=entries[0].pk).changes == {"a": [None, "乙"]}
    assert insert_many(ChangeLog, []) is None


def test_a_violated_constraint_is_an_integrity_error_and_writes_nothing(tree):
    first = _person(tree, 50, "先")
    insert_many(Person, [first])
    again = [_person(tree, 51, "新"), _person(tree, 52, "重")]
    again[1].id_number_hash = first.id_number_hash  # the same person registered twice
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(Person, again)
    assert list(Person.objects.values_list("name", flat=True)) == ["先"]
