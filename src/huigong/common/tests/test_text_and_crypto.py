import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from huigong.common import crypto
from huigong.common.text import clean_code, clean_phone, clean_text


def test_clean_text_folds_full_width_traditional_and_spaces():
    assert clean_text("  祁東縣　總工會  ") == "祁东县 总工会"
    assert clean_text("ＡＢＣ１２３") == "ABC123"


def test_clean_code_removes_separators_and_upper_cases_x():
    assert clean_code("４３０４２６ 1965-0302 001x") == "43042619650302001X"


def test_clean_phone_strips_country_code():
    assert clean_phone("+86 138-0000-0001") == "13800000001"
    assert clean_phone("0086１３８０００００００１") == "13800000001"


@given(st.text(max_size=60))
def test_encryption_round_trips_any_text(value):
    assert crypto.decrypt(crypto.encrypt(value)) == value


def test_ciphertexts_differ_but_lookup_hash_is_stable():
    a, b = crypto.encrypt("430426196503020017"), crypto.encrypt("430426196503020017")
    assert a != b
    assert crypto.lookup_hash("430426196503020017") == crypto.lookup_hash("430426196503020017")
    assert crypto.lookup_hash("430426196503020017") != crypto.lookup_hash("430426196503020025")


def test_decrypt_with_wrong_key_fails_loudly():
    token = crypto.encrypt("13800000001")
    # Not a ValueError: loaders turn those into "not found" (see test_errors.py).
    with (
        override_settings(ENCRYPTION_KEYS=["x" * 43 + "="]),
        pytest.raises(crypto.DecryptionError) as exc,
    ):
        crypto.decrypt(token)
    assert not isinstance(exc.value, ValueError)


def test_key_rotation_keeps_old_data_readable():
    from cryptography.fernet import Fernet

    old = crypto.encrypt("13800000001")
    from django.conf import settings

    with override_settings(
        ENCRYPTION_KEYS=[Fernet.generate_key().decode(), *settings.ENCRYPTION_KEYS]
    ):
        assert crypto.decrypt(old) == "13800000001"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (crypto.mask_id_number("430426196503020017"), "**************0017"),
        (crypto.mask_phone("13800000001"), "138****0001"),
        (crypto.mask_bank_account("6217002920100011234"), "6217***********1234"),
        (crypto.mask_phone("123"), "***"),
        (crypto.mask_phone(""), ""),
    ],
)
def test_masking(value, masked):
    assert value == masked


def test_production_start_refused_with_development_secrets():
    with (
        override_settings(HUIGONG_ENV="production", DEBUG=True),
        pytest.raises(SystemCheckError) as exc,
    ):
        call_command("check")
    message = str(exc.value)
    for code in ("huigong.E001", "huigong.E002", "huigong.E003", "huigong.E004"):
        assert code in message


def test_production_start_allowed_with_real_secrets():
    from cryptography.fernet import Fernet

    with override_settings(
        HUIGONG_ENV="production",
        DEBUG=False,
        SECRET_KEY="k" * 50,
        ENCRYPTION_KEYS=[Fernet.generate_key().decode()],
        LOOKUP_HASH_KEY="another-real-secret",
    ):
        call_command("check")
