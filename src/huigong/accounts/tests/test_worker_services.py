import pytest
from django.core.exceptions import ValidationError

from huigong.accounts.models import PhoneCode, User
from huigong.accounts.services import (
    change_password,
    register_worker,
    reset_worker_password,
)
from huigong.audit.models import ChangeLog
from huigong.people.models import Person
from huigong.testing.factories import PersonFactory, make_id_number
from huigong.testing.fixtures import PASSWORD

from .helpers import PHONE, STRONG_PASSWORD, code_sent_to


@pytest.fixture
def code(send_code):
    """Send a code to ``phone`` for ``purpose`` and return it."""

    def _code(phone=PHONE, purpose="signup"):
        send_code(phone, purpose)
        return code_sent_to(phone)

    return _code


def _register(tree, send_code, **overrides):
    data = {
        "phone": PHONE,
        "name": "周小梅",
        "password": STRONG_PASSWORD,
        "township": tree.huangtupu,
        "id_number": "",
    }
    data.update(overrides)
    if "code" not in data:
        data["code"] = send_code(data["phone"])
    return register_worker(**data)


def test_register_creates_worker_and_person_in_chosen_township(tree, code):
    user = _register(tree, code)
    user.refresh_from_db()
    assert user.is_worker
    assert user.phone == PHONE
    assert user.check_password(STRONG_PASSWORD)
    assert PHONE not in user.username
    person = user.person
    assert person.organization == tree.huangtupu
    assert person.name == "周小梅"
    assert person.phone == PHONE
    assert not person.is_member
    logged = set(ChangeLog.objects.values_list("object_type", "action"))
    assert logged == {("accounts.user", "create"), ("people.person", "create")}
    entry = ChangeLog.objects.get(object_type="people.person")
    assert entry.actor == user
    assert entry.org_path == tree.huangtupu.path
    assert entry.changes["phone"] == [None, "已设置"]


def test_register_with_id_number_links_existing_person(tree, code):
    number = make_id_number(sex="F")
    person = PersonFactory(organization=tree.xinfa, name="周小梅", id_number=number, phone="")
    user = _register(tree, code, id_number=number.lower(), township=tree.baidishi)
    person.refresh_from_db()
    assert user.person == person
    assert person.organization == tree.xinfa  # the union's record wins over the choice
    assert person.phone == PHONE  # filled in from the verified phone
    assert Person.objects.count() == 1
    update = ChangeLog.objects.get(object_type="people.person")
    assert update.action == "update"
    assert update.changes == {"phone": ["", "已设置"]}


def test_register_with_new_id_number_creates_person_with_it(tree, code):
    number = make_id_number(sex="M")
    user = _register(tree, code, id_number=number)
    assert user.person.id_number == number
    assert user.person.sex == "M"


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"name": "  "}, "name", "请填写姓名"),
        ({"password": "12345678"}, "password", "只包含数字"),
        ({"password": "abc"}, "password", "太短"),
        ({"township": None}, "township", "请选择"),
        ({"id_number": "430426198001011234"}, "id_number", "校验位"),
        ({"id_number": "4304261980"}, "id_number", "18 位"),
    ],
)
def test_register_bad_input_is_a_field_error_and_keeps_the_code(tree, code, overrides, field, text):
    sms_code = code()
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, code=sms_code, **overrides)
    assert any(text in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert not User.objects.filter(kind="worker").exists()
    assert not Person.objects.exists()
    assert not ChangeLog.objects.exists()
    # the code was not used up by the failed attempt
    assert PhoneCode.objects.get().used_at is None
    assert PhoneCode.objects.get().attempts == 0


def test_register_refuses_grassroots_or_dissolved_union(tree, code):
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, township=tree.xinfa)
    assert "township" in exc.value.message_dict
    tree.baidishi.status = "dissolved"
    tree.baidishi.save()
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, township=tree.baidishi, code="000000")  # noqa: the code is checked last
    assert "township" in exc.value.message_dict


