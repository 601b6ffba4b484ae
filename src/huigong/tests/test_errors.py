"""Errors reach people as friendly Chinese pages, and API clients as the JSON envelope with
a stable code, with DEBUG on or off (huigong.errors)."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template.loader import render_to_string
from django.test import Client

from huigong.testing.api import assert_api_error
from huigong.testing.factories import PersonFactory

BOOM_URLS = "huigong.tests.urls_boom"


@pytest.fixture
def anonymous():
    # Exceptions become responses, as for a real client (the handlers are under test).
    return Client(raise_request_exception=False)


# -- pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_page_with_debug_off_is_friendly_and_lists_no_url_patterns(anonymous, settings):
    settings.DEBUG = False
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在,或该对象不在您的管辖范围内" in html
    assert "返回首页" in html
    for leak in ("URLconf", "api/v1/", "admin/", "Using the URLconf"):
        assert leak not in html


@pytest.mark.django_db
def test_server_error_with_debug_off_is_the_friendly_page(anonymous, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = BOOM_URLS
    response = anonymous.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出现内部错误,已记录" in html
    assert "Traceback" not in html and "RuntimeError" not in html


@pytest.mark.django_db
def test_disallowed_host_is_the_friendly_bad_request_page(anonymous, settings):
    settings.DEBUG = False
    response = anonymous.get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "服务器无法处理这个请求" in response.content.decode()


def test_server_error_page_needs_no_database_request_or_static_files(settings):
    # No django_db mark: any query would raise. The manifest storage raises for any
    # {% static %} before collectstatic has run: the 500 page must render even then.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    html = render_to_string("500.html")
    mismatch = render_to_string("encryption_key_mismatch.html")
    assert "服务器错误" in html and "/static/" not in html
    assert "加密密钥不匹配" in mismatch and "/static/" not in mismatch


# -- the API ---------------------------------------------------------------------------------


API_404_PATHS = [
    "/api",
    "/api/",
    "/api/v2/people/persons",
    "/api/v1/",
    "/api/v1/no/such/endpoint",
    "/api/v1/people/persons/abc",
]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("path", API_404_PATHS)
def test_unknown_api_path_is_json_not_found(anonymous, settings, debug, path):
    settings.DEBUG = debug
    response = anonymous.get(path)
    assert_api_error(response, 404, "not_found")
    assert "X-Request-ID" in response


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_unexpected_exception_under_api_is_json_server_error(anonymous, settings, debug):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = BOOM_URLS
    body = assert_api_error(anonymous.get("/api/boom/"), 500, "server_error")
    assert "boom" not in body["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_suspicious_request_under_api_is_json_bad_request(anonymous, settings, debug):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = BOOM_URLS
    assert_api_error(anonymous.get("/api/suspicious/"), 400, "invalid_input")


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_api_call_with_disallowed_host_is_json_bad_request(anonymous, settings, debug):
    settings.DEBUG = debug
    response = anonymous.get("/api/v1/openapi.json", HTTP_HOST="evil.example.com")
    assert_api_error(response, 400, "invalid_input")


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_wrong_method_on_an_api_path_is_json_and_names_the_allowed_ones(anonymous, settings, debug):
    settings.DEBUG = debug
    response = anonymous.delete("/api/v1/me")
    assert_api_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


# -- a wrong encryption key ------------------------------------------------------------------


@pytest.fixture
def person_under_other_key(tree, settings):
    """A person written with the current key, then the key replaced by another one: what
    a database restored beside the wrong key looks like."""
    person = PersonFactory(organization=tree.xinfa, phone="13800000077")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return person


def test_wrong_key_on_a_detail_page_is_a_logged_key_error_not_not_found(
    anonymous, county_cadre, person_under_other_key, caplog
):
    anonymous.force_login(county_cadre)
    with caplog.at_level(logging.ERROR, logger="huigong.errors"):
        response = anonymous.get(f"/people/{person_under_other_key.pk}/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "加密密钥不匹配" in html
    assert "不在您的管辖范围内" not in html
    assert any("does not match" in r.getMessage() for r in caplog.records)


def test_wrong_key_in_the_api_is_json_encryption_key_mismatch(
    anonymous, county_cadre, person_under_other_key, caplog
):
    anonymous.force_login(county_cadre)
    with caplog.at_level(logging.ERROR, logger="huigong.errors"):
        response = anonymous.get(f"/api/v1/people/persons/{person_under_other_key.pk}")
    body = assert_api_error(response, 500, "encryption_key_mismatch")
    assert "加密密钥" in body["message"]
    assert any("does not match" in r.getMessage() for r in caplog.records)


def test_database_check_reports_a_wrong_key(person_under_other_key):
    with pytest.raises(SystemCheckError) as exc:
        call_command("check", databases=["default"])
    assert "huigong.E005" in str(exc.value)
    assert "people.Person" in str(exc.value)


def test_database_check_passes_with_the_right_key(tree):
    PersonFactory(organization=tree.xinfa, phone="13800000078")
    call_command("check", databases=["default"])
