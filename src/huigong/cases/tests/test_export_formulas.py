"""Case and inspection exports write formula-like text as text (CSV/formula injection)."""

import datetime

from django.urls import reverse

from huigong.cases import services
from huigong.testing.factories import make_id_number
from huigong.testing.spreadsheets import HOSTILE_NAME, assert_exported_as_text


def test_case_list_and_queue_exports_write_formula_like_text_as_text(
    client, township_cadre, make_case
):
    make_case(
        title="-2+3+cmd|' /C calc'!A0",
        applicants=[{"name": HOSTILE_NAME, "id_number": make_id_number()}],
    )
    client.force_login(township_cadre)
    for url in (reverse("cases:list"), reverse("cases:queue", args=["awaiting"])):
        response = client.get(url, {"export": "xlsx"})
        assert_exported_as_text(response)
        assert_exported_as_text(response, "-2+3+cmd|' /C calc'!A0")


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
    response = client.get(reverse("cases:inspection_list"), {"export": "xlsx"})
    assert_exported_as_text(response, "@SUM(1+1)联合检查")
