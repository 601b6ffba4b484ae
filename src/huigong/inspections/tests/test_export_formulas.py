"""The inspection export writes formula-like text as text (CSV/formula injection)."""

from django.urls import reverse

from huigong.testing.spreadsheets import assert_exported_as_text


def test_inspection_export_writes_a_formula_like_name_as_text(client, township_cadre, plan):
    plan(name="@SUM(1+1)联合检查")
    client.force_login(township_cadre)
    response = client.get(reverse("inspections:list"), {"export": "xlsx"})
    assert_exported_as_text(response, "@SUM(1+1)联合检查")
