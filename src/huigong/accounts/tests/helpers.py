"""Test helpers for accounts and the portal: the SMS outbox and sending a real code."""

from __future__ import annotations

import re

import pytest

from huigong.accounts import sms

STRONG_PASSWORD = "Qidong-union-2026"
#: A phone number no account has.
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request with ``Accept-Language: en``
    leaves English active in the thread for the code that runs after it."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def outbox():
    """Messages sent by the console SMS backend during the test (emptied first)."""
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def code_sent_to(phone: str) -> str:
    """The code in the newest SMS to ``phone``."""
    for to, message in reversed(sms.outbox):
        if to == phone:
            return re.search(r"\b(\d{6})\b", message).group(1)
    raise AssertionError(f"no SMS was sent to {phone}")


def age_codes(seconds: int) -> None:
    """Pretend every code was sent ``seconds`` earlier (resend limit and expiry)."""
    import datetime

    from django.db.models import F

    from huigong.accounts.models import PhoneCode

    delta = datetime.timedelta(seconds=seconds)
    PhoneCode.objects.update(created_at=F("created_at") - delta, expires_at=F("expires_at") - delta)


@pytest.fixture
def send_code(db, outbox, django_capture_on_commit_callbacks):
    """``send_code(phone, purpose)``: send a code as a request does (the SMS goes out when
    the transaction commits); returns what ``send_phone_code`` returns."""
    from huigong.accounts.services import send_phone_code

    def _send(phone=PHONE, purpose="signup"):
        with django_capture_on_commit_callbacks(execute=True):
            return send_phone_code(phone=phone, purpose=purpose)

    return _send
