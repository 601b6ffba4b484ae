"""Audit exports write formula-like object names and reasons as text."""

from django.urls import reverse

from huigong.audit.services import record_access
from huigong.testing.factories import PersonFactory
from huigong.testing.spreadsheets import HOSTILE_NAME, assert_exported_as_text

from .conftest import update_person


def test_change_and_access_log_exports_write_formula_like_text_as_text(
    client, tree, township_cadre, auditor
):
    person = PersonFactory(organization=tree.xinfa, name="王建国")
    update_person(person, actor=township_cadre, name=HOSTILE_NAME)
    record_access(actor=township_cadre, obj=person, fields=["id_number"], reason="+核实身份")
    client.force_login(auditor)
    assert_exported_as_text(client.get(reverse("audit:changes"), {"export": "xlsx"}))
    response = client.get(reverse("audit:access"), {"export": "xlsx"})
    assert_exported_as_text(response)
    assert_exported_as_text(response, "+核实身份")
