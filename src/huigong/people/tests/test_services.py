import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huigong.audit.models import AccessLog, ChangeLog
from huigong.people import services
from huigong.people.models import HouseholdMember, Person
from huigong.testing.factories import UserFactory, make_id_number

from .conftest import MINE_ID, MINE_PHONE, OLD_ID, THEIRS_ID


def register(actor, organization, **fields):
    data = {"name": "张小龙", "id_number": make_id_number(birth=datetime.date(1991, 1, 1))}
    data.update(fields)
    return services.register_person(actor=actor, organization=organization, **data)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# -- register_person ---------------------------------------------------------------------------


def test_township_cadre_registers_person_with_audit_entry(tree, township_cadre):
    number = make_id_number(birth=datetime.date(1992, 2, 2), sex="F")
    result = register(
        township_cadre,
        tree.xinfa,
        name="李秀英",
        id_number=number,
        phone="139 1111 2222",
        employment_form="new_form",
        new_form_type="rider",
        is_member=True,
    )
    person = Person.objects.get(pk=result.person.pk)
    assert person.id_number == number
    assert person.phone == "13911112222"
    assert person.sex == "F"
    assert person.birth_date == datetime.date(1992, 2, 2)
    assert person.name_pinyin == "lxy lixiuying"
    assert result.warnings == []
    log = ChangeLog.objects.get(object_type="people.person", object_id=str(person.pk))
    assert log.action == "create"
    assert log.actor == township_cadre
    assert log.org_path == tree.xinfa.path
    assert log.changes["id_number"] == [None, "已设置"]
    assert number not in str(log.changes)
    assert "13911112222" not in str(log.changes)


def test_input_is_normalised_full_width_traditional_spaces_and_lower_x(tree, township_cadre):
    number = make_id_number(birth=datetime.date(1993, 3, 3))
    while not number.endswith("X"):  # find a number whose check digit is X
        number = make_id_number(birth=datetime.date(1993, 3, 3))
    full_width = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    result = register(
        township_cadre,
        tree.xinfa,
        name="  劉 德華 ",
        id_number=f" {full_width} ",
        phone="１３９ ２２２２ ３３３３",
        address="祁東縣　黃土鋪鎮  建設路",
        employer_name="祁東縣鑫達物流有限公司",
    )
    person = Person.objects.get(pk=result.person.pk)
    assert person.name == "刘 德华"
    assert person.id_number == number
    assert person.phone == "13922223333"
    assert person.address == "祁东县 黄土铺镇 建设路"
    assert person.employer_name == "祁东县鑫达物流有限公司"


def test_unknown_area_code_is_a_warning_not_an_error(tree, township_cadre):
    result = register(township_cadre, tree.xinfa, id_number=OLD_ID)
    assert result.person.pk is not None
    assert len(result.warnings) == 1
    assert "430426" in result.warnings[0]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写身份证号码"),
        ("43042619900512", "18 位"),
        (MINE_ID[:-1] + ("0" if MINE_ID[-1] != "0" else "1"), "校验位"),
    ],
)
def test_invalid_id_number_is_a_field_error(tree, township_cadre, raw, message):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, id_number=raw)
    assert message in " ".join(errors_of(excinfo)["id_number"])
    assert not Person.objects.exists()
    assert not ChangeLog.objects.exists()


def test_duplicate_in_scope_names_the_existing_person(tree, township_cadre, mine):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.huangtupu, id_number=MINE_ID.lower())
    message = errors_of(excinfo)["id_number"][0]
    assert "刘德华" in message
    assert "新发食品有限公司工会" in message
    assert Person.objects.count() == 1


def test_duplicate_out_of_scope_reveals_nothing(tree, township_cadre, theirs):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, id_number=THEIRS_ID)
    assert errors_of(excinfo)["id_number"] == ["该身份证号码已在其他单位登记,请联系上级工会"]
    assert Person.objects.count() == 1


def test_out_of_scope_organization_is_denied_and_nothing_written(tree, township_cadre):
    with pytest.raises(PermissionDenied):
        register(township_cadre, tree.liuquan)
    assert not Person.objects.exists()
    assert not ChangeLog.objects.exists()


def test_user_without_add_permission_is_denied(tree, auditor):
    with pytest.raises(PermissionDenied):
        register(auditor, tree.xinfa)
    assert not Person.objects.exists()


def test_user_without_any_role_is_denied_even_without_organization(tree):
    nobody = UserFactory(username="nobody")
    with pytest.raises(PermissionDenied):
        register(nobody, None)


def test_missing_organization_is_a_field_error(tree, township_cadre):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, None)
    assert "organization" in errors_of(excinfo)


