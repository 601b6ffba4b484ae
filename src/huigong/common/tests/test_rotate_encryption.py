from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from huigong.people.models import Person
from huigong.testing.factories import PersonFactory


def _stored(person_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [person_id])
        return cursor.fetchone()


def test_rotation_rewrites_ciphertexts_with_the_new_key_only(tree):
    person = PersonFactory(organization=tree.xinfa, phone="13800000009")
    old_key = settings.ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    with override_settings(ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_encryption", "--batch-size", "1")
    id_token, phone_token = _stored(person.pk)
    new_only = Fernet(new_key.encode())
    assert new_only.decrypt(id_token.encode()).decode() == person.id_number
    assert new_only.decrypt(phone_token.encode()).decode() == "13800000009"
    with override_settings(ENCRYPTION_KEYS=[new_key]):
        reloaded = Person.objects.get(pk=person.pk)
        assert reloaded.id_number == person.id_number
        assert Person.objects.with_id_number(person.id_number).get() == reloaded
