"""The example module is wired by ``INSTALLED_APPS`` alone: its menu item, portal tile,
URLs, API route, actions, timeline visibility, role grants and deadline sweep are all
picked up by the platform's readers."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from huigong.accounts.services import seed_roles
from huigong.kernel.actions import actions_for
from huigong.kernel.registry import beat_schedule, menu_for, tiles_for
from huigong.kernel.timeline import Audience, event_model_for
from huigong.testing.example import services
from huigong.testing.example.models import Errand, ErrandEvent


@pytest.fixture
def errand(tree, township_cadre, worker):
    seed_roles()  # grants the example's permissions to the township cadre's role
    return services.open_errand(
        actor=township_cadre,
        organization=tree.huangtupu,
        person=worker.person,
        title="补办工资条",
        due_date=datetime.date(2026, 3, 2),
    )


def test_the_menu_shows_its_item_to_whom_holds_the_permission(errand, township_cadre, auditor):
    assert "example" in [i["key"] for i in menu_for(township_cadre)]
    assert "example" not in [i["key"] for i in menu_for(auditor)]


def test_the_portal_shows_its_tile_and_page(client, errand, worker):
    assert "example" in [t["key"] for t in tiles_for(worker)]
    client.force_login(worker)
    page = client.get(reverse("portal:errands")).content.decode()
    assert "补办工资条" in page and "登记" in page


def test_actions_are_offered_by_state_and_run_their_service(client, errand, township_cadre):
    offered = actions_for(Errand).allowed_names(township_cadre, errand)
    assert offered == ["note", "finish"]
    client.force_login(township_cadre)
    page = client.get(reverse("example:detail", args=[errand.pk])).content.decode()
    assert 'data-testid="action-finish"' in page
    response = client.post(
        reverse("example:action", args=[errand.pk, "finish"]), {"result": "已补"}
    )
    assert response.status_code == 302
    errand.refresh_from_db()
    assert errand.status == Errand.Status.DONE
    assert actions_for(Errand).allowed_names(township_cadre, errand) == ["note"]
    # A bad form changes nothing and says why.
    response = client.post(reverse("example:action", args=[errand.pk, "note"]), {"note": ""})
    assert response.status_code == 400
    assert errand.events.filter(kind=ErrandEvent.Kind.NOTE).count() == 0


def test_a_user_outside_the_scope_gets_nothing(client, errand, sibling_cadre):
    client.force_login(sibling_cadre)
    assert client.get(reverse("example:detail", args=[errand.pk])).status_code == 404
    assert actions_for(Errand).allowed_names(sibling_cadre, errand) == []


def test_the_api_route_is_mounted_and_lists_the_same_actions(client, errand, township_cadre):
    from huigong.accounts.services import api_token_lifetimes, issue_api_token

    lifetime = api_token_lifetimes()[0]
    token = issue_api_token(actor=township_cadre, name="t", lifetime_days=lifetime)[1]
    response = client.get(
        f"/api/v1/example/errands/{errand.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["actions"] == ["note", "finish"]
    assert body["timeline"] == ["登记"]


def test_the_timeline_shows_each_audience_its_part(errand, township_cadre, worker):
    assert event_model_for(Errand) is ErrandEvent
    services.add_note(actor=township_cadre, errand=errand, note="内部备注")
    services.finish_errand(actor=township_cadre, errand=errand, result="已补发")
    staff = [e.kind for e in errand.events.for_audience(Audience.STAFF)]
    mine = [e.kind for e in errand.events.for_audience(Audience.WORKER, viewer=worker)]
    assert staff == ["opened", "note", "done"]
    assert mine == ["opened", "done"]


def test_the_sweep_is_scheduled_and_runs_from_the_command(errand):
    entry = beat_schedule()["sweep-example.errands"]
    assert entry["args"] == ("example.errands",)
    call_command("sweep_deadlines", "--only", "example.errands", "--date", "2026-03-03")
    call_command("sweep_deadlines", "--only", "example.errands", "--date", "2026-03-04")
    errand.refresh_from_db()
    assert errand.is_overdue
    assert errand.events.filter(kind=ErrandEvent.Kind.OVERDUE).count() == 1
