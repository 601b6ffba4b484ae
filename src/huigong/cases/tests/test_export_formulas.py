"""Case exports write formula-like text as text (CSV/formula injection)."""

from django.urls import reverse

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
