"""/healthz checks what the process needs to serve (database, cache, broker, the encryption
key) and answers JSON for any Host header (huigong.health)."""

from __future__ import annotations

import socket

import pytest
from cryptography.fernet import Fernet
from django.db import OperationalError

from huigong import health
from huigong.celery import app as celery_app
from huigong.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_remembered_encryption_check():
    health._encryption_passed.clear()
    yield
    health._encryption_passed.clear()


def healthz(client, status: int, **headers) -> dict:
    response = client.get("/healthz", **headers)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_healthy_process_reports_every_check(client):
    body = healthz(client, 200)
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "skipped", "encryption": "ok"},
    }


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_prober_with_a_host_that_is_not_allowed_gets_the_answer(client, settings, debug):
    settings.DEBUG = debug
    settings.ALLOWED_HOSTS = ["gh.example.org"]
    body = healthz(client, 200, HTTP_HOST="10.0.3.17:8001")
    assert body["status"] == "ok"


def test_database_down_is_json_503_naming_the_database(client, monkeypatch, settings):
    settings.DEBUG = False

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("huigong.health.connection.cursor", refuse)
    body = healthz(client, 503)
    assert body["status"] == "error"
    assert body["checks"]["database"] == "error"
    assert body["checks"]["encryption"] == "skipped"


def test_wrong_encryption_key_is_503(client, tree, settings):
    PersonFactory(organization=tree.xinfa, phone="13800000079")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    body = healthz(client, 503)
    assert body["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "skipped",
        "encryption": "error",
    }


@pytest.fixture
def broker(settings, monkeypatch):
    """Point the Celery app at a broker, as HUIGONG_CELERY_BROKER_URL does."""

    def use(url: str):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        monkeypatch.setattr(celery_app.conf, "broker_url", url)
        monkeypatch.setattr(celery_app.conf, "broker_write_url", None)

    return use


def redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_listening(), reason="no Redis on 127.0.0.1:6379")
def test_reachable_broker_is_ok(client, broker):
    broker("redis://127.0.0.1:6379/14")
    assert healthz(client, 200)["checks"]["broker"] == "ok"


def test_unreachable_broker_is_503(client, broker):
    broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    body = healthz(client, 503)
    assert body["checks"]["broker"] == "error"
    assert body["checks"]["database"] == "ok"


# -- /readyz: the deployment around the process ------------------------------------------------


def readyz(client, status: int) -> dict:
    response = client.get("/readyz", HTTP_HOST="10.0.3.17:8001")
    assert response.status_code == status, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    return response.json()


@pytest.fixture
def _fresh_readiness(monkeypatch):
    health._migrations_passed.clear()
    yield
    health._migrations_passed.clear()


def test_ready_in_the_embedded_default(client, _fresh_readiness):
    body = readyz(client, 200)
    assert body["checks"]["migrations"] == "ok"
    assert body["checks"]["workers"] == "skipped"  # tasks run in-process
    assert set(body["checks"]) == {
        "database",
        "cache",
        "broker",
        "encryption",
        "migrations",
        "workers",
    }


def test_an_unapplied_migration_makes_the_deployment_not_ready(
    client, monkeypatch, _fresh_readiness
):
    from django.db.migrations.executor import MigrationExecutor

    real_plan = MigrationExecutor.migration_plan

    def one_pending(self, targets, clean_start=False):
        migration = self.loader.get_migration("imports", "0001_initial")
        assert real_plan(self, targets, clean_start) == []
        return [(migration, False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", one_pending)
    body = readyz(client, 503)
    assert body["checks"]["migrations"] == "error"
    assert "migrations" not in healthz(client, 200)["checks"]  # liveness is unaffected


def test_workers_are_ready_only_while_their_heartbeat_is_fresh(
    client, settings, monkeypatch, _fresh_readiness
):
    from django.core.cache import cache

    from huigong.kernel.registry import beat_schedule
    from huigong.kernel.tasks import WORKER_HEARTBEAT_KEY, worker_heartbeat

    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker
    monkeypatch.setitem(health.CHECKS, "broker", lambda: health.OK)
    cache.delete(WORKER_HEARTBEAT_KEY)
    assert readyz(client, 503)["checks"]["workers"] == "error"

    assert beat_schedule()["kernel-worker-heartbeat"]["task"] == "huigong.kernel.worker_heartbeat"
    worker_heartbeat.apply()  # what the worker runs when beat sends it
    assert readyz(client, 200)["checks"]["workers"] == "ok"

    cache.set(WORKER_HEARTBEAT_KEY, cache.get(WORKER_HEARTBEAT_KEY) - 600)
    assert readyz(client, 503)["checks"]["workers"] == "error"
