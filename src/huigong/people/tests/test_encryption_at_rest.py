"""Protected personal data at rest: the ID number is stored encrypted, found by its hash."""

from django.db import connection

from huigong.people.models import Person
from huigong.testing.factories import PersonFactory, make_id_number


def test_person_id_number_is_encrypted_and_hashed(tree):
    person = PersonFactory(organization=tree.xinfa, id_number=make_id_number(sex="F") + " ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert person.id_number not in stored
    assert Person.objects.with_id_number("  " + person.id_number.lower()).get() == person
