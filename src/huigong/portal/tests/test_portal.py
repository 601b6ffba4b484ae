import re

import pytest
from django.test import Client
from django.urls import reverse

from huigong.accounts.models import PhoneCode, User
from huigong.accounts.tests.helpers import PHONE, STRONG_PASSWORD, age_codes, code_sent_to
from huigong.audit.models import ChangeLog
from huigong.people.models import Person
from huigong.testing.factories import PersonFactory, make_id_number
from huigong.testing.fixtures import PASSWORD


def _signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST through the client, running on-commit work (the SMS) as a real request would."""

    def _post(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return _post


def _reset_password(post, code, **extra):
    """Post the reset form for the worker's phone (13800000001) with ``code`` and a new
    strong password."""
    return post(
        "/m/password/reset/",
        {
            "phone": "13800000001",
            "code": code,
            "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD,
            **extra,
        },
    )


# --- home --------------------------------------------------------------------------------


def test_home_for_anonymous_offers_sign_up_and_sign_in_only(client, db):
    html = client.get("/m/").content.decode()
    assert reverse("portal:signup") in html and reverse("portal:login") in html
    assert 'data-testid="tiles"' not in html  # no service a visitor could use yet
    assert 'name="viewport"' in html and "width=device-width" in html


def test_home_for_worker_shows_their_union_and_real_tiles_only(client, worker):
    client.force_login(worker)
    html = client.get("/m/").content.decode()
    assert "您好,肖华清" in html
    assert "新发食品有限公司工会" in html
    hrefs = re.findall(r'data-testid="tile-[^"]+"|href="([^"]+)" data-testid="tile-', html)
    tile_urls = [h for h in hrefs if h]
    assert tile_urls == ["/m/cases/new/", "/m/cases/", "/m/me/", "/m/me/password/", "/m/me/tokens/"]
    for url in tile_urls:
        assert client.get(url).status_code == 200


def test_tiles_of_missing_pages_are_left_out(worker):
    from huigong.kernel.registry import Tile, register_tile, tiles_for, unregister_tile

    register_tile(Tile("ghost", "幽灵", "portal:does_not_exist"))
    try:
        assert "ghost" not in [t["key"] for t in tiles_for(worker)]
    finally:
        unregister_tile("ghost")


def test_home_for_staff_points_to_the_workbench(client, township_cadre):
    client.force_login(township_cadre)
    html = client.get("/m/").content.decode()
    assert 'data-testid="staff-notice"' in html
    assert 'data-testid="tiles"' not in html


# --- sign-up -----------------------------------------------------------------------------


def _signup_data(tree, **overrides):
    data = {
        "phone": PHONE,
        "name": "周小梅",
        "township": str(tree.huangtupu.pk),
        "id_number": "",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
        "action": "signup",
    }
    data.update(overrides)
    return data


def test_signup_page_lists_active_townships_grouped_by_county(client, tree):
    tree.baidishi.status = "dissolved"
    tree.baidishi.save()
    html = client.get("/m/signup/").content.decode()
    assert '<optgroup label="祁东县总工会">' in html
    assert "黄土铺镇工会联合会" in html
    assert "白地市镇工会联合会" not in html
    assert "新发食品有限公司工会" not in html


def test_send_code_keeps_typed_fields_but_not_passwords(client, tree, outbox, post):
    response = post("/m/signup/", _signup_data(tree, action="send_code"))
    html = response.content.decode()
    assert response.status_code == 200
    assert outbox[-1][0] == PHONE
    assert "验证码已发送至 139****5678" in html
    assert f'value="{PHONE}"' in html and 'value="周小梅"' in html
    assert STRONG_PASSWORD not in html
    assert "data-countdown" in html
    assert 'data-testid="error-' not in html


def test_send_code_twice_within_a_minute_shows_wait_message(client, tree, outbox, post):
    post("/m/signup/", _signup_data(tree, action="send_code"))
    html = post("/m/signup/", _signup_data(tree, action="send_code")).content.decode()
    assert "秒后再试" in html
    assert len(outbox) == 1


def test_send_code_with_bad_phone_is_a_field_error(client, tree, outbox, post):
    html = post("/m/signup/", _signup_data(tree, action="send_code", phone="12")).content.decode()
    assert 'data-testid="error-phone"' in html and "11 位手机号" in html
    assert not outbox


def test_full_signup_signs_the_worker_in(client, tree, outbox, post):
    post("/m/signup/", _signup_data(tree, action="send_code"))
    response = post("/m/signup/", _signup_data(tree, code=code_sent_to(PHONE)))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:me")
    user = _signed_in_user(client)
    assert user.is_worker and user.phone == PHONE
    assert user.person.organization == tree.huangtupu
    me = client.get(response["Location"]).content.decode()
    assert "注册成功" in me
    assert "139****5678" in me and PHONE not in me


def test_signup_with_existing_id_number_links_the_record(client, tree, outbox, post):
    number = make_id_number()
    person = PersonFactory(organization=tree.xinfa, name="周小梅", id_number=number, is_member=True)
    post("/m/signup/", _signup_data(tree, action="send_code"))
    post("/m/signup/", _signup_data(tree, code=code_sent_to(PHONE), id_number=number))
    assert _signed_in_user(client).person == person
    html = client.get("/m/me/").content.decode()
    assert "工会会员" in html
    assert person.masked_id_number in html and number not in html
    assert "新发食品有限公司工会" in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password_confirm": "Different-2026"}, "password_confirm"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password"),
        ({"name": ""}, "name"),
        ({"township": "999999"}, "township"),
        ({"township": "abc"}, "township"),
        ({"id_number": "123"}, "id_number"),
        ({"code": "000"}, "code"),
        ({"phone": "１２３"}, "phone"),
    ],
)
def test_signup_bad_input_shows_field_error_and_creates_nothing(
    client, tree, outbox, post, overrides, field
):
    post("/m/signup/", _signup_data(tree, action="send_code"))
    data = _signup_data(tree, code=code_sent_to(PHONE))
    data.update(overrides)
    response = post("/m/signup/", data)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not User.objects.filter(kind="worker").exists()
    assert not Person.objects.exists()
    assert not ChangeLog.objects.exists()
    assert _signed_in_user(client) is None


def test_signup_with_wrong_code_shows_remaining_attempts(client, tree, outbox, post):
    post("/m/signup/", _signup_data(tree, action="send_code"))
    wrong = f"{(int(code_sent_to(PHONE)) + 1) % 1000000:06d}"
    html = post("/m/signup/", _signup_data(tree, code=wrong)).content.decode()
    assert "验证码不正确,还可以再试 4 次" in html
    assert PhoneCode.objects.get().attempts == 1


def test_signed_in_user_is_sent_home_from_signup(client, worker):
    client.force_login(worker)
    assert client.get("/m/signup/")["Location"] == reverse("portal:home")


# --- sign-in and sign-out ----------------------------------------------------------------


def test_worker_signs_in_with_phone_and_password(client, worker):
    response = client.post("/m/login/", {"phone": "138 0000 0001", "password": PASSWORD})
    assert response["Location"] == reverse("portal:home")
    assert _signed_in_user(client) == worker


def test_staff_cannot_sign_in_on_portal(client, township_cadre):
    township_cadre.phone = "13700000009"
    township_cadre.save()
    response = client.post("/m/login/", {"phone": "13700000009", "password": PASSWORD})
    assert response.status_code == 200
    assert "手机号或密码不正确" in response.content.decode()
    assert _signed_in_user(client) is None


def test_portal_lockout_after_five_failures(client, worker):
    for _ in range(4):
        response = client.post("/m/login/", {"phone": "13800000001", "password": "nope-nope"})
        assert response.status_code == 200
        assert "手机号或密码不正确" in response.content.decode()
    response = client.post("/m/login/", {"phone": "13800000001", "password": "nope-nope"})
    assert response.status_code == 429
    response = client.post("/m/login/", {"phone": "13800000001", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'data-testid="locked-out"' in html
    assert reverse("portal:password_reset") in html
    assert _signed_in_user(client) is None


def test_portal_lockout_of_unknown_phone_does_not_store_the_number(client, db):
    from axes.models import AccessAttempt

    client.post("/m/login/", {"phone": PHONE, "password": "nope-nope"})
    attempt = AccessAttempt.objects.get()
    assert PHONE not in attempt.username
    assert PHONE not in attempt.post_data


def test_portal_success_resets_failures(client, worker):
    for _ in range(4):
        client.post("/m/login/", {"phone": "13800000001", "password": "nope-nope"})
    assert (
        client.post("/m/login/", {"phone": "13800000001", "password": PASSWORD}).status_code == 302
    )
    client.post("/m/logout/")
    for _ in range(4):
        client.post("/m/login/", {"phone": "13800000001", "password": "nope-nope"})
    assert (
        client.post("/m/login/", {"phone": "13800000001", "password": PASSWORD}).status_code == 302
    )


def test_portal_sign_in_enforces_csrf(worker):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/m/login/", {"phone": "13800000001", "password": PASSWORD})
    assert response.status_code == 403
    client.get("/m/login/")
    response = client.post(
        "/m/login/",
        {
            "phone": "13800000001",
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302


def test_worker_signs_out(client, worker):
    client.force_login(worker)
    response = client.post("/m/logout/")
    assert response["Location"] == reverse("portal:home")
    assert _signed_in_user(client) is None


# --- password reset ----------------------------------------------------------------------


def test_password_reset_by_sms_lifts_lockout(client, worker, outbox, post):
    for _ in range(5):
        client.post("/m/login/", {"phone": "13800000001", "password": "nope-nope"})
    html = post(
        "/m/password/reset/", {"phone": "13800000001", "action": "send_code"}
    ).content.decode()
    assert "如果 138****0001 已注册" in html
    response = _reset_password(post, code_sent_to("13800000001"), action="reset")
    assert response["Location"] == reverse("portal:login")
    response = client.post("/m/login/", {"phone": "13800000001", "password": STRONG_PASSWORD})
    assert response.status_code == 302
    assert _signed_in_user(client) == worker


def test_password_reset_for_unknown_phone_looks_the_same(client, db, outbox, post):
    html = post("/m/password/reset/", {"phone": PHONE, "action": "send_code"}).content.decode()
    assert "如果 139****5678 已注册" in html
    assert not outbox


def test_password_reset_with_wrong_code_changes_nothing(client, worker, outbox, post):
    post("/m/password/reset/", {"phone": "13800000001", "action": "send_code"})
    wrong = f"{(int(code_sent_to('13800000001')) + 1) % 1000000:06d}"
    response = _reset_password(post, wrong)
    assert 'data-testid="error-code"' in response.content.decode()
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


def test_expired_reset_code_is_refused(client, worker, outbox, post, settings):
    post("/m/password/reset/", {"phone": "13800000001", "action": "send_code"})
    age_codes(settings.SMS_CODE_TTL_SECONDS + 1)
    response = _reset_password(post, code_sent_to("13800000001"))
    assert "验证码已失效" in response.content.decode()


# --- 我的 and password change ------------------------------------------------------------


def test_me_shows_only_what_exists_masked(client, worker):
    client.force_login(worker)
    html = client.get("/m/me/").content.decode()
    assert 'data-testid="masked-phone">138****0001<' in html
    assert worker.person.masked_id_number in html
    assert worker.person.id_number not in html
    assert 'data-testid="union">新发食品有限公司工会<' in html
    assert "尚未入会" in html
    assert "工作单位" not in html  # none on file: no empty row


def test_me_without_id_number_has_no_id_row(client, tree, worker):
    Person.objects.filter(pk=worker.person_id).update(id_number="", id_number_hash=None)
    client.force_login(worker)
    html = client.get("/m/me/").content.decode()
    assert 'data-testid="masked-id"' not in html


def test_me_without_person_record(client, worker):
    worker.person = None
    worker.save()
    client.force_login(worker)
    html = client.get("/m/me/").content.decode()
    assert 'data-testid="no-person"' in html
    assert 'data-testid="union"' not in html


def test_worker_changes_password(client, worker):
    client.force_login(worker)
    response = client.post(
        "/m/me/password/",
        {
            "old_password": PASSWORD,
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
        },
    )
    assert response["Location"] == reverse("portal:me")
    worker.refresh_from_db()
    assert worker.check_password(STRONG_PASSWORD)
    assert _signed_in_user(client) == worker  # this session stays signed in


def test_wrong_old_password_is_a_field_error(client, worker):
    client.force_login(worker)
    html = client.post(
        "/m/me/password/",
        {
            "old_password": "x",
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
        },
    ).content.decode()
    assert 'data-testid="error-old_password"' in html
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


# --- permission matrix of the worker pages ------------------------------------------------

WORKER_PAGES = ["/m/me/", "/m/me/password/", "/m/me/tokens/"]


@pytest.mark.parametrize("url", WORKER_PAGES)
def test_anonymous_is_sent_to_portal_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


@pytest.mark.parametrize("url", WORKER_PAGES)
def test_staff_is_forbidden_on_worker_pages(client, township_cadre, url):
    client.force_login(township_cadre)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", WORKER_PAGES)
def test_worker_opens_worker_pages(client, worker, url):
    client.force_login(worker)
    assert client.get(url).status_code == 200


def test_staff_password_change_is_forbidden_for_workers_on_portal(client, township_cadre):
    client.force_login(township_cadre)
    client.post(
        "/m/me/password/",
        {
            "old_password": PASSWORD,
            "new_password": STRONG_PASSWORD,
            "new_password_confirm": STRONG_PASSWORD,
        },
    )
    township_cadre.refresh_from_db()
    assert township_cadre.check_password(PASSWORD)
