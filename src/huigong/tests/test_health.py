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
