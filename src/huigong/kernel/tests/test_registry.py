"""The registries: what apps register is what the menu, the portal, the seeds, the roles
and the beat schedule read."""

from __future__ import annotations

import pytest
from celery.schedules import crontab

from huigong.kernel import registry


def test_the_installed_apps_register_their_menu_in_order(county_cadre):
    keys = [item["key"] for item in registry.menu_for(county_cadre)]
    assert keys[:4] == ["stats", "orgs", "people", "cases"]
    assert "inspections" in keys and "admin" not in keys


def test_workers_and_visitors_get_no_menu(worker, rf):
    from django.contrib.auth.models import AnonymousUser

    assert registry.menu_for(worker) == []
    assert registry.menu_for(AnonymousUser()) == []


def test_registering_again_replaces_the_entry():
    item = registry.MenuItem("audit", "审计", "audit:changes", permission="audit.view_audit")
    before = len(registry.menu_items())
    registry.register_menu_item(item)
    assert len(registry.menu_items()) == before


def test_the_beat_schedule_is_built_from_sweeps_and_jobs():
    schedule = registry.beat_schedule()
    assert schedule["sweep-cases.deadlines"] == {
        "task": registry.RUN_SWEEP_TASK,
        "schedule": 3600.0,
        "args": ("cases.deadlines",),
    }
    assert schedule["kernel-daily-digests"]["schedule"] == crontab(hour=8, minute=0)
    assert schedule["stats-rollup-indicators"]["task"] == "huigong.stats.rollup_indicators"


def test_one_interval_for_every_sweep_may_be_set(settings):
    settings.SWEEP_INTERVAL_SECONDS = 10.0
    schedule = registry.beat_schedule()
    sweeps = [entry for name, entry in schedule.items() if name.startswith("sweep-")]
    assert sweeps and {entry["schedule"] for entry in sweeps} == {10.0}
    assert schedule["kernel-daily-digests"]["schedule"] == crontab(hour=8, minute=0)


def test_celery_beat_reads_the_registry():
    from huigong.celery import app

    app.finalize()
    assert "sweep-inspections.rectifications" in app.conf.beat_schedule
    assert "common-clean-import-previews" in app.conf.beat_schedule


def test_an_unknown_sweep_is_a_lookup_error():
    with pytest.raises(LookupError):
        registry.run_sweep("no.such.sweep")


def test_roles_get_what_the_apps_grant(db):
    from huigong.accounts.models import Role
    from huigong.accounts.services import seed_roles

    assert "cases.handle_case" in registry.granted("station_staff")
    seed_roles()
    role = Role.objects.get(code="station_staff")
    assert role.permissions.filter(codename="handle_case", content_type__app_label="cases").exists()


def test_seed_reference_runs_every_registered_seed(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_reference", stdout=out)
    names = [line.split(" created")[0] for line in out.getvalue().splitlines()]
    assert names[:3] == ["roles", "holidays", "case categories"]
