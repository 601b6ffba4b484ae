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
    assert authenticate_api_key(key).user == township_cadre
    token.refresh_from_db()
    assert token.last_used_at is not None
    entry = ChangeLog.objects.get(object_type="accounts.apitoken")
    assert entry.action == "create" and entry.actor == township_cadre
    assert entry.org_path == township_cadre.assignments.get().organization.path
    assert key not in str(entry.changes)


def test_revoked_expired_or_unknown_keys_do_not_work(township_cadre):
    token, key = issue_api_token(actor=township_cadre, name="对接", lifetime_days=30)
    assert authenticate_api_key(key) == token
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
    _, key = issue_api_token(actor=township_cadre, name="对接", lifetime_days=30)
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
    issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    with pytest.raises(ValidationError) as exc:
        issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    assert "同名" in exc.value.message_dict["name"][0]
    for n in range(MAX_API_TOKENS - 1):
        issue_api_token(actor=township_cadre, name=f"t{n}", lifetime_days=30)
    with pytest.raises(ValidationError) as exc:
        issue_api_token(actor=township_cadre, name="one too many", lifetime_days=30)
    assert "最多" in exc.value.message_dict["name"][0]
    assert ApiToken.objects.count() == MAX_API_TOKENS


def test_user_cannot_revoke_someone_elses_token(township_cadre, sibling_cadre):
    token, key = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=sibling_cadre, token=token)
    assert authenticate_api_key(key).user == township_cadre


def test_superuser_may_revoke_any_token(township_cadre, superuser):
    token, _ = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
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
    assert authenticate_api_key(key).user == township_cadre
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
    token, key = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    client.force_login(township_cadre)
    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response["Location"] == STAFF_PAGE
    assert authenticate_api_key(key) is None


def test_revoking_needs_post(client, township_cadre):
    token, _ = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    client.force_login(township_cadre)
    assert client.get(reverse("accounts:revoke_token", args=[token.pk])).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_other_users_token_is_not_found_and_stays(client, township_cadre, sibling_cadre, worker):
    token, key = issue_api_token(actor=township_cadre, name="小程序", lifetime_days=30)
    client.force_login(sibling_cadre)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    assert 'data-testid="no-tokens"' in client.get(STAFF_PAGE).content.decode()
    client.force_login(worker)
    assert client.post(reverse("portal:revoke_token", args=[token.pk])).status_code == 404
    assert authenticate_api_key(key).user == township_cadre


def test_worker_uses_the_portal_token_page(client, worker):
    client.force_login(worker)
    response = client.post(PORTAL_PAGE, {"name": "小程序", "lifetime_days": "365"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "portal-tabbar" in html
    key = re.search(r'value="(hg_[^"]+)"', html).group(1)
    assert authenticate_api_key(key).user == worker
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


# --- scopes and lifetimes ---------------------------------------------------------------


def test_tokens_are_read_only_unless_asked_and_always_expire(township_cadre):
    token, _key = issue_api_token(actor=township_cadre, name="报表脚本", lifetime_days=90)
    assert token.scope == "read"
    expected = timezone.now() + datetime.timedelta(days=90)
    assert abs(token.expires_at - expected) < datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        issue_api_token(actor=township_cadre, name="永久", lifetime_days=None)
    assert "lifetime_days" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        issue_api_token(actor=township_cadre, name="x", lifetime_days=30, scope="admin")
    assert error.value.message_dict["scope"] == ["请选择令牌的权限范围。"]
    assert ApiToken.objects.count() == 1


def test_lifetimes_beyond_the_configured_maximum_are_refused(township_cadre, settings, client):
    settings.API_TOKEN_MAX_DAYS = 90
    with pytest.raises(ValidationError):
        issue_api_token(actor=township_cadre, name="一年", lifetime_days=365)
    client.force_login(township_cadre)
    html = client.get(STAFF_PAGE).content.decode()
    assert 'value="90"' in html and 'value="365"' not in html
    assert "长期有效" not in html
    response = client.post(STAFF_PAGE, {"name": "一年", "lifetime_days": "365"})
    assert 'data-testid="error-lifetime_days"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_page_offers_read_only_first_and_creates_what_was_chosen(client, township_cadre):
    client.force_login(township_cadre)
    html = client.get(STAFF_PAGE).content.decode()
    assert re.search(r'value="read"[^>]*checked', html)
    client.post(STAFF_PAGE, {"name": "对接", "lifetime_days": "30", "scope": "write"})
    client.post(STAFF_PAGE, {"name": "查询", "lifetime_days": "30"})
    assert dict(ApiToken.objects.values_list("name", "scope")) == {"对接": "write", "查询": "read"}
    listing = client.get(STAFF_PAGE).content.decode()
    assert listing.count('data-testid="token-scope"') == 2
    assert "读写" in listing and "只读" in listing


def test_read_only_token_reads_but_cannot_write(client, township_cadre, tree):
    from huigong.people.models import Person
    from huigong.testing.factories import PersonFactory

    person = PersonFactory(organization=tree.xinfa, name="周杰", address="旧地址")
    _token, key = issue_api_token(actor=township_cadre, name="只读", lifetime_days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/me", **auth).json()["username"] == "huangtupu"
    assert client.get(f"/api/v1/people/persons/{person.pk}", **auth).status_code == 200
    response = client.patch(
        f"/api/v1/people/persons/{person.pk}",
        data={"address": "新地址"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    assert "只读令牌" in response.json()["message"]
    assert Person.objects.get(pk=person.pk).address == "旧地址"
    _token, write_key = issue_api_token(
        actor=township_cadre, name="读写", lifetime_days=30, scope="write"
    )
    response = client.patch(
        f"/api/v1/people/persons/{person.pk}",
        data={"address": "新地址"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write_key}",
    )
    assert response.status_code == 200
    assert Person.objects.get(pk=person.pk).address == "新地址"


def test_lowering_the_maximum_lifetime_shortens_tokens_already_issued(township_cadre, settings):
    token, key = issue_api_token(
        actor=township_cadre, name="一年", lifetime_days=365, scope="write"
    )
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=100)
    )
    assert authenticate_api_key(key) == token
    settings.API_TOKEN_MAX_DAYS = 90
    assert authenticate_api_key(key) is None
    assert ApiToken.objects.get(pk=token.pk).is_expired