def test_station_staff_may_register(tree, station_staff):
    assert register(station_staff, tree.xinfa).person.pk


def test_phone_is_validated(tree, township_cadre):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, phone="12345")
    assert "电话号码格式不正确" in errors_of(excinfo)["phone"][0]


def test_overlong_fields_are_field_errors(tree, township_cadre):
    with pytest.raises(ValidationError) as excinfo:
        register(
            township_cadre,
            tree.xinfa,
            name="张" * 51,
            address="路" * 5_000_000,
            notes="备" * 1001,
        )
    errors = errors_of(excinfo)
    assert errors["name"] == ["不能超过 50 个字"]
    assert errors["address"] == ["不能超过 200 个字"]
    assert errors["notes"] == ["不能超过 1000 个字"]


def test_employer_may_be_an_organization_in_scope(tree, township_cadre):
    person = register(township_cadre, tree.huangtupu, employer=tree.xinfa).person
    assert person.employer == tree.xinfa
    assert person.employer_display == "新发食品有限公司工会"


def test_employer_outside_scope_is_refused(tree, township_cadre):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, employer=tree.liuquan)
    assert "employer" in errors_of(excinfo)


def test_employer_org_and_free_text_together_are_refused(tree, township_cadre):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, employer=tree.xinfa, employer_name="别的公司")
    assert "employer_name" in errors_of(excinfo)


def test_free_text_employer_with_valid_credit_code(tree, township_cadre):
    person = register(
        township_cadre,
        tree.xinfa,
        employer_name="某某物流",
        employer_credit_code="91110000600037341l",
    ).person
    assert person.employer_credit_code == "91110000600037341L"


@pytest.mark.parametrize(
    ("name", "code", "field"),
    [
        ("某某物流", "91110000600037341A", "employer_credit_code"),
        ("某某物流", "9111000060003734", "employer_credit_code"),
        ("", "91110000600037341L", "employer_name"),
    ],
)
def test_bad_credit_code_or_missing_name(tree, township_cadre, name, code, field):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, employer_name=name, employer_credit_code=code)
    assert field in errors_of(excinfo)


@pytest.mark.parametrize(
    ("form", "new_type", "field"),
    [
        ("new_form", "", "new_form_type"),
        ("new_form", "astronaut", "new_form_type"),
        ("standard", "rider", "new_form_type"),
        ("freelance", "", "employment_form"),
    ],
)
def test_employment_form_and_new_form_type_must_agree(tree, township_cadre, form, new_type, field):
    with pytest.raises(ValidationError) as excinfo:
        register(township_cadre, tree.xinfa, employment_form=form, new_form_type=new_type)
    assert field in errors_of(excinfo)
    assert not Person.objects.exists()


# -- update_person ---------------------------------------------------------------------------


def test_update_logs_changed_fields_and_protected_changes_as_note(tree, township_cadre, mine):
    new_number = make_id_number(birth=datetime.date(1990, 5, 12), sex="F")
    result = services.update_person(
        actor=township_cadre, person=mine, name="刘德樺", id_number=new_number, is_member=True
    )
    person = Person.objects.get(pk=mine.pk)
    assert person.name == "刘德桦"
    assert person.id_number == new_number
    assert person.phone == MINE_PHONE  # not sent: unchanged
    assert result.warnings == []
    log = ChangeLog.objects.get(object_id=str(mine.pk), action="update")
    assert log.changes["name"] == ["刘德华", "刘德桦"]
    assert log.changes["is_member"] == [False, True]
    assert "身份证号码已更改" in log.note
    assert new_number not in str(log.changes) + log.note
    assert MINE_ID not in str(log.changes) + log.note


def test_update_without_changes_writes_no_log(tree, township_cadre, mine):
    services.update_person(actor=township_cadre, person=mine, name="刘德华")
    assert not ChangeLog.objects.filter(action="update").exists()


def test_update_can_clear_phone(tree, township_cadre, mine):
    services.update_person(actor=township_cadre, person=mine, phone="")
    person = Person.objects.get(pk=mine.pk)
    assert person.phone == ""
    assert person.phone_hash == ""
    assert "手机号已更改" in ChangeLog.objects.get(action="update").note


def test_sibling_cannot_update_and_nothing_changes(tree, sibling_cadre, mine):
    with pytest.raises(PermissionDenied):
        services.update_person(actor=sibling_cadre, person=mine, name="改名")
    assert Person.objects.get(pk=mine.pk).name == "刘德华"
    assert not ChangeLog.objects.filter(action="update").exists()