def test_register_with_wrong_code_creates_nothing_and_counts_attempt(tree, code):
    real = code()
    wrong = f"{(int(real) + 1) % 1000000:06d}"
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, code=wrong)
    assert "验证码不正确" in exc.value.message_dict["code"][0]
    assert not User.objects.filter(kind="worker").exists()
    assert not Person.objects.exists()
    assert PhoneCode.objects.get().attempts == 1


def test_register_refuses_phone_already_registered(tree, code, worker):
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, phone="13800000001", code="123456")
    assert "已注册" in exc.value.message_dict["phone"][0]


def test_register_refuses_id_number_linked_to_another_account(tree, code, worker):
    number = worker.person.id_number
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, id_number=number, name=worker.person.name)
    assert "已绑定其他账号" in exc.value.message_dict["id_number"][0]
    assert User.objects.filter(kind="worker").count() == 1


def test_register_refuses_link_when_name_differs(tree, code):
    number = make_id_number()
    PersonFactory(organization=tree.xinfa, name="王建国", id_number=number)
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, id_number=number, name="周小梅")
    assert "姓名" in exc.value.message_dict["name"][0]


def test_register_refuses_link_when_record_has_another_phone(tree, code):
    number = make_id_number()
    person = PersonFactory(
        organization=tree.xinfa, name="周小梅", id_number=number, phone="13700000000"
    )
    with pytest.raises(ValidationError) as exc:
        _register(tree, code, id_number=number)
    assert "另一个手机号" in exc.value.message_dict["phone"][0]
    person.refresh_from_db()
    assert person.phone == "13700000000"
    assert not User.objects.filter(person=person).exists()


def test_reset_password_with_code(tree, worker, code):
    sms_code = code("13800000001", "reset")
    reset_worker_password(phone="13800000001", code=sms_code, password=STRONG_PASSWORD)
    worker.refresh_from_db()
    assert worker.check_password(STRONG_PASSWORD)
    entry = ChangeLog.objects.get(object_type="accounts.user")
    assert entry.changes == {"password": ["已设置", "已重置"]}
    assert entry.org_path == tree.xinfa.path


def test_reset_password_weak_password_keeps_old_and_code(tree, worker, code):
    sms_code = code("13800000001", "reset")
    with pytest.raises(ValidationError) as exc:
        reset_worker_password(phone="13800000001", code=sms_code, password="13800000001")
    assert "password" in exc.value.message_dict
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert PhoneCode.objects.get().used_at is None


def test_reset_password_for_unknown_phone_fails_on_code(tree, code, outbox):
    code_row_phone = "13600000000"
    with pytest.raises(AssertionError):
        code(code_row_phone, "reset")  # no SMS for a phone without an account
    with pytest.raises(ValidationError) as exc:
        reset_worker_password(phone=code_row_phone, code="123456", password=STRONG_PASSWORD)
    assert "code" in exc.value.message_dict


def test_signup_code_cannot_reset_a_password(tree, worker, code):
    # a signup code is refused for a registered phone, and a code of another purpose fails
    with pytest.raises(ValidationError):
        reset_worker_password(phone="13800000001", code="123456", password=STRONG_PASSWORD)
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


def test_change_password_checks_old_and_strength(township_cadre):
    with pytest.raises(ValidationError) as exc:
        change_password(actor=township_cadre, old_password="wrong", new_password=STRONG_PASSWORD)
    assert "old_password" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        change_password(actor=township_cadre, old_password=PASSWORD, new_password="password")
    assert "new_password" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        change_password(actor=township_cadre, old_password=PASSWORD, new_password=PASSWORD)
    assert "相同" in " ".join(exc.value.message_dict["new_password"])
    township_cadre.refresh_from_db()
    assert township_cadre.check_password(PASSWORD)
    assert not ChangeLog.objects.filter(object_type="accounts.user").exists()

    change_password(actor=township_cadre, old_password=PASSWORD, new_password=STRONG_PASSWORD)
    township_cadre.refresh_from_db()
    assert township_cadre.check_password(STRONG_PASSWORD)
    entry = ChangeLog.objects.get(object_type="accounts.user")
    assert entry.org_path == township_cadre.assignments.get().organization.path
