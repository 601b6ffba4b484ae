"""A lost lock race outside any view (a session saved by its middleware, a sign-in
recorded by axes) is answered like one inside a view: 503 "busy, send again"."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from huigong.common.busy import BUSY_CODE


class LockedSessionSave:
    """Stands in for a middleware whose own write finds the database locked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("database is locked")


@pytest.fixture
def locked_site(settings):
    settings.DEBUG = False
    settings.MIDDLEWARE = [
        "huigong.tests.test_busy.LockedSessionSave",
        *settings.MIDDLEWARE,
    ]
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_lock_error_in_a_middleware_is_the_busy_page(locked_site):
    response = locked_site.get("/accounts/login/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "系统正忙,本次提交没有保存,请稍后重新提交" in response.content.decode()


@pytest.mark.django_db
def test_lock_error_in_a_middleware_under_the_api_is_json_busy(locked_site):
    response = locked_site.get("/api/v1/me")
    assert response.status_code == 503
    assert response.json()["code"] == BUSY_CODE


@pytest.mark.django_db
def test_other_errors_in_a_middleware_stay_server_errors(settings):
    settings.DEBUG = False
    settings.MIDDLEWARE = ["huigong.tests.test_busy.Broken", *settings.MIDDLEWARE]
    response = Client(raise_request_exception=False).get("/accounts/login/")
    assert response.status_code == 500


class Broken(LockedSessionSave):
    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("no such table: django_session")