def test_auditor_cannot_update(tree, auditor, mine):
    with pytest.raises(PermissionDenied):
        services.update_person(actor=auditor, person=mine, name="改名")
    assert Person.objects.get(pk=mine.pk).name == "刘德华"


def test_moving_a_person_needs_permission_at_the_target(tree, township_cadre, county_cadre, mine):
    with pytest.raises(PermissionDenied):
        services.update_person(actor=township_cadre, person=mine, organization=tree.liuquan)
    assert Person.objects.get(pk=mine.pk).organization == tree.xinfa
    services.update_person(actor=county_cadre, person=mine, organization=tree.liuquan)
    assert Person.objects.get(pk=mine.pk).organization == tree.liuquan


def test_update_duplicate_id_is_refused(tree, county_cadre, mine, theirs):
    with pytest.raises(ValidationError) as excinfo:
        services.update_person(actor=county_cadre, person=mine, id_number=THEIRS_ID)
    assert "王建国" in errors_of(excinfo)["id_number"][0]
    assert Person.objects.get(pk=mine.pk).id_number == MINE_ID


def test_choosing_employer_replaces_free_text(tree, township_cadre, mine):
    services.update_person(actor=township_cadre, person=mine, employer_name="某某物流")
    services.update_person(actor=township_cadre, person=mine, employer=tree.xinfa)
    person = Person.objects.get(pk=mine.pk)
    assert person.employer == tree.xinfa
    assert person.employer_name == ""
    services.update_person(actor=township_cadre, person=mine, employer_name="另一家")
    person = Person.objects.get(pk=mine.pk)
    assert person.employer is None
    assert person.employer_name == "另一家"


def test_leaving_new_form_employment_drops_the_category(tree, township_cadre, mine):
    services.update_person(
        actor=township_cadre, person=mine, employment_form="new_form", new_form_type="rider"
    )
    services.update_person(actor=township_cadre, person=mine, employment_form="flexible")
    person = Person.objects.get(pk=mine.pk)
    assert (person.employment_form, person.new_form_type) == ("flexible", "")


# -- reveal_person ---------------------------------------------------------------------------


def test_reveal_returns_full_values_and_logs_access(tree, township_cadre, mine):
    revealed = services.reveal_person(
        actor=township_cadre, person=mine, reason="assistance", note=" 金秋助學覆核 "
    )
    assert revealed.id_number == MINE_ID
    assert revealed.phone == MINE_PHONE
    log = AccessLog.objects.get()
    assert log.actor == township_cadre
    assert log.object_id == str(mine.pk)
    assert log.fields == "id_number,phone"
    assert log.reason_code == "assistance"
    assert log.get_reason_code_display() == "办理帮扶救助"
    assert log.reason == "金秋助学覆核"
    assert log.channel == "web"
    assert log.org_path == tree.xinfa.path


def test_every_reveal_is_logged(tree, township_cadre, mine):
    for _ in range(3):
        services.reveal_person(actor=township_cadre, person=mine, reason="verify_identity")
    assert AccessLog.objects.count() == 3


@pytest.mark.parametrize("reason", ["", "   ", "核对身份", "OTHER", None])
def test_reveal_needs_a_reason_from_the_list(tree, township_cadre, mine, reason):
    with pytest.raises(ValidationError) as excinfo:
        services.reveal_person(actor=township_cadre, person=mine, reason=reason)
    assert errors_of(excinfo) == {"reason": ["请从列表中选择查看原因"]}
    assert not AccessLog.objects.exists()


def test_other_reason_needs_a_note_and_errors_come_together(tree, township_cadre, mine):
    with pytest.raises(ValidationError) as excinfo:
        services.reveal_person(actor=township_cadre, person=mine, reason="other", note="  ")
    assert errors_of(excinfo) == {"note": ["选择“其他”时请写明查看原因"]}
    with pytest.raises(ValidationError) as excinfo:
        services.reveal_person(actor=township_cadre, person=mine, reason="x", note="长" * 201)
    assert set(errors_of(excinfo)) == {"reason", "note"}
    assert not AccessLog.objects.exists()
    services.reveal_person(actor=township_cadre, person=mine, reason="other", note="法院协查")
    assert AccessLog.objects.get().reason == "法院协查"


