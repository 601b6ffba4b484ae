import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from huigong.testing.fixtures import PASSWORD

LOGIN = "/accounts/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_staff_signs_in_and_lands_on_home(client, township_cadre):
    response = _login(client, "huangtupu", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == township_cadre.pk


def test_sign_in_follows_safe_next_only(client, township_cadre):
    response = client.post(
        f"{LOGIN}?next=/accounts/tokens/", {"username": "huangtupu", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/tokens/"
    client.logout()
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"username": "huangtupu", "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_chinese_error_with_lockout_warning(client, township_cadre):
    response = _login(client, "huangtupu", "wrong-password")
    assert response.status_code == 200
    text = response.content.decode()
    assert "用户名或密码不正确" in text
    assert "连续输错 5 次将锁定 30 分钟" in text
    assert not _signed_in(client)


def test_empty_form_gives_field_errors_not_500(client, db):
    response = client.post(LOGIN, {})
    assert response.status_code == 200
    assert "请填写用户名" in response.content.decode()
    assert "请填写密码" in response.content.decode()


def test_lockout_after_five_failures_even_with_right_password(client, township_cadre):
    for _ in range(4):
        assert _login(client, "huangtupu", "wrong-password").status_code == 200
    fifth = _login(client, "huangtupu", "wrong-password")
    assert fifth.status_code == 429
    assert 'data-testid="locked-out"' in fifth.content.decode()
    response = _login(client, "huangtupu", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert 'data-testid="locked-out"' in text
    assert "连续输错 5 次" in text
    assert "30 分钟" in text
    assert "联系系统管理员" in text
    assert not _signed_in(client)


def test_four_failures_do_not_lock(client, township_cadre):
    for _ in range(4):
        _login(client, "huangtupu", "wrong-password")
    assert _login(client, "huangtupu", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_success_resets_the_failure_count(client, township_cadre):
    for _ in range(4):
        _login(client, "huangtupu", "wrong-password")
    assert _login(client, "huangtupu", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="huangtupu").exists()
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        _login(client, "huangtupu", "wrong-password")
    assert _login(client, "huangtupu", PASSWORD).status_code == 302


def test_lockout_is_per_account_and_address(client, township_cadre, sibling_cadre):
    for _ in range(5):
        _login(client, "huangtupu", "wrong-password")
    assert _login(client, "baidishi", PASSWORD).status_code == 302
    other_address = Client(REMOTE_ADDR="10.0.0.8")
    assert _login(other_address, "huangtupu", PASSWORD).status_code == 302


def test_csrf_is_enforced_on_sign_in(township_cadre):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "huangtupu", "password": PASSWORD})
    assert response.status_code == 403
    assert not _signed_in(client)

    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(
        LOGIN, {"username": "huangtupu", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert _signed_in(client)


def test_csrf_is_enforced_on_sign_out(township_cadre):
    client = Client(enforce_csrf_checks=True)
    client.force_login(township_cadre)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert _signed_in(client)


def test_sign_out_needs_post(client, township_cadre):
    client.force_login(township_cadre)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _signed_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert not _signed_in(client)


def test_worker_cannot_sign_in_on_staff_page(client, worker):
    response = _login(client, worker.username, PASSWORD)
    assert response.status_code == 200
    assert "职工账号请在职工服务门户用手机号登录" in response.content.decode()
    assert not _signed_in(client)


def test_inactive_staff_cannot_sign_in(client, township_cadre):
    township_cadre.is_active = False
    township_cadre.save()
    response = _login(client, "huangtupu", PASSWORD)
    assert response.status_code == 200
    assert not _signed_in(client)


def test_login_rotates_session_key(client, township_cadre):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    _login(client, "huangtupu", PASSWORD)
    assert client.session.session_key != before


@pytest.mark.parametrize("header", ["Cache-Control"])
def test_login_page_is_not_cached(client, db, header):
    response = client.get(LOGIN)
    assert "no-cache" in response[header] or "max-age=0" in response[header]


def test_session_cookie_is_http_only_and_expires_with_browser(client, township_cadre, settings):
    response = _login(client, "huangtupu", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["expires"]


def test_one_address_spraying_many_names_is_locked(client, township_cadre, sibling_cadre, settings):
    # One password tried against many names: no single name reaches 5 failures, but the
    # address does reach the address limit, and then even a right password is refused.
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    for i in range(12):
        response = _login(client, f"guess{i:02d}", "Huigong@2026")
        assert response.status_code == 200
    assert not AccessAttempt.objects.filter(failures_since_start__gte=2).exists()
    refused = _login(client, "huangtupu", PASSWORD)
    assert refused.status_code == 429
    assert "这个网络地址近期登录失败的次数过多" in refused.content.decode()
    assert not _signed_in(client)
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(elsewhere, "baidishi", PASSWORD).status_code == 302


def test_a_few_failures_of_several_people_at_one_address_do_not_lock_it(
    client, township_cadre, sibling_cadre
):
    # A station's shared connection: colleagues mistype now and then.
    for name in ["huangtupu", "baidishi", "station", "grid"] * 3:
        _login(client, name, "mistyped")
    assert _login(client, "baidishi", PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_limit_counts_clients_not_the_proxy(
    township_cadre, sibling_cadre, settings
):
    # nginx on 127.0.0.1 in front of gunicorn: without HUIGONG_PROXY_COUNT every client
    # would share the proxy's address, and one sprayer would lock out everyone.
    settings.PROXY_COUNT = 1
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    # The sprayer also writes a forged X-Forwarded-For of its own: nginx appends the real
    # address after it, and only that last entry is trusted.
    sprayer = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    for i in range(6):
        _login(sprayer, f"guess{i}", "Huigong@2026")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert _login(sprayer, "huangtupu", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert _login(colleague, "baidishi", PASSWORD).status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(township_cadre, settings):
    settings.PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    _login(client, "huangtupu", "wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.1"]
