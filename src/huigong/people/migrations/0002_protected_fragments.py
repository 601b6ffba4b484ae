"""Stop keeping in clear what rebuilds an ID number or a phone number.

Before: ``Person.birth_date`` and ``id_last4`` / ``phone_last4`` in clear, and
``HouseholdMember.birth_date`` in clear. With the few area codes in use, birth date and
last four characters pin down every ID number (the check digit removes the rest).

After: the birth year (age statistics) in clear; keyed hashes of the last four characters
for the "last four" search; a household member's full birth date encrypted. The values
are computed from the decrypted ID numbers and phones. The change log of household
members kept full birth dates in its snapshots: they are reduced to the year.

Reversible: going back recomputes the clear columns from the encrypted values (the
change-log entries keep their years).
"""

from django.db import migrations, models

import huigong.common.crypto
from huigong.common.crypto import id_last4_hash, phone_last4_hash

BATCH = 1000


def _birth_year(number: str) -> int | None:
    return int(number[6:10]) if len(number) == 18 else None


def _batches(queryset):
    batch = []
    for row in queryset.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def hash_fragments(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    HouseholdMember = apps.get_model("people", "HouseholdMember")
    ChangeLog = apps.get_model("audit", "ChangeLog")
    for batch in _batches(Person.objects.all()):
        for person in batch:
            person.id_last4_hash = id_last4_hash(person.id_number) if person.id_number else ""
            person.phone_last4_hash = phone_last4_hash(person.phone) if person.phone else ""
            person.birth_year = _birth_year(person.id_number)
        Person.objects.bulk_update(batch, ["id_last4_hash", "phone_last4_hash", "birth_year"])
    for batch in _batches(HouseholdMember.objects.all()):
        for member in batch:
            member.birth_date_encrypted = member.birth_date
            member.birth_year = member.birth_date.year if member.birth_date else None
        HouseholdMember.objects.bulk_update(batch, ["birth_date_encrypted", "birth_year"])
    logs = ChangeLog.objects.filter(
        object_type="people.householdmember", changes__has_key="birth_date"
    )
    for batch in _batches(logs):
        for log in batch:
            old, new = log.changes.pop("birth_date")
            years = [int(v[:4]) if v else v for v in (old, new)]
            if years[0] != years[1]:
                log.changes["birth_year"] = years
        ChangeLog.objects.bulk_update(batch, ["changes"])


def clear_fragments(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    HouseholdMember = apps.get_model("people", "HouseholdMember")
    from stdnum.cn import ric

    for batch in _batches(Person.objects.all()):
        for person in batch:
            number = person.id_number
            person.id_last4 = number[-4:] if number else ""
            person.birth_date = ric.get_birth_date(number) if number else None
            person.phone_last4 = person.phone[-4:] if person.phone else ""
        Person.objects.bulk_update(batch, ["id_last4", "birth_date", "phone_last4"])
    for batch in _batches(HouseholdMember.objects.all()):
        for member in batch:
            member.birth_date = member.birth_date_encrypted
        HouseholdMember.objects.bulk_update(batch, ["birth_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_last4_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_last4_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="person",
            name="birth_year",
            field=models.PositiveSmallIntegerField(
                blank=True, db_index=True, editable=False, null=True, verbose_name="出生年份"
            ),
        ),
        migrations.AddField(
            model_name="householdmember",
            name="birth_year",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="出生年份"
            ),
        ),
        migrations.AddField(
            model_name="householdmember",
            name="birth_date_encrypted",
            field=huigong.common.crypto.EncryptedDateField(
                blank=True, default=None, verbose_name="出生日期"
            ),
        ),
        migrations.RunPython(hash_fragments, clear_fragments),
        migrations.RemoveField(model_name="person", name="id_last4"),
        migrations.RemoveField(model_name="person", name="phone_last4"),
        migrations.RemoveField(model_name="person", name="birth_date"),
        migrations.RemoveField(model_name="householdmember", name="birth_date"),
        migrations.RenameField(
            model_name="householdmember", old_name="birth_date_encrypted", new_name="birth_date"
        ),
    ]
