import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from huigong.audit.models import AccessLog, ChangeLog
from huigong.common.crypto import mask_id_number, mask_phone
from huigong.people import services
from huigong.people.models import HouseholdMember, Person
from huigong.testing.factories import PersonFactory, make_id_number

from .conftest import MINE_ID, MINE_PHONE, OLD_ID, THEIRS_ID, THEIRS_PHONE

LIST = reverse("people:list")


def detail(person):
    return reverse("people:detail", args=[person.pk])


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return sheet.to_python()


def assert_no_protected(response, *values):
    body = response.content.decode()
    for value in values:
        assert value not in body


# -- list ------------------------------------------------------------------------------------


def test_list_shows_scope_with_masked_values(tree, login, township_cadre, mine, theirs):
    response = login(township_cadre).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "刘德华" in body
    assert mask_id_number(MINE_ID) in body
    assert mask_phone(MINE_PHONE) in body
    assert "王建国" not in body
    assert_no_protected(response, MINE_ID, MINE_PHONE, THEIRS_ID, THEIRS_PHONE)


def test_list_permission_matrix(client, login, tree, hr, worker, station_staff, mine):
    assert client.get(LIST).status_code == 302  # anonymous → sign in
    assert login(hr).get(LIST).status_code == 403
    assert login(worker).get(LIST).status_code == 302  # workers go to the portal
    assert login(station_staff).get(LIST).status_code == 200


def test_list_actions_follow_permissions(tree, login, township_cadre, station_staff, auditor):
    body = login(township_cadre).get(LIST).content.decode()
    for url in (reverse("people:create"), reverse("people:import"), "export=xlsx"):
        assert url in body
    body = login(station_staff).get(LIST).content.decode()
    for url in (reverse("people:create"), reverse("people:import"), "export=xlsx"):
        assert url in body
    body = login(auditor).get(LIST).content.decode()
    for url in (reverse("people:create"), reverse("people:import"), "export=xlsx"):
        assert url not in body


def test_list_search_box_uses_people_search(tree, login, county_cadre, mine, theirs):
    client = login(county_cadre)
    for query in ("劉德華", "ldh", MINE_ID.lower(), MINE_PHONE[-4:]):
        body = client.get(LIST, {"q": query}).content.decode()
        assert "刘德华" in body, query
        assert "王建国" not in body, query


