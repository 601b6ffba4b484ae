"""The workbench's global search page (huigong.views.global_search)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huigong.testing.factories import OrganizationFactory, PersonFactory, UserFactory, give_role

from .conftest import MINE_ID, MINE_PHONE, THEIRS_ID

URL = reverse("search")


def result_names(response, key):
    return [obj.name for obj in response.context[key]]


def test_finds_persons_and_organizations_in_scope(tree, login, township_cadre, mine, theirs):
    client = login(township_cadre)
    response = client.get(URL, {"q": "刘德华"})
    assert response.status_code == 200
    assert result_names(response, "persons") == ["刘德华"]
    body = response.content.decode()
    assert reverse("people:detail", args=[mine.pk]) in body
    assert MINE_ID not in body and MINE_PHONE not in body

    response = client.get(URL, {"q": "工會"})  # Traditional input
    assert set(result_names(response, "organizations")) == {
        "黄土铺镇工会联合会",
        "新发食品有限公司工会",
    }
    assert reverse("orgs:detail", args=[tree.xinfa.pk]) in response.content.decode()


@pytest.mark.parametrize("query", [MINE_ID, MINE_ID[-4:], MINE_PHONE, "ldh", "劉"])
def test_every_query_kind_works(tree, login, county_cadre, mine, theirs, query):
    response = login(county_cadre).get(URL, {"q": query})
    assert result_names(response, "persons") == ["刘德华"]


def test_other_townships_are_invisible(tree, login, township_cadre, mine, theirs):
    client = login(township_cadre)
    for query in (THEIRS_ID, "王建国", "wjg", "流泉"):
        response = client.get(URL, {"q": query})
        assert result_names(response, "persons") == []
        assert "流泉村工会" not in result_names(response, "organizations")
        assert reverse("people:detail", args=[theirs.pk]) not in response.content.decode()


def test_results_are_capped_at_twenty(tree, login, county_cadre):
    PersonFactory.create_batch(25, organization=tree.xinfa, name="重名")
    parent = tree.xinfa
    for i in range(22):
        OrganizationFactory.child(parent, name=f"重名分会{i}", kind="grassroots")
    client = login(county_cadre)
    client.get(URL, {"q": "重名"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "重名"})
    assert len(response.context["persons"]) == 20
    assert len(response.context["organizations"]) == 20
    assert len(queries) <= 12


def test_user_without_person_permission_sees_only_organizations(tree, roles, login, mine):
    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    response = login(hr).get(URL, {"q": "新发"})
    assert response.context["persons"] == []
    assert result_names(response, "organizations") == ["新发食品有限公司工会"]
    assert "刘德华" not in response.content.decode()


def test_empty_and_odd_queries(tree, login, county_cadre, mine):
    client = login(county_cadre)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"q": "   "}).context["persons"] == []
    assert client.get(URL, {"q": "12345"}).context["persons"] == []
    assert client.get(URL, {"q": "刘" * 10_000}).status_code == 200


def test_anonymous_and_workers_are_redirected(client, login, tree, worker):
    assert client.get(URL, {"q": "刘"}).status_code == 302
    response = login(worker).get(URL, {"q": "刘"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