@pytest.mark.parametrize("who", ["station_staff", "sibling_cadre", "auditor"])
def test_reveal_denied_without_permission_at_the_organization(request, tree, mine, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.reveal_person(actor=user, person=mine, reason="verify_identity")
    assert not AccessLog.objects.exists()


# -- household members ---------------------------------------------------------------------------


def test_add_household_member_derives_birth_date_and_logs(tree, township_cadre, mine):
    number = make_id_number(birth=datetime.date(2012, 9, 1))
    result = services.add_household_member(
        actor=township_cadre,
        person=mine,
        relation="child",
        name="劉小明",
        id_number=number,
        monthly_income=Decimal("0"),
        school="祁東縣第一中學",
    )
    member = HouseholdMember.objects.get(pk=result.member.pk)
    assert member.name == "刘小明"
    assert member.birth_date == datetime.date(2012, 9, 1)
    assert member.school == "祁东县第一中学"
    log = ChangeLog.objects.get(object_type="people.householdmember")
    assert log.org_path == tree.xinfa.path
    assert log.changes["person"] == [None, mine.pk]
    assert number not in str(log.changes)
    # The log is read without the reveal permission: the year, never the full date.
    assert log.changes["birth_year"] == [None, 2012]
    assert "2012-09-01" not in str(log.changes) and "birth_date" not in log.changes


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"relation": "cousin"}, "relation"),
        ({"name": ""}, "name"),
        ({"id_number": MINE_ID}, "id_number"),
        ({"monthly_income": Decimal("-1")}, "monthly_income"),
        ({"monthly_income": Decimal("1.005")}, "monthly_income"),
        ({"monthly_income": "abc"}, "monthly_income"),
        ({"disability_grade": 2}, "disability_grade"),
        ({"health": "disabled", "disability_grade": 7}, "disability_grade"),
        ({"birth_date": datetime.date(2999, 1, 1)}, "birth_date"),
        (
            {
                "id_number": make_id_number(birth=datetime.date(2010, 1, 1)),
                "birth_date": datetime.date(2011, 1, 1),
            },
            "birth_date",
        ),
    ],
)
def test_household_member_validation(tree, township_cadre, mine, fields, field):
    data = {"relation": "child", "name": "刘小明", **fields}
    with pytest.raises(ValidationError) as excinfo:
        services.add_household_member(actor=township_cadre, person=mine, **data)
    assert field in errors_of(excinfo)
    assert not HouseholdMember.objects.exists()


def test_only_one_spouse(tree, township_cadre, mine):
    services.add_household_member(actor=township_cadre, person=mine, relation="spouse", name="甲")
    with pytest.raises(ValidationError) as excinfo:
        services.add_household_member(
            actor=township_cadre, person=mine, relation="spouse", name="乙"
        )
    assert "relation" in errors_of(excinfo)


def test_same_member_id_twice_is_refused(tree, township_cadre, mine):
    number = make_id_number(birth=datetime.date(2010, 1, 1))
    services.add_household_member(
        actor=township_cadre, person=mine, relation="child", name="甲", id_number=number
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_household_member(
            actor=township_cadre, person=mine, relation="child", name="乙", id_number=number
        )
    assert errors_of(excinfo)["id_number"] == ["该家庭成员已登记"]


def test_update_and_remove_household_member(tree, township_cadre, mine):
    member = services.add_household_member(
        actor=township_cadre, person=mine, relation="parent", name="刘父"
    ).member
    services.update_household_member(
        actor=township_cadre, member=member, health="disabled", disability_grade=2
    )
    member.refresh_from_db()
    assert (member.health, member.disability_grade) == ("disabled", 2)
    services.remove_household_member(actor=township_cadre, member=member)
    assert not HouseholdMember.objects.exists()
    actions = list(
        ChangeLog.objects.filter(object_type="people.householdmember")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]
    deleted = ChangeLog.objects.get(action="delete")
    assert deleted.object_id == str(member.pk)
    assert deleted.changes["name"] == ["刘父", None]


@pytest.mark.parametrize("who", ["sibling_cadre", "auditor"])
def test_household_changes_denied_out_of_scope_or_without_permission(
    request, tree, township_cadre, mine, who
):
    user = request.getfixturevalue(who)
    member = services.add_household_member(
        actor=township_cadre, person=mine, relation="parent", name="刘父"
    ).member
    with pytest.raises(PermissionDenied):
        services.add_household_member(actor=user, person=mine, relation="child", name="乙")
    with pytest.raises(PermissionDenied):
        services.update_household_member(actor=user, member=member, name="改名")
    with pytest.raises(PermissionDenied):
        services.remove_household_member(actor=user, member=member)
    assert list(HouseholdMember.objects.values_list("name", flat=True)) == ["刘父"]
    assert ChangeLog.objects.filter(object_type="people.householdmember").count() == 1


def test_station_staff_cannot_change_household(tree, township_cadre, station_staff, mine):
    with pytest.raises(PermissionDenied):
        services.add_household_member(actor=station_staff, person=mine, relation="child", name="乙")
    assert not HouseholdMember.objects.exists()
