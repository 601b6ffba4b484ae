"""Organization pickers: the scoped search endpoint and the widget that renders only the
chosen organization."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from huigong.cases.forms.intake import IntakeForm
from huigong.orgs.forms import OrganizationForm, OrgChoiceField
from huigong.orgs.models import Organization, OrgStatus
from huigong.orgs.widgets import OrganizationAutocomplete, OrganizationMultipleAutocomplete
from huigong.people.forms import PersonForm
from huigong.testing.factories import OrganizationFactory, UserFactory, give_role

URL = reverse("orgs:autocomplete")


def search(client, user, **params) -> dict:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def names(data: dict) -> list[str]:
    return [row["text"] for row in data["results"]]


# -- endpoint: who may call it ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(URL, {"q": "工会"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_worker_is_sent_to_the_portal(client, worker):
    client.force_login(worker)
    response = client.get(URL, {"q": "工会"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_staff_without_the_permission_is_refused(client, tree, auditor, roles):
    client.force_login(auditor)
    response = client.get(URL, {"q": "工会", "perm": "orgs.add_organization"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    partner = give_role(UserFactory(username="partner"), "partner_department", tree.county)
    client.force_login(partner)
    assert client.get(URL, {"q": "工会"}).status_code == 403


def test_cadre_finds_organizations_in_scope_with_path_label(client, tree, county_cadre):
    data = search(client, county_cadre, q="镇")
    assert names(data) == ["黄土铺镇工会联合会", "白地市镇工会联合会"]
    assert data["results"][0] == {
        "id": tree.huangtupu.pk,
        "text": "黄土铺镇工会联合会",
        "path_label": "祁东县总工会 › 黄土铺镇工会联合会",
    }
    assert data["more"] is False


def test_empty_query_lists_the_scope_in_tree_order(client, tree, township_cadre):
    data = search(client, township_cadre)
    assert names(data) == ["黄土铺镇工会联合会", "新发食品有限公司工会"]


def test_short_name_and_traditional_characters_match(client, tree, county_cadre):
    Organization.objects.filter(pk=tree.xinfa.pk).update(short_name="新发工会")
    assert names(search(client, county_cadre, q="新發")) == ["新发食品有限公司工会"]
    assert names(search(client, county_cadre, q="新发工会")) == ["新发食品有限公司工会"]


def test_township_cadre_never_gets_a_sibling_townships_unions(client, tree, township_cadre):
    for q in ["", "流泉", "村工会", "白地市", "工会", "镇"]:
        for perm in ["orgs.view_organization", "orgs.add_organization", "cases.intake_case"]:
            found = {row["id"] for row in search(client, township_cadre, q=q, perm=perm)["results"]}
            assert tree.liuquan.pk not in found and tree.baidishi.pk not in found
            assert tree.county.pk not in found
    assert search(client, township_cadre, q="流泉")["results"] == []


def test_scope_follows_the_requested_permission(client, tree, station_staff, auditor):
    assert names(search(client, station_staff, q="工会", perm="cases.intake_case")) == [
        "黄土铺镇工会联合会",
        "新发食品有限公司工会",
    ]
    assert "流泉村工会" in names(search(client, auditor, q="工会", perm="cases.view_case"))


def test_kind_active_and_under_narrow_the_results(client, tree, county_cadre):
    assert names(search(client, county_cadre, q="工会", kind="grassroots")) == [
        "新发食品有限公司工会",
        "流泉村工会",
    ]
    assert names(search(client, county_cadre, kind="township,county")) == [
        "祁东县总工会",
        "黄土铺镇工会联合会",
        "白地市镇工会联合会",
    ]
    Organization.objects.filter(pk=tree.liuquan.pk).update(status=OrgStatus.DISSOLVED)
    assert "流泉村工会" in names(search(client, county_cadre, kind="grassroots"))
    assert "流泉村工会" not in names(search(client, county_cadre, kind="grassroots", active="1"))
    assert names(search(client, county_cadre, under=tree.huangtupu.pk)) == ["新发食品有限公司工会"]


def test_under_outside_scope_yields_nothing(client, tree, township_cadre):
    assert search(client, township_cadre, under=tree.baidishi.pk)["results"] == []
    assert search(client, township_cadre, under=999999)["results"] == []


def test_pages_of_twenty_in_path_order(client, tree, township_cadre):
    for n in range(45):
        OrganizationFactory.child(tree.huangtupu, name=f"黄土铺第{n:02d}厂工会", kind="grassroots")
    first = search(client, township_cadre, q="厂工会")
    second = search(client, township_cadre, q="厂工会", page=2)
    third = search(client, township_cadre, q="厂工会", page="3")
    assert len(first["results"]) == 20 and first["more"] is True
    assert len(second["results"]) == 20 and second["more"] is True
    assert len(third["results"]) == 5 and third["more"] is False
    got = names(first) + names(second) + names(third)
    assert got == [f"黄土铺第{n:02d}厂工会" for n in range(45)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "99999999999999999999999"}, "page"),
        ({"perm": "accounts.delete_user"}, "perm"),
        ({"perm": "nonsense"}, "perm"),
        ({"kind": "planet"}, "kind"),
        ({"under": "abc"}, "under"),
        ({"under": "99999999999999999999999"}, "under"),
        ({"q": "工" * 101}, "q"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, tree, county_cadre, params, field):
    client.force_login(county_cadre)
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["errors"][0]["field"] == field and body["message"]


def test_search_query_count(client, tree, county_cadre, django_assert_max_num_queries):
    for n in range(30):
        OrganizationFactory.child(tree.baidishi, name=f"白地市第{n:02d}厂工会", kind="grassroots")
    client.force_login(county_cadre)
    client.get(URL, {"q": "厂"})  # warm the session
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"q": "厂", "page": "2"})
    assert len(response.json()["results"]) == 10


# -- widget --------------------------------------------------------------------------------


def options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


def test_widget_renders_only_the_selected_organization(
    tree, township_cadre, django_assert_max_num_queries
):
    for n in range(300):
        OrganizationFactory.child(tree.huangtupu, name=f"第{n:03d}工会", kind="grassroots")
    form = IntakeForm(user=township_cadre)
    with django_assert_max_num_queries(2):
        html = str(form["organization"])
    assert options(html) == [
        f'<option value="{tree.huangtupu.pk}" selected>黄土铺镇工会联合会</option>'
    ]
    assert "data-org-autocomplete" in html
    assert f'data-url="{URL}"' in html and 'data-perm="cases.intake_case"' in html
    assert 'data-placeholder="输入名称搜索"' in html


def test_optional_picker_keeps_its_empty_choice(tree, county_cadre):
    html = str(IntakeForm(user=county_cadre)["employer"])
    assert options(html) == ['<option value="" selected>(不选)</option>']
    html = str(IntakeForm(user=county_cadre, initial={"employer": tree.xinfa.pk})["employer"])
    assert options(html) == [
        '<option value="">(不选)</option>',
        f'<option value="{tree.xinfa.pk}" selected>新发食品有限公司工会</option>',
    ]


def test_widget_carries_the_forms_scope_settings(tree, county_cadre):
    html = str(OrganizationForm(user=county_cadre, choose_parent=True)["parent"])
    assert 'data-perm="orgs.add_organization"' in html and 'data-active="1"' in html
    assert "grassroots" not in html.split("data-kind=")[1].split('"')[1]
    html = str(PersonForm(user=county_cadre)["organization"])
    assert 'data-perm="people.add_person"' in html


def test_posted_id_outside_scope_is_rejected_and_not_echoed(tree, township_cadre):
    form = IntakeForm(data={"organization": tree.baidishi.pk}, user=township_cadre)
    assert not form.is_valid()
    message = form.fields["organization"].error_messages["invalid_choice"]
    assert form.errors["organization"] == [str(message)]
    assert "白地市" not in str(form["organization"])
    parent_form = OrganizationForm(
        data={"parent": tree.baidishi.pk, "name": "新工会", "kind": "grassroots"},
        user=township_cadre,
        choose_parent=True,
    )
    assert not parent_form.is_valid()
    assert parent_form.errors["parent"] == ["所选组织不存在、已撤销或不在您可操作的范围内"]
    assert "白地市" not in str(parent_form["parent"])


def test_malformed_posted_ids_render_without_error(tree, county_cadre):
    for value in ["abc", "99999999999999999999999", "１２"]:
        form = OrganizationForm(data={"parent": value}, user=county_cadre, choose_parent=True)
        assert not form.is_valid()
        assert options(str(form["parent"])) == ['<option value="">---------</option>']


def test_multiple_variant_renders_only_selected(tree):
    class Form(forms.Form):
        orgs = forms.ModelMultipleChoiceField(
            queryset=Organization.objects.all(), widget=OrganizationMultipleAutocomplete
        )

    html = str(Form(initial={"orgs": [tree.xinfa.pk, tree.liuquan.pk]})["orgs"])
    assert "multiple" in html
    assert len(options(html)) == 2 and "新发食品有限公司工会" in html and "流泉村工会" in html
    form = Form(data={"orgs": [tree.xinfa.pk, tree.liuquan.pk]})
    assert form.is_valid() and set(form.cleaned_data["orgs"]) == {tree.xinfa, tree.liuquan}


def test_org_choice_field_defaults_to_the_picker(db):
    field = OrgChoiceField(queryset=Organization.objects.none())
    assert isinstance(field.widget, OrganizationAutocomplete)