def test_list_filters(tree, login, county_cadre, mine, theirs):
    rider = PersonFactory(
        organization=tree.xinfa,
        name="骑手甲",
        id_number=make_id_number(birth=datetime.date(2000, 1, 1)),
        employment_form="new_form",
        new_form_type="rider",
        is_member=True,
    )
    client = login(county_cadre)

    def names(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return {p.name for p in response.context["table"].data}

    assert names(organization=tree.huangtupu.pk) == {"刘德华", "骑手甲"}
    assert names(organization=tree.baidishi.pk) == {"王建国"}
    assert names(employment_form="new_form") == {rider.name}
    assert names(new_form_type="rider", is_member="true") == {rider.name}
    assert names(is_member="false") == {"刘德华", "王建国"}
    assert names(sex="F") == {p.name for p in Person.objects.filter(sex="F")}
    assert names(birth_year_from=1986, birth_year_to=1995) == {"刘德华"}
    assert names(birth_year_from=1999) == {"骑手甲"}


def test_list_organization_filter_offers_only_scope(tree, login, township_cadre):
    response = login(township_cadre).get(LIST)
    field = response.context["filter"].form.fields["organization"]
    assert set(field.queryset.values_list("name", flat=True)) == {
        "黄土铺镇工会联合会",
        "新发食品有限公司工会",
    }


def test_list_filter_on_out_of_scope_org_shows_error_not_rows(tree, login, township_cadre, theirs):
    response = login(township_cadre).get(LIST, {"organization": tree.liuquan.pk})
    assert response.status_code == 200
    assert "王建国" not in response.content.decode()
    assert response.context["filter"].errors


def test_list_bad_filter_values_do_not_crash(tree, login, county_cadre, mine):
    client = login(county_cadre)
    for params in (
        {"birth_year_from": "99999999999"},
        {"birth_year_to": "abc"},
        {"organization": "99999999999999999999999"},
        {"sort": "nonsense"},
        {"page": "999"},
        {"q": "x" * 5000},
    ):
        assert client.get(LIST, params).status_code in (200, 404), params


def test_list_sorting_by_name_uses_pinyin(tree, login, county_cadre):
    for name in ("赵敏", "安娜", "孟凡"):
        PersonFactory(organization=tree.xinfa, name=name)
    response = login(county_cadre).get(LIST, {"sort": "name"})
    assert [p.name for p in response.context["table"].page.object_list.data] == [
        "安娜",
        "孟凡",
        "赵敏",
    ]


def test_list_query_count_does_not_grow_with_rows(tree, login, county_cadre):
    client = login(county_cadre)
    PersonFactory.create_batch(3, organization=tree.xinfa, employer=tree.xinfa)
    client.get(LIST)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    PersonFactory.create_batch(20, organization=tree.liuquan, employer=tree.liuquan)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 15


# -- export ----------------------------------------------------------------------------------


def test_export_is_masked_even_for_users_who_may_reveal(tree, login, township_cadre, mine):
    response = login(township_cadre).get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    rows = read_xlsx(response)
    header, data = rows[0], rows[1:]
    assert header[:2] == ["姓名", "身份证号码"]
    assert data == [
        [
            "刘德华",
            mask_id_number(MINE_ID),
            "女",
            1990,  # the birth year only: with the date the masked number could be rebuilt
            mask_phone(MINE_PHONE),
            "新发食品有限公司工会",
            "",
            "劳动合同用工",
            "",
            "否",
            timezone.localdate().isoformat(),
        ]
    ]
    flat = str(rows)
    assert MINE_ID not in flat
    assert MINE_PHONE not in flat


def test_export_applies_scope_filters_and_search(tree, login, county_cadre, mine, theirs):
    client = login(county_cadre)
    names = [r[0] for r in read_xlsx(client.get(LIST, {"export": "xlsx"}))[1:]]
    assert sorted(names) == ["刘德华", "王建国"]
    rows = read_xlsx(client.get(LIST, {"export": "xlsx", "q": "wjg"}))
    assert [r[0] for r in rows[1:]] == ["王建国"]
    rows = read_xlsx(client.get(LIST, {"export": "xlsx", "organization": tree.huangtupu.pk}))
    assert [r[0] for r in rows[1:]] == ["刘德华"]


def test_export_scope_for_township(tree, login, sibling_cadre, mine, theirs):
    rows = read_xlsx(login(sibling_cadre).get(LIST, {"export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == ["王建国"]


def test_export_needs_permission(tree, login, auditor, mine):
    assert login(auditor).get(LIST, {"export": "xlsx"}).status_code == 403


# -- detail and reveal ---------------------------------------------------------------------


def test_detail_is_masked_and_offers_reveal_with_permission(tree, login, township_cadre, mine):
    response = login(township_cadre).get(detail(mine))
    assert response.status_code == 200
    body = response.content.decode()
    assert mask_id_number(MINE_ID) in body
    assert "查看完整信息" in body
    assert_no_protected(response, MINE_ID, MINE_PHONE)


def test_detail_without_reveal_permission_has_no_button(tree, login, station_staff, mine):
    response = login(station_staff).get(detail(mine))
    assert response.status_code == 200
    assert "查看完整信息" not in response.content.decode()
    assert_no_protected(response, MINE_ID, MINE_PHONE)


def test_detail_permission_matrix(client, login, tree, hr, sibling_cadre, worker, mine):
    assert client.get(detail(mine)).status_code == 302
    assert login(sibling_cadre).get(detail(mine)).status_code == 404
    assert login(hr).get(detail(mine)).status_code == 403
    assert login(worker).get(detail(mine)).status_code == 302


def test_guessed_ids_are_404(tree, login, township_cadre, theirs):
    client = login(township_cadre)
    for pk in (theirs.pk, 999999, 2**70):
        for name in ("people:detail", "people:update"):
            assert client.get(reverse(name, args=[pk])).status_code == 404
        assert (
            client.post(reverse("people:reveal", args=[pk]), {"reason": "case"}).status_code == 404
        )
    assert not AccessLog.objects.exists()


def test_reveal_through_htmx_shows_full_values_and_logs(tree, login, township_cadre, mine):
    response = login(township_cadre).post(
        reverse("people:reveal", args=[mine.pk]),
        {"reason": "assistance", "note": "金秋助学复核"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert MINE_ID in body
    assert MINE_PHONE in body
    assert "<html" not in body  # a fragment for htmx to swap in
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.actor, log.reason_code, log.reason, log.channel) == (
        township_cadre,
        "assistance",
        "金秋助学复核",
        "web",
    )


def test_reveal_without_htmx_renders_the_page(tree, login, township_cadre, mine):
    response = login(township_cadre).post(
        reverse("people:reveal", args=[mine.pk]), {"reason": "verify_identity"}
    )
    assert response.status_code == 200
    assert MINE_ID in response.content.decode()
    assert AccessLog.objects.count() == 1


def test_reveal_without_reason_shows_error_and_logs_nothing(tree, login, township_cadre, mine):
    response = login(township_cadre).post(
        reverse("people:reveal", args=[mine.pk]), {"reason": "  "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert MINE_ID not in body
    assert "请从列表中选择查看原因" in body
    assert not AccessLog.objects.exists()


def test_reveal_form_offers_the_reasons_and_other_needs_a_note(tree, login, township_cadre, mine):
    client = login(township_cadre)
    page = client.get(reverse("people:detail", args=[mine.pk])).content.decode()
    for label in ("核实本人身份", "办理诉求或调解", "办理帮扶救助", "其他(请说明)"):
        assert label in page
    response = client.post(
        reverse("people:reveal", args=[mine.pk]), {"reason": "other"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "选择“其他”时请写明查看原因" in body
    assert MINE_ID not in body
    assert not AccessLog.objects.exists()


def test_reveal_denied_for_station_staff(tree, login, station_staff, mine):
    response = login(station_staff).post(
        reverse("people:reveal", args=[mine.pk]), {"reason": "case"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert MINE_ID not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_get_is_not_allowed(tree, login, township_cadre, mine):
    assert login(township_cadre).get(reverse("people:reveal", args=[mine.pk])).status_code == 405
    assert not AccessLog.objects.exists()


def test_detail_shows_household_and_history(tree, login, township_cadre, mine):
    member_id = make_id_number(birth=datetime.date(2012, 9, 1))
    services.update_person(actor=township_cadre, person=mine, address="建设路 1 号")
    member = services.add_household_member(
        actor=township_cadre, person=mine, relation="child", name="刘小明", id_number=member_id
    ).member
    removed = services.add_household_member(
        actor=township_cadre, person=mine, relation="parent", name="刘老太"
    ).member
    services.remove_household_member(actor=township_cadre, member=removed)
    response = login(township_cadre).get(detail(mine))
    body = response.content.decode()
    assert "刘小明" in body
    assert mask_id_number(member_id) in body
    assert member_id not in body
    assert "建设路 1 号" in body  # person history
    assert "刘老太" in body  # removed member still in the household history
    history = response.context["household_history"]
    assert {log.object_id for log, _changes in history} == {str(member.pk), str(removed.pk)}


def test_detail_query_count_is_bounded(tree, login, township_cadre, mine):
    client = login(township_cadre)
    for i in range(5):
        services.add_household_member(
            actor=township_cadre, person=mine, relation="child", name=f"孩子{i}"
        )
    client.get(detail(mine))
    with CaptureQueriesContext(connection) as queries:
        client.get(detail(mine))
    assert len(queries) <= 25


# -- create and edit -------------------------------------------------------------------------


def person_post(org, **fields):
    data = {
        "organization": org.pk,
        "name": "张小龙",
        "id_number": make_id_number(birth=datetime.date(1991, 1, 1)),
        "phone": "",
        "address": "",
        "employer": "",
        "employer_name": "",
        "employer_credit_code": "",
        "employment_form": "standard",
        "new_form_type": "",
        "notes": "",
    }
    data.update(fields)
    return data


def test_create_form_offers_only_permitted_organizations(tree, login, township_cadre):
    response = login(township_cadre).get(reverse("people:create"))
    assert response.status_code == 200
    form = response.context["form"]
    expected = {"黄土铺镇工会联合会", "新发食品有限公司工会"}
    assert set(form.fields["organization"].queryset.values_list("name", flat=True)) == expected
    assert set(form.fields["employer"].queryset.values_list("name", flat=True)) == expected


def test_create_person_normalises_and_warns_about_area_code(tree, login, township_cadre):
    response = login(township_cadre).post(
        reverse("people:create"),
        person_post(
            tree.xinfa, name="  陳 靜 ", id_number=OLD_ID.lower(), phone="１３９００００１１１１"
        ),
        follow=True,
    )
    person = Person.objects.get()
    assert response.redirect_chain[-1][0] == detail(person)
    assert person.name == "陈 静"
    assert person.phone == "13900001111"
    messages = [str(m) for m in response.context["messages"]]
    assert any("已登记职工" in m for m in messages)
    assert any("430426" in m and "区划" in m for m in messages)
    assert_no_protected(response, OLD_ID, "13900001111")


def test_create_shows_chinese_field_errors_and_saves_nothing(tree, login, township_cadre, theirs):
    response = login(township_cadre).post(
        reverse("people:create"),
        person_post(
            tree.xinfa,
            id_number=THEIRS_ID,
            phone="123",
            employment_form="new_form",
            employer_credit_code="91110000600037341L",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["id_number"] == ["该身份证号码已在其他单位登记,请联系上级工会"]
    assert "电话号码格式不正确" in errors["phone"][0]
    assert errors["new_form_type"] == ["新就业形态劳动者请选择类别"]
    assert "employer_name" in errors
    assert Person.objects.count() == 1


def test_create_in_out_of_scope_org_is_a_form_error(tree, login, township_cadre):
    response = login(township_cadre).post(reverse("people:create"), person_post(tree.liuquan))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Person.objects.exists()


def test_create_permission_matrix(client, login, tree, auditor, station_staff):
    url = reverse("people:create")
    assert client.get(url).status_code == 302
    assert login(auditor).get(url).status_code == 403
    assert login(auditor).post(url, person_post(tree.xinfa)).status_code == 403
    assert not Person.objects.exists()
    assert login(station_staff).post(url, person_post(tree.xinfa)).status_code == 302
    assert Person.objects.count() == 1


def test_edit_keeps_protected_values_when_left_empty(tree, login, township_cadre, mine):
    url = reverse("people:update", args=[mine.pk])
    client = login(township_cadre)
    page = client.get(url)
    assert page.status_code == 200
    assert_no_protected(page, MINE_ID, MINE_PHONE)
    assert mask_id_number(MINE_ID) in page.content.decode()
    form = page.context["form"]
    assert form["name"].value() == "刘德华"
    assert form["organization"].value() == tree.xinfa.pk
    response = client.post(
        url, person_post(tree.xinfa, name="劉德華", id_number="", phone="", address="新地址")
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=mine.pk)
    assert (person.name, person.address) == ("刘德华", "新地址")
    assert (person.id_number, person.phone) == (MINE_ID, MINE_PHONE)


def test_edit_can_clear_phone(tree, login, township_cadre, mine):
    url = reverse("people:update", args=[mine.pk])
    login(township_cadre).post(
        url, person_post(tree.xinfa, name="刘德华", id_number="", clear_phone="on")
    )
    assert Person.objects.get(pk=mine.pk).phone == ""


def test_edit_permission_matrix(client, login, tree, sibling_cadre, auditor, mine):
    url = reverse("people:update", args=[mine.pk])
    data = person_post(tree.xinfa, name="改名", id_number="")
    assert client.post(url, data).status_code == 302
    assert login(sibling_cadre).post(url, data).status_code == 404
    assert login(auditor).post(url, data).status_code == 403
    assert Person.objects.get(pk=mine.pk).name == "刘德华"
    assert not ChangeLog.objects.filter(action="update").exists()


# -- household -------------------------------------------------------------------------------


def member_post(**fields):
    data = {
        "relation": "child",
        "name": "刘小明",
        "id_number": "",
        "birth_date": "",
        "monthly_income": "",
        "health": "healthy",
        "disability_grade": "",
        "school": "",
    }
    data.update(fields)
    return data


def test_household_add_edit_remove(tree, login, township_cadre, mine):
    client = login(township_cadre)
    number = make_id_number(birth=datetime.date(2012, 9, 1))
    response = client.post(
        reverse("people:household_create", args=[mine.pk]),
        member_post(id_number=number, monthly_income="0", school="祁東一中"),
    )
    assert response.status_code == 302
    member = HouseholdMember.objects.get()
    assert (member.school, member.birth_date) == ("祁东一中", datetime.date(2012, 9, 1))

    edit = reverse("people:household_update", args=[mine.pk, member.pk])
    page = client.get(edit)
    assert_no_protected(page, number)
    assert page.context["form"]["name"].value() == "刘小明"
    response = client.post(
        edit, member_post(birth_date="2012-09-01", health="disabled", disability_grade="2")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.health, member.disability_grade, member.id_number) == ("disabled", 2, number)

    delete = reverse("people:household_delete", args=[mine.pk, member.pk])
    assert "刘小明" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not HouseholdMember.objects.exists()


def test_household_form_errors(tree, login, township_cadre, mine):
    response = login(township_cadre).post(
        reverse("people:household_create", args=[mine.pk]),
        member_post(id_number=MINE_ID, monthly_income="-5", disability_grade="3"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["id_number"] == ["家庭成员的身份证号码不能与职工本人相同"]
    assert errors["monthly_income"] == ["月收入不能为负数"]
    assert "disability_grade" in errors
    assert not HouseholdMember.objects.exists()


def test_household_routes_are_scoped(
    tree, login, township_cadre, sibling_cadre, station_staff, mine
):
    member = services.add_household_member(
        actor=township_cadre, person=mine, relation="parent", name="刘父"
    ).member
    routes = [
        reverse("people:household_create", args=[mine.pk]),
        reverse("people:household_update", args=[mine.pk, member.pk]),
        reverse("people:household_delete", args=[mine.pk, member.pk]),
    ]
    for url in routes:
        assert login(sibling_cadre).post(url, member_post()).status_code == 404
        assert login(station_staff).post(url, member_post()).status_code == 403
    # The member id under another person's URL is not found either.
    other = PersonFactory(organization=tree.xinfa)
    url = reverse("people:household_delete", args=[other.pk, member.pk])
    assert login(township_cadre).post(url).status_code == 404
    assert list(HouseholdMember.objects.values_list("name", flat=True)) == ["刘父"]


# -- Traditional and full-width input end to end ---------------------------------------------


def test_traditional_name_is_found_by_simplified_search(tree, login, township_cadre):
    login(township_cadre).post(reverse("people:create"), person_post(tree.xinfa, name="陳靜"))
    response = login(township_cadre).get(LIST, {"q": "陈静"})
    assert "陈静" in response.content.decode()
    response = login(township_cadre).get(LIST, {"q": "陳"})
    assert "陈静" in response.content.decode()
