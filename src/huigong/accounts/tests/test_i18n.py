import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


def test_login_page_in_english_by_accept_language(client, db):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Staff sign-in" in html
    assert "Username" in html and "Password" in html
    assert "I am a worker: go to the worker portal" in html
    assert "工作人员登录" not in html


def test_login_page_in_chinese_by_default(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "工作人员登录" in html


def test_language_cookie_wins_over_browser_language(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Staff sign-in" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "工作人员登录" in html


def test_language_switch_sets_cookie_and_returns(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert "Staff sign-in" in client.get("/accounts/login/").content.decode()


def test_error_messages_in_english(client, township_cadre):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post("/accounts/login/", {"username": "huangtupu", "password": "x"}).content
    assert "Username or password is incorrect. After 5 failed attempts" in html.decode()


def test_portal_in_english(client, worker):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(worker)
    home = client.get("/m/").content.decode()
    assert "Hello, 肖华清" in home
    assert "My details" in home and "Change password" in home
    me = client.get("/m/me/").content.decode()
    assert "Not a member yet" in me and "Sign out" in me


def test_signup_page_in_english(client, tree):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/m/signup/").content.decode()
    assert "Create a worker account" in html and "Get code" in html
    assert "Township (subdistrict) union" in html


@pytest.mark.urls("huigong.accounts.tests.shell_urls")
def test_workbench_menu_in_english(client, auditor):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(auditor)
    html = client.get("/stats/").content.decode()
    for label in ("Statistics", "Organizations", "Workers", "Audit", "Sign out", "My scope"):
        assert label in html


def test_password_too_short_message_is_chinese(township_cadre):
    # Django 5.2.19's own zh_Hans catalog misses this message; ours fills the gap.
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_password("Ab1", township_cadre)
    assert "密码太短,至少需要 8 个字符" in exc.value.messages[0]


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_compiled_catalog_matches_po(language):
    """The committed .mo must hold exactly the translations of the .po beside it (run
    `make compilemessages` after editing a .po)."""
    from babel.messages.pofile import read_po

    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with open(folder / "django.po", "rb") as po_file:
        catalog = read_po(po_file)
    with open(folder / "django.mo", "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    expected = {}
    for message in catalog:
        if not message.id or message.fuzzy or not message.string:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        string = message.string[0] if isinstance(message.string, tuple) else message.string
        if not string:
            continue
        key = f"{message.context}\x04{msgid}" if message.context else msgid
        expected[key] = string
    assert expected
    actual = {}
    for key in expected:
        if "\x04" in key:
            context, msgid = key.split("\x04", 1)
            actual[key] = compiled.pgettext(context, msgid)
        else:
            actual[key] = compiled.gettext(key)
    stale = {k: (v, actual[k]) for k, v in expected.items() if actual[k] != v}
    assert not stale, f"{language}: django.mo is out of date; run `make compilemessages`"


def test_english_catalog_is_complete():
    """Every entry of the English catalog is translated, none is fuzzy, and the plural
    forms and placeholders agree with the Chinese source. After `make messages` picks up
    new strings, translate them in locale/en/LC_MESSAGES/django.po (then run
    `make compilemessages`)."""
    from babel.messages.pofile import read_po

    with open(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po", "rb") as po_file:
        catalog = read_po(po_file)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue  # the header
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        label = f"{message.context}|{msgid}" if message.context else msgid
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            fuzzy.append(label)
        elif not all(strings):
            untranslated.append(label)
    assert not untranslated, f"untranslated English entries: {untranslated}"
    assert not fuzzy, f"fuzzy English entries (check, then clear the flag): {fuzzy}"
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalog.check()
    ]
    assert not problems, f"English entries whose placeholders or plurals are wrong: {problems}"
