"""JSON bodies are normalised like forms: what a client sends with control characters or
lone surrogates is stored clean, and passwords are left as typed."""

from __future__ import annotations

from huigong.people.models import Person
from huigong.testing.factories import PersonFactory

from .conftest import API, bearer


def test_json_strings_lose_control_characters_and_lone_surrogates(client, tree, county_cadre):
    person = PersonFactory(organization=tree.xinfa, name="周杰")
    body = '{"address": "\\u0007黄土铺镇\\ud800新发\\u0000路 e\\u0301", "name": "周\\u001b杰"}'
    response = client.patch(
        f"{API}/people/persons/{person.pk}",
        data=body,
        content_type="application/json",
        **bearer(county_cadre),
    )
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=person.pk)
    assert person.address == "黄土铺镇新发路 é"
    assert person.name == "周杰"
