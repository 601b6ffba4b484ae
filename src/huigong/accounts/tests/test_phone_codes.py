import pytest
from django.core.exceptions import ValidationError

from huigong.accounts.models import PhoneCode
from huigong.accounts.services import (
    CODE_DAILY_LIMIT,
    verify_phone_code,
)
from huigong.common.crypto import lookup_hash

from .helpers import PHONE, age_codes, code_sent_to


def test_code_is_sent_by_sms_and_stored_only_as_keyed_hash(send_code, outbox):
    phone_code = send_code(phone="139 1234 5678")
    code = code_sent_to(PHONE)
    assert outbox[-1][0] == PHONE
    assert phone_code.phone_hash == lookup_hash(PHONE)
    stored = PhoneCode.objects.get()
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


def test_correct_code_is_accepted_once(send_code):
    send_code()
    code = code_sent_to(PHONE)
    verify_phone_code(phone=PHONE, purpose="signup", code=code)
    assert PhoneCode.objects.get().used_at is not None
    with pytest.raises(ValidationError) as exc:
        verify_phone_code(phone=PHONE, purpose="signup", code=code)
    assert "已失效" in exc.value.message_dict["code"][0]


def test_code_of_one_purpose_does_not_work_for_another(send_code):
    send_code(purpose="signup")
    with pytest.raises(ValidationError):
        verify_phone_code(phone=PHONE, purpose="reset", code=code_sent_to(PHONE))


def test_expired_code_is_refused(send_code, settings):
    send_code()
    age_codes(settings.SMS_CODE_TTL_SECONDS + 1)
    with pytest.raises(ValidationError) as exc:
        verify_phone_code(phone=PHONE, purpose="signup", code=code_sent_to(PHONE))
    assert "已失效" in exc.value.message_dict["code"][0]


def test_wrong_guess_is_counted_and_kept(send_code):
    send_code()
    code = code_sent_to(PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    with pytest.raises(ValidationError) as exc:
        verify_phone_code(phone=PHONE, purpose="signup", code=wrong)
    assert "还可以再试 4 次" in exc.value.message_dict["code"][0]
    assert PhoneCode.objects.get().attempts == 1


def test_code_dies_after_five_wrong_guesses(send_code):
    send_code()
    code = code_sent_to(PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        with pytest.raises(ValidationError):
            verify_phone_code(phone=PHONE, purpose="signup", code=wrong)
    with pytest.raises(ValidationError) as exc:
        verify_phone_code(phone=PHONE, purpose="signup", code=code)
    assert "次数过多" in exc.value.message_dict["code"][0]
    assert PhoneCode.objects.get().used_at is None


def test_malformed_code_is_a_field_error_and_costs_no_attempt(send_code):
    send_code()
    with pytest.raises(ValidationError) as exc:
        verify_phone_code(phone=PHONE, purpose="signup", code="12ab")
    assert "6 位数字" in exc.value.message_dict["code"][0]
    assert PhoneCode.objects.get().attempts == 0


def test_only_the_newest_code_counts(send_code):
    send_code()
    first = code_sent_to(PHONE)
    age_codes(61)
    send_code()
    second = code_sent_to(PHONE)
    if first != second:
        with pytest.raises(ValidationError):
            verify_phone_code(phone=PHONE, purpose="signup", code=first)
    verify_phone_code(phone=PHONE, purpose="signup", code=second)


def test_resend_within_60_seconds_is_refused(send_code, outbox):
    send_code()
    with pytest.raises(ValidationError) as exc:
        send_code()
    assert "秒后再试" in exc.value.message_dict["phone"][0]
    assert len(outbox) == 1
    assert PhoneCode.objects.count() == 1
    age_codes(60)
    send_code()
    assert len(outbox) == 2


def test_resend_limit_is_per_phone(send_code, outbox):
    send_code(phone=PHONE)
    send_code(phone="13912345679")
    assert len(outbox) == 2


def test_daily_limit_per_phone(send_code, outbox):
    for _ in range(CODE_DAILY_LIMIT):
        send_code()
        age_codes(61)
    with pytest.raises(ValidationError) as exc:
        send_code()
    assert "上限" in exc.value.message_dict["phone"][0]
    assert len(outbox) == CODE_DAILY_LIMIT


@pytest.mark.parametrize("bad", ["", "1391234567", "23912345678", "139123456789", "abc"])
def test_invalid_phone_is_a_field_error(send_code, outbox, bad):
    with pytest.raises(ValidationError) as exc:
        send_code(phone=bad)
    assert "11 位手机号" in exc.value.message_dict["phone"][0]
    assert not outbox
    assert not PhoneCode.objects.exists()


def test_full_width_and_country_code_are_normalised(send_code):
    send_code(phone="+86 １３９１２３４５６７８")
    assert PhoneCode.objects.get().phone_hash == lookup_hash(PHONE)


def test_signup_code_refused_for_registered_phone(send_code, worker, outbox):
    with pytest.raises(ValidationError) as exc:
        send_code(phone="13800000001")
    assert "已注册" in exc.value.message_dict["phone"][0]
    assert not outbox


def test_reset_code_goes_only_to_registered_workers_but_answers_alike(send_code, worker, outbox):
    send_code(phone="13800000001", purpose="reset")
    assert outbox[-1][0] == "13800000001"
    outbox.clear()
    send_code(phone=PHONE, purpose="reset")  # nobody has this phone: no error, no message
    assert not outbox
    # ...but the attempt still counts for the resend limit, exactly as for a real account
    with pytest.raises(ValidationError):
        send_code(phone=PHONE, purpose="reset")
