"""Migration 0002 computes the hashes and years of existing rows from the decrypted values,
drops the clear fragments, and can be reversed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huigong.audit.models import ChangeLog
from huigong.common.crypto import id_last4_hash, phone_last4_hash
from huigong.orgs.models import Organization, OrgKind

from .conftest import MINE_ID, MINE_PHONE

BEFORE = [("people", "0001_initial")]
AFTER = [("people", "0002_protected_fragments")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.django_db(transaction=True)
def test_migration_replaces_clear_fragments_and_reverses():
    org = Organization.objects.add_root(
        instance=Organization(name="祁东县总工会", kind=OrgKind.COUNTY)
    )
    try:
        old = _migrate(BEFORE)
        person = old.get_model("people", "Person").objects.create(
            organization_id=org.pk,
            name="刘德华",
            name_pinyin="ldh liudehua",
            id_number=MINE_ID,
            id_number_hash="h",
            id_last4=MINE_ID[-4:],
            birth_date=datetime.date(1990, 5, 12),
            sex="F",
            phone=MINE_PHONE,
            phone_last4=MINE_PHONE[-4:],
        )
        member = old.get_model("people", "HouseholdMember").objects.create(
            person_id=person.pk,
            relation="child",
            name="刘小明",
            birth_date=datetime.date(2012, 9, 1),
        )
        log = ChangeLog.objects.create(
            action="create",
            object_type="people.householdmember",
            object_id=str(member.pk),
            object_repr="刘小明",
            changes={"name": [None, "刘小明"], "birth_date": [None, "2012-09-01"]},
        )

        new = _migrate(AFTER)
        assert {"id_last4", "phone_last4", "birth_date"}.isdisjoint(_columns("people_person"))
        migrated = new.get_model("people", "Person").objects.get(pk=person.pk)
        assert migrated.id_last4_hash == id_last4_hash(MINE_ID)
        assert migrated.phone_last4_hash == phone_last4_hash(MINE_PHONE)
        assert migrated.birth_year == 1990
        kin = new.get_model("people", "HouseholdMember").objects.get(pk=member.pk)
        assert (kin.birth_date, kin.birth_year) == (datetime.date(2012, 9, 1), 2012)
        with connection.cursor() as cursor:
            cursor.execute("SELECT birth_date FROM people_householdmember WHERE id = %s", [kin.pk])
            assert "2012" not in cursor.fetchone()[0]
        changes = ChangeLog.objects.get(pk=log.pk).changes
        assert changes == {"name": [None, "刘小明"], "birth_year": [None, 2012]}

        back = _migrate(BEFORE)
        restored = back.get_model("people", "Person").objects.get(pk=person.pk)
        assert (restored.id_last4, restored.phone_last4) == (MINE_ID[-4:], MINE_PHONE[-4:])
        assert restored.birth_date == datetime.date(1990, 5, 12)
        kin = back.get_model("people", "HouseholdMember").objects.get(pk=member.pk)
        assert kin.birth_date == datetime.date(2012, 9, 1)
    finally:
        MigrationExecutor(connection).loader.build_graph()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
