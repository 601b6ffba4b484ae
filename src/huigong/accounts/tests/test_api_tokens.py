import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from huigong.accounts.backends import authenticate_api_key
from huigong.accounts.models import ApiToken
from huigong.accounts.services import MAX_API_TOKENS, issue_api_token, revoke_api_token
from huigong.audit.models import ChangeLog

STAFF_PAGE = "/accounts/tokens/"
PORTAL_PAGE = "/m/me/tokens/"


# --- services ---------------------------------------------------------------------------


def test_issued_key_works_and_only_its_hash_is_stored(township_cadre):
    token, key = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    assert key.startswith("hg_")
    assert key not in token.key_hash and token.key_hash == ApiToken.hash_key(key)
    assert token.prefix == key[3:11]
    assert abs(
        token.expires_at - (timezone.now() + datetime.timedelta(days=30))
    ) < datetime.timedelta(minutes=1)
    assert authenticate_api_key(key) == township_cadre
    token.refresh_from_db()
    assert token.last_used_at is not None
    entry = ChangeLog.objects.get(object_type="accounts.apitoken")
    assert entry.action == "create" and entry.actor == township_cadre
    assert entry.org_path == township_cadre.assignments.get().organization.path
    assert key not in str(entry.changes)


def test_revoked_expired_or_unknown_keys_do_not_work(township_cadre):
    token, key = issue_api_token(actor=township_cadre, name="对接")
    assert token.expires_at is None
    revoke_api_token(actor=township_cadre, token=token)
    assert authenticate_api_key(key) is None
    assert not ApiToken.objects.exists()
    assert ChangeLog.objects.filter(object_type="accounts.apitoken", action="delete").count() == 1

    token, key = issue_api_token(actor=township_cadre, name="过期", lifetime_days=30)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert authenticate_api_key(key) is None
    for junk in ["", None, "hg_nope", "x" * 500, key[:-1]]:
        assert authenticate_api_key(junk) is None


def test_key_of_deactivated_user_does_not_work(township_cadre):
    _, key = issue_api_token(actor=township_cadre, name="对接")
    township_cadre.is_active = False
    township_cadre.save()
    assert authenticate_api_key(key) is None


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", 30, "name"), ("  ", None, "name"), ("长" * 61, 30, "name"), ("ok", 7, "lifetime_days")],
)
def test_bad_token_input_is_a_field_error(township_cadre, name, days, field):
    with pytest.raises(ValidationError) as exc:
        issue_api_token(actor=township_cadre, name=name, lifetime_days=days)
    assert field in exc.value.message_dict
    assert not ApiToken.objects.exists()
    assert not ChangeLog.objects.exists()


def test_duplicate_name_and_token_limit(township_cadre):
    issue_api_token(actor=township_cadre, name="小程序")
    with pytest.raises(ValidationError) as exc:
        issue_api_token(actor=township_cadre, name="小程序")
    assert "同名" in exc.value.message_dict["name"][0]
    for n in range(MAX_API_TOKENS - 1):
        issue_api_token(actor=township_cadre, name=f"t{n}")
    with pytest.raises(ValidationError) as exc:
        issue_api_token(actor=township_cadre, name="one too many")
    assert "最多" in exc.value.message_dict["name"][0]
    assert ApiToken.objects.count() == MAX_API_TOKENS


def test_user_cannot_revoke_someone_elses_token(township_cadre, sibling_cadre):
    token, key = issue_api_token(actor=township_cadre, name="小程序")
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=sibling_cadre, token=token)
    assert authenticate_api_key(key) == township_cadre


def test_superuser_may_revoke_any_token(township_cadre, superuser):
    token, _ = issue_api_token(actor=township_cadre, name="小程序")
    revoke_api_token(actor=superuser, token=token)
    assert not ApiToken.objects.exists()


# --- pages: the permission matrix -------------------------------------------------------


def test_anonymous_cannot_open_or_post_token_pages(client, db):
    for url in (STAFF_PAGE, PORTAL_PAGE):
        assert client.get(url).status_code == 302
        assert client.post(url, {"name": "x", "lifetime_days": "30"}).status_code == 302
    assert client.post("/accounts/tokens/1/revoke/").status_code == 302
    assert not ApiToken.objects.exists()


def test_staff_creates_token_and_sees_key_once(client, township_cadre):
    client.force_login(township_cadre)
    response = client.post(STAFF_PAGE, {"name": "数据对接", "lifetime_days": "90"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    key = re.search(r'value="(hg_[^"]+)"', html).group(1)
    assert authenticate_api_key(key) == township_cadre
    assert "请立即复制保存" in html
    assert 'data-testid="token"' in html
    again = client.get(STAFF_PAGE).content.decode()
    assert key not in again
    assert "数据对接" in again and f"hg_{key[3:11]}" in again


def test_staff_token_page_bad_input_shows_field_error(client, township_cadre):
    client.force_login(township_cadre)
    response = client.post(STAFF_PAGE, {"name": "", "lifetime_days": "1000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-name"' in html
    assert 'data-testid="error-lifetime_days"' in html
    assert not ApiToken.objects.exists()


def test_staff_revokes_own_token(client, township_cadre):
    token, key = issue_api_token(actor=township_cadre, name="小程序")
    client.force_login(township_cadre)
    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response["Location"] == STAFF_PAGE
    assert authenticate_api_key(key) is None


def test_revoking_needs_post(client, township_cadre):
    token, _ = issue_api_token(actor=township_cadre, name="小程序")
    client.force_login(township_cadre)
    assert client.get(reverse("accounts:revoke_token", args=[token.pk])).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_other_users_token_is_not_found_and_stays(client, township_cadre, sibling_cadre, worker):
    token, key = issue_api_token(actor=township_cadre, name="小程序")
    client.force_login(sibling_cadre)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    assert 'data-testid="no-tokens"' in client.get(STAFF_PAGE).content.decode()
    client.force_login(worker)
    assert client.post(reverse("portal:revoke_token", args=[token.pk])).status_code == 404
    assert authenticate_api_key(key) == township_cadre


def test_worker_uses_the_portal_token_page(client, worker):
    client.force_login(worker)
    response = client.post(PORTAL_PAGE, {"name": "小程序", "lifetime_days": "365"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "portal-tabbar" in html
    key = re.search(r'value="(hg_[^"]+)"', html).group(1)
    assert authenticate_api_key(key) == worker
    token = ApiToken.objects.get()
    response = client.post(reverse("portal:revoke_token", args=[token.pk]))
    assert response["Location"] == PORTAL_PAGE
    assert not ApiToken.objects.exists()


def test_worker_on_staff_token_page_is_sent_to_portal(client, worker):
    client.force_login(worker)
    response = client.get(STAFF_PAGE)
    assert response["Location"] == reverse("portal:home")


def test_staff_on_portal_token_page_is_forbidden(client, township_cadre):
    client.force_login(township_cadre)
    assert client.get(PORTAL_PAGE).status_code == 403
    assert client.post(PORTAL_PAGE, {"name": "x", "lifetime_days": "30"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_token_page_uses_no_csrf_exemption(township_cadre):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(township_cadre)
    assert client.post(STAFF_PAGE, {"name": "x", "lifetime_days": "30"}).status_code == 403
    assert not ApiToken.objects.exists()
