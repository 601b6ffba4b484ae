"""The admin shows persons for look-ups only: masked values, no ciphertext, no edits."""

from django.db import connection
from django.urls import reverse

from huigong.people import services

from .conftest import MINE_ID, MINE_PHONE


def stored_ciphertext(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_admin_pages_show_masked_values_only(tree, login, superuser, township_cadre, mine):
    services.add_household_member(
        actor=township_cadre, person=mine, relation="child", name="刘小明"
    )
    client = login(superuser)
    ciphertext = stored_ciphertext(mine.pk)
    for url in (
        reverse("admin:people_person_changelist"),
        reverse("admin:people_person_change", args=[mine.pk]),
        reverse("admin:people_householdmember_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert MINE_ID not in body and MINE_PHONE not in body
        assert ciphertext not in body
        assert mine.id_number_hash not in body
    assert (
        "**************" in client.get(reverse("admin:people_person_changelist")).content.decode()
    )


def test_admin_cannot_add_change_or_delete(tree, login, superuser, mine):
    client = login(superuser)
    assert client.get(reverse("admin:people_person_add")).status_code == 403
    response = client.post(reverse("admin:people_person_change", args=[mine.pk]), {"name": "改名"})
    assert response.status_code == 403
    assert client.post(reverse("admin:people_person_delete", args=[mine.pk])).status_code == 403
    mine.refresh_from_db()
    assert mine.name == "刘德华"
