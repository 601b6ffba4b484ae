"""A campaign's actions (``inspections.actions``): offered by state, by what there is to
act on and by permission at the campaign's organization — and the campaign page and the
API offer the same ones."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huigong.accounts.models import ApiToken
from huigong.inspections import services
from huigong.inspections.actions import inspection_actions, page_action
from huigong.kernel.actions import actions_for

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2025, 9, 1)


@pytest.fixture
def planned(plan):
    return plan(now=NOW)


def offered(user, inspection) -> list[str]:
    inspection.refresh_from_db()
    return inspection_actions.allowed_names(user, inspection)


def page_actions(client, inspection) -> list[str]:
    """The actions the campaign page offers, by name: its forms and the plan link."""
    body = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    slugs = re.findall(r'<details class="card mb-2" id="action-([a-z_]+)"', body)
    names = [page_action(slug).name for slug in slugs]
    if 'data-testid="inspection-edit"' in body:
        names.append("update")
    return names


def api_actions(client, user, inspection) -> list[str]:
    _token, key = ApiToken.issue(user, "tests", scope="read")
    response = client.get(
        f"/api/v1/cases/inspections/{inspection.pk}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()["actions"]


def test_the_model_declares_its_actions_to_the_kernel():
    from huigong.inspections.models import Inspection

    assert actions_for(Inspection) is inspection_actions


def test_actions_follow_the_state_and_what_there_is_to_act_on(planned, township_cadre, tree):
    me = township_cadre
    assert offered(me, planned) == ["start", "update", "add_target", "cancel"]
    services.start_inspection(actor=me, inspection=planned, now=NOW)
    # Nothing to visit, find, order or open a case from yet.
    assert offered(me, planned) == ["update", "add_target", "cancel", "finish"]
    target = services.add_inspection_target(
        actor=me, inspection=planned, organization=tree.xinfa, now=NOW
    )
    assert offered(me, planned) == [
        "update",
        "add_target",
        "cancel",
        "record_visit",
        "record_finding",
        "finish",
    ]
    finding = services.record_finding(
        actor=me, target=target, kind="no_contract", description="未签合同", now=NOW
    )
    assert offered(me, planned)[-2:] == ["issue_order", "open_case"]
    order = services.issue_rectification_order(
        actor=me, finding=finding, requirement="签订合同", days=10, now=NOW
    )
    assert offered(me, planned)[-3:] == ["issue_order", "record_rectification", "open_case"]
    services.finish_inspection(actor=me, inspection=planned, summary="检查 1 家", now=NOW)
    assert offered(me, planned) == ["issue_order", "record_rectification", "open_case"]
    services.record_rectification(actor=me, order=order, result_text="已签订", now=NOW)
    assert offered(me, planned) == ["issue_order", "open_case"]


def test_a_cancelled_campaign_offers_nothing(planned, township_cadre):
    services.cancel_inspection(actor=township_cadre, inspection=planned, reason="改期", now=NOW)
    assert offered(township_cadre, planned) == []


def test_viewers_and_other_scopes_are_offered_nothing(
    planned, station_staff, sibling_cadre, county_cadre
):
    assert offered(station_staff, planned) == []
    assert offered(sibling_cadre, planned) == []
    # The county holds the permission over the township's campaigns.
    assert offered(county_cadre, planned) == ["start", "update", "add_target", "cancel"]


def test_the_page_and_the_api_offer_the_same_actions(
    client, planned, township_cadre, station_staff, tree
):
    def same(user):
        client.force_login(user)
        expected = offered(user, planned)
        assert sorted(page_actions(client, planned)) == sorted(expected)
        assert api_actions(client, user, planned) == expected

    same(township_cadre)
    same(station_staff)
    services.start_inspection(actor=township_cadre, inspection=planned, now=NOW)
    target = services.add_inspection_target(
        actor=township_cadre, inspection=planned, organization=tree.xinfa, now=NOW
    )
    services.record_finding(
        actor=township_cadre, target=target, kind="other", description="问题", now=NOW
    )
    same(township_cadre)
    services.finish_inspection(actor=township_cadre, inspection=planned, now=NOW)
    same(township_cadre)


def test_the_page_posts_each_action_to_its_own_path():
    slugs = {a.name: a.form.prefix_name for a in inspection_actions.of() if a.name != "update"}
    assert slugs == {
        "start": "start",
        "add_target": "target",
        "cancel": "cancel",
        "record_visit": "visit",
        "record_finding": "finding",
        "finish": "finish",
        "issue_order": "order",
        "record_rectification": "rectify",
        "open_case": "case",
    }
    assert page_action("update") is None and page_action("explode") is None
