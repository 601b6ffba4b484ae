"""Log rows for the audit tests, written through the audit service like real changes."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_access, record_change, snapshot
from huigong.testing.factories import PersonFactory, UserFactory, give_role


def page_text(html) -> str:
    """What a reader sees: markup removed, whitespace collapsed."""
    if not isinstance(html, str):
        html = html.content.decode()
    return re.sub(r"\s+", " ", strip_tags(html)).strip()


def update_person(person, *, actor, **values):
    """Change ``person`` and log it the way a service does: snapshots before and after."""
    before = snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    person.save()
    return record_change(
        actor=actor, obj=person, action=ChangeAction.UPDATE, before=before, after=snapshot(person)
    )


@pytest.fixture
def township_auditor(tree, roles):
    """An auditor of 黄土铺镇 only."""
    return give_role(
        UserFactory(username="ht_auditor", name="黄土铺审计员"), "auditor", tree.huangtupu
    )


@pytest.fixture
def logs(tree, township_cadre, sibling_cadre, county_cadre):
    """One change in each township, one at the city (above the county), one reveal in each
    township."""
    mine = PersonFactory(organization=tree.xinfa, name="王建国")
    theirs = PersonFactory(organization=tree.liuquan, name="李秀英")
    return {
        "mine": update_person(mine, actor=township_cadre, name="王建军"),
        "theirs": update_person(theirs, actor=sibling_cadre, name="李秀兰"),
        "city": record_change(
            actor=county_cadre,
            obj=tree.city,
            action=ChangeAction.UPDATE,
            before={"contact_name": "甲"},
            after={"contact_name": "乙"},
        ),
        "mine_access": record_access(
            actor=township_cadre,
            obj=mine,
            fields=["id_number", "phone"],
            reason_code="verify_identity",
            reason="来电核实",
        ),
        "theirs_access": record_access(
            actor=sibling_cadre,
            obj=theirs,
            fields=["id_number"],
            reason_code="assistance",
            reason="走访核对",
        ),
        "mine_person": mine,
        "theirs_person": theirs,
    }
