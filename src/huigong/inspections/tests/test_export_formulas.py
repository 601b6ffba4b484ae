"""The inspection export writes formula-like text as text (CSV/formula injection)."""

import datetime

from django.urls import reverse

from huigong.inspections import services
from huigong.testing.spreadsheets import assert_exported_as_text


def test_inspection_export_writes_a_formula_like_name_as_text(
    client, tree, township_cadre, labour_inspection
):
    services.plan_inspection(
        actor=township_cadre,
        organization=tree.huangtupu,
        name="@SUM(1+1)联合检查",
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2025, 9, 30),
        departments=[labour_inspection],
    )
    client.force_login(township_cadre)
    response = client.get(reverse("inspections:list"), {"export": "xlsx"})
    assert_exported_as_text(response, "@SUM(1+1)联合检查")
