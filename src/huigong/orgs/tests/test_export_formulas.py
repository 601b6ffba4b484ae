"""The organization list export writes formula-like names as text (CSV/formula injection)."""

from django.urls import reverse

from huigong.orgs.models import Organization
from huigong.testing.spreadsheets import HOSTILE_NAME, assert_exported_as_text


def test_organization_export_writes_a_formula_like_name_as_text(client, tree, county_cadre):
    Organization.objects.filter(pk=tree.xinfa.pk).update(name=HOSTILE_NAME, short_name="@张")
    client.force_login(county_cadre)
    response = client.get(reverse("orgs:list"), {"export": "xlsx"})
    assert_exported_as_text(response)
    assert_exported_as_text(response, "@张")
