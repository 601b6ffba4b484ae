"""The dashboard export writes formula-like organization names as text and keeps the
figures as numbers."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from huigong.orgs.models import Organization
from huigong.testing.spreadsheets import HOSTILE_NAME, assert_exported_as_text


def test_dashboard_export_writes_a_formula_like_name_as_text(client, tree, persons, county_cadre):
    Organization.objects.filter(pk=tree.huangtupu.pk).update(name=HOSTILE_NAME)
    client.force_login(county_cadre)
    response = client.get(reverse("stats:export"), {"org": tree.county.pk})
    assert_exported_as_text(response)
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "'" + HOSTILE_NAME)
    assert [c.data_type for c in row[1:]] == ["n"] * (len(row) - 1)
