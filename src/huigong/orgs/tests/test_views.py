"""Workbench pages for organizations: scope, permissions, outcomes and query counts."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from openpyxl import load_workbook

from huigong.orgs import services
from huigong.orgs.models import Grid, Organization, OrgStatus
from huigong.testing.factories import OrganizationFactory, PersonFactory

from .conftest import db_state


def text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode())).strip()


def listed(response) -> list[str]:
    """Organization names in the list table, in order."""
    return re.findall(r'data-testid="org-link"[^>]*>([^<]+)<', response.content.decode())


def login(client, user):
    client.force_login(user)
    return client


def many_unions(parent, n: int) -> list[Organization]:
    return [
        OrganizationFactory.child(
            parent, name=f"测试企业{i:02d}工会", kind="grassroots", category="enterprise"
        )
        for i in range(n)
    ]


# -- list ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, tree):
    for name, args in [("orgs:list", []), ("orgs:tree", []), ("orgs:detail", [tree.xinfa.pk])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_list_shows_only_the_users_subtree(client, tree, township_cadre):
    response = login(client, township_cadre).get(reverse("orgs:list"))
    assert response.status_code == 200
    page = text(response)
    assert "黄土铺镇工会联合会" in page and "新发食品有限公司工会" in page
    assert "白地市镇工会联合会" not in page and "流泉村工会" not in page
    assert "共 2 条" in page


def test_list_filters_by_name_kind_status_code_and_subtree(client, tree, county_cadre):
    client = login(client, county_cadre)
    url = reverse("orgs:list")
    # Traditional input is normalised before searching.
    assert "共 1 条" in text(client.get(url, {"q": "流泉村"}))
    assert "流泉村工会" in text(client.get(url, {"q": "流泉村"}))
    assert listed(client.get(url, {"kind": "township"})) == [
        "黄土铺镇工会联合会",
        "白地市镇工会联合会",
    ]
    assert listed(client.get(url, {"category": "rural_community"})) == ["流泉村工会"]
    assert listed(client.get(url, {"division_code": "４３０４２６１"})) == [
        "黄土铺镇工会联合会",
        "白地市镇工会联合会",
    ]
    assert listed(client.get(url, {"under": tree.baidishi.pk})) == [
        "白地市镇工会联合会",
        "流泉村工会",
    ]
    services.dissolve_organization(actor=county_cadre, organization=tree.liuquan)
    response = client.get(url, {"status": "dissolved"})
    assert "共 1 条" in text(response)
    assert listed(response) == ["流泉村工会"]


def test_list_refuses_a_subtree_outside_scope_without_error(client, tree, township_cadre):
    response = login(client, township_cadre).get(reverse("orgs:list"), {"under": tree.baidishi.pk})
    assert response.status_code == 200
    page = text(response)
    assert "共 0 条" in page
    assert "不在您可操作的范围内" in page


def test_list_sorts_and_tolerates_bad_parameters(client, tree, county_cadre):
    client = login(client, county_cadre)
    names = listed(client.get(reverse("orgs:list"), {"sort": "-name"}))
    assert len(names) == 5
    assert names == sorted(names, reverse=True)
    assert client.get(reverse("orgs:list"), {"sort": "nonsense", "kind": "x"}).status_code == 200
    # A malformed page number shows the first page rather than an error.
    assert listed(client.get(reverse("orgs:list"), {"page": "abc"})) == listed(
        client.get(reverse("orgs:list"))
    )


def test_export_writes_exactly_the_filtered_rows(client, tree, county_cadre):
    response = login(client, county_cadre).get(
        reverse("orgs:list"), {"kind": "grassroots", "sort": "name", "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("名称", "简称", "类型", "基层工会类别", "上级组织")
    assert [r[0] for r in rows[1:]] == sorted(["新发食品有限公司工会", "流泉村工会"])
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["流泉村工会"][2:5] == ("基层工会", "农村社区", "白地市镇工会联合会")


def test_export_needs_the_export_permission(client, tree, auditor):
    response = login(client, auditor).get(reverse("orgs:list"), {"export": "xlsx"})
    assert response.status_code == 403


def test_list_page_queries_do_not_grow_with_rows(
    client, tree, county_cadre, django_assert_max_num_queries
):
    many_unions(tree.huangtupu, 30)
    client = login(client, county_cadre)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("orgs:list"))
    assert "共 35 条" in text(response)
    assert len(listed(response)) == 25
    with django_assert_max_num_queries(12):
        client.get(reverse("orgs:list"), {"export": "xlsx"})


# -- tree ------------------------------------------------------------------------------------


def test_tree_starts_at_the_users_scope_with_counts(client, tree, township_cadre):
    PersonFactory(organization=tree.xinfa)
    PersonFactory(organization=tree.huangtupu)
    response = login(client, township_cadre).get(reverse("orgs:tree"))
    html = response.content.decode()
    assert html.count('data-testid="tree-node"') == 1
    assert f'data-org-id="{tree.huangtupu.pk}"' in html
    assert "下级 1 · 基层工会 1 · 职工 2" in text(response)


def test_tree_children_load_with_their_counts(client, tree, county_cadre):
    PersonFactory(organization=tree.liuquan)
    response = login(client, county_cadre).get(
        reverse("orgs:tree_children", args=[tree.county.pk]), HTTP_HX_REQUEST="true"
    )
    page = text(response)
    assert "<html" not in response.content.decode()
    assert "黄土铺镇工会联合会" in page and "白地市镇工会联合会" in page
    assert "白地市镇工会联合会 乡镇(街道)工会 下级 1 · 基层工会 1 · 职工 1" in page


def test_tree_children_outside_scope_are_not_found(client, tree, township_cadre):
    client = login(client, township_cadre)
    assert client.get(reverse("orgs:tree_children", args=[tree.baidishi.pk])).status_code == 404
    assert client.get(reverse("orgs:tree_children", args=[999999])).status_code == 404


def test_tree_queries_do_not_grow_with_children(
    client, tree, county_cadre, django_assert_max_num_queries
):
    for org in many_unions(tree.huangtupu, 25):
        PersonFactory(organization=org)
    client = login(client, county_cadre)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orgs:tree_children", args=[tree.huangtupu.pk]))
    assert text(response).count("职工 1") == 25
    with django_assert_max_num_queries(12):
        client.get(reverse("orgs:tree"))


# -- detail ----------------------------------------------------------------------------------


def test_detail_shows_fields_children_grids_counts_and_history(client, tree, township_cadre, area):
    services.update_organization(
        actor=township_cadre, organization=tree.huangtupu, contact_name="罗芳"
    )
    Grid.objects.add_child(
        area, instance=Grid(organization=tree.huangtupu, name="一网格", level="grid")
    )
    PersonFactory(organization=tree.xinfa)
    response = login(client, township_cadre).get(reverse("orgs:detail", args=[tree.huangtupu.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "430426112" in page
    assert "新发食品有限公司工会" in page
    assert "东片区" in page and "一网格" in page
    assert "联系人:— → 罗芳" in page
    html = response.content.decode()
    assert re.search(r'data-testid="count-persons">1<', html)
    # Township cadres may edit and add, but not move, merge or dissolve.
    assert 'data-testid="edit"' in html and 'data-testid="add-child"' in html
    assert 'data-testid="move"' not in html and 'data-testid="dissolve"' not in html
    # Ancestors above the user's scope are not shown.
    assert "祁东县总工会" not in page


def test_detail_outside_scope_or_unknown_is_not_found(client, tree, township_cadre):
    client = login(client, township_cadre)
    assert client.get(reverse("orgs:detail", args=[tree.liuquan.pk])).status_code == 404
    assert client.get(reverse("orgs:detail", args=[tree.county.pk])).status_code == 404
    assert client.get(reverse("orgs:detail", args=[987654])).status_code == 404


def test_worker_is_sent_to_the_portal(client, tree, worker):
    response = login(client, worker).get(reverse("orgs:detail", args=[tree.xinfa.pk]))
    assert response.status_code == 302


def test_detail_queries_are_bounded(client, tree, county_cadre, django_assert_max_num_queries):
    for org in many_unions(tree.huangtupu, 20):
        Grid.objects.add_root(
            instance=Grid(organization=tree.huangtupu, name=org.name, level="area")
        )
    client = login(client, county_cadre)
    with django_assert_max_num_queries(26):
        response = client.get(reverse("orgs:detail", args=[tree.huangtupu.pk]))
    assert response.content.decode().count('data-testid="child-row"') == 21


# -- create and edit -------------------------------------------------------------------------


def test_create_form_offers_only_parents_in_scope(client, tree, township_cadre):
    response = login(client, township_cadre).get(
        reverse("orgs:create"), {"parent": tree.huangtupu.pk}
    )
    html = response.content.decode()
    assert f'<option value="{tree.huangtupu.pk}" selected>' in html
    assert f'value="{tree.baidishi.pk}"' not in html
    offered = set(response.context["form"].fields["parent"].queryset)
    assert tree.huangtupu in offered
    assert tree.baidishi not in offered
    assert tree.xinfa not in offered  # grassroots unions have no children


def test_create_through_the_form(client, tree, township_cadre):
    response = login(client, township_cadre).post(
        reverse("orgs:create"),
        {
            "parent": tree.huangtupu.pk,
            "name": "宏达建材厂工会",
            "kind": "grassroots",
            "category": "enterprise",
            "credit_code": "91110000600037341L",
            "employee_count": "58",
        },
    )
    org = Organization.objects.get(name="宏达建材厂工会")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert org.employee_count == 58
    assert Organization.objects.get_parent(org) == tree.huangtupu


def field_errors(response) -> dict[str, str]:
    return dict(re.findall(r'data-field="(\w+)">([^<]+)<', response.content.decode()))


def test_create_form_shows_chinese_field_errors_and_saves_nothing(client, tree, township_cadre):
    client = login(client, township_cadre)
    before = db_state()
    response = client.post(
        reverse("orgs:create"),
        {
            "name": "宏达建材厂工会",
            "kind": "grassroots",
            "credit_code": "91110000600037341X",
            "division_code": "12345",
            "employee_count": "-1",
            "founded_on": "2999-01-01",
        },
    )
    assert response.status_code == 400
    errors = field_errors(response)
    # All field problems at once, even while the parent is still missing.
    assert set(errors) == {"parent", "credit_code", "division_code", "employee_count", "founded_on"}
    assert errors["credit_code"].startswith("统一社会信用代码的校验位不正确")
    assert errors["division_code"].startswith("行政区划代码应为 6 位")
    assert errors["employee_count"] == "职工人数不能为负数"
    assert errors["founded_on"] == "成立日期不能晚于今天"
    # Then the rules about the place in the tree.
    response = client.post(
        reverse("orgs:create"),
        {
            "parent": tree.huangtupu.pk,
            "name": "新发食品有限公司工会",
            "kind": "township",
            "category": "enterprise",
        },
    )
    errors = field_errors(response)
    assert errors["kind"] == "“乡镇(街道)工会”不能设在“乡镇(街道)工会”之下"
    assert errors["category"] == "只有基层工会才有类别,请清空"
    assert errors["name"] == "“黄土铺镇工会联合会”下已有名为“新发食品有限公司工会”的组织"
    assert db_state() == before


def test_create_under_a_parent_outside_scope_is_a_form_error(client, tree, township_cadre):
    before = db_state()
    response = login(client, township_cadre).post(
        reverse("orgs:create"), {"parent": tree.baidishi.pk, "name": "某工会", "kind": "grassroots"}
    )
    assert response.status_code == 400
    assert "所选组织不存在、已撤销或不在您可操作的范围内" in text(response)
    assert db_state() == before


@pytest.mark.parametrize("who", ["hr", "auditor"])
def test_create_and_edit_pages_are_forbidden_without_permission(client, tree, request, who):
    client = login(client, request.getfixturevalue(who))
    before = db_state()
    assert client.get(reverse("orgs:create")).status_code == 403
    assert (
        client.post(
            reverse("orgs:create"),
            {"parent": tree.huangtupu.pk, "name": "某工会", "kind": "grassroots"},
        ).status_code
        == 403
    )
    assert client.post(reverse("orgs:edit", args=[tree.xinfa.pk]), {"name": "x"}).status_code == 403
    assert db_state() == before


def test_edit_through_the_form(client, tree, township_cadre):
    client = login(client, township_cadre)
    page = client.get(reverse("orgs:edit", args=[tree.xinfa.pk]))
    assert 'value="新发食品有限公司工会"' in page.content.decode()
    response = client.post(
        reverse("orgs:edit", args=[tree.xinfa.pk]),
        {
            "name": "新发食品公司工会",
            "kind": "grassroots",
            "category": "enterprise",
            "member_count": "40",
        },
    )
    assert response.status_code == 302
    tree.xinfa.refresh_from_db()
    assert (tree.xinfa.name, tree.xinfa.member_count) == ("新发食品公司工会", 40)


def test_edit_of_a_sibling_township_union_is_not_found(client, tree, township_cadre):
    before = db_state()
    client = login(client, township_cadre)
    assert client.get(reverse("orgs:edit", args=[tree.liuquan.pk])).status_code == 404
    response = client.post(
        reverse("orgs:edit", args=[tree.liuquan.pk]), {"name": "被改名", "kind": "grassroots"}
    )
    assert response.status_code == 404
    assert db_state() == before


# -- move, merge, dissolve -------------------------------------------------------------------


def test_move_page_confirms_and_moves(client, tree, county_cadre):
    client = login(client, county_cadre)
    page = client.get(reverse("orgs:move", args=[tree.huangtupu.pk]))
    assert "连同它的 1 个下级组织" in text(page)
    offered = page.context["form"].fields["parent"].queryset
    assert tree.baidishi in offered
    assert tree.xinfa not in offered  # not into its own subtree
    other = OrganizationFactory.child(tree.city, name="祁阳市总工会", kind="county")
    assert other not in offered  # outside the county cadre's scope
    response = client.post(reverse("orgs:move", args=[tree.xinfa.pk]), {"parent": tree.baidishi.pk})
    assert response.status_code == 302
    assert (
        Organization.objects.get_parent(Organization.objects.get(pk=tree.xinfa.pk)) == tree.baidishi
    )


def test_move_page_shows_service_errors(client, tree, county_cadre):
    before = db_state()
    response = login(client, county_cadre).post(
        reverse("orgs:move", args=[tree.baidishi.pk]), {"parent": tree.huangtupu.pk}
    )
    assert response.status_code == 400
    assert "“乡镇(街道)工会”不能设在“乡镇(街道)工会”之下" in text(response)
    assert db_state() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("township_cadre", 403), ("station_staff", 403), ("sibling_cadre", 403)],
)
@pytest.mark.parametrize("action", ["move", "merge", "dissolve"])
def test_structural_actions_are_refused_without_permission(
    client, tree, request, who, status, action
):
    client = login(client, request.getfixturevalue(who))
    before = db_state()
    url = reverse(f"orgs:{action}", args=[tree.xinfa.pk])
    assert client.get(url).status_code == status
    data = {"parent": tree.baidishi.pk, "target": tree.liuquan.pk, "confirm": "on"}
    assert client.post(url, data).status_code == status
    assert db_state() == before


def test_out_of_scope_federation_cadre_gets_not_found(client, tree, roles):
    from huigong.testing.factories import UserFactory, give_role

    other = give_role(UserFactory(username="bd_fed"), "federation_cadre", tree.baidishi)
    client = login(client, other)
    before = db_state()
    for action in ("move", "merge", "dissolve"):
        url = reverse(f"orgs:{action}", args=[tree.xinfa.pk])
        assert client.post(url, {"parent": tree.baidishi.pk, "confirm": "on"}).status_code == 404
    assert db_state() == before


def test_merge_page_lists_what_moves_and_merges(client, tree, county_cadre, xinfa_branch):
    PersonFactory(organization=xinfa_branch)
    PersonFactory(organization=xinfa_branch)
    client = login(client, county_cadre)
    page = client.get(reverse("orgs:merge", args=[xinfa_branch.pk]))
    page_text = text(page)
    assert "职工 · 所属工会:2 条记录改为指向目标组织" in page_text
    offered = page.context["form"].fields["target"].queryset
    assert tree.xinfa in offered
    assert tree.huangtupu not in offered  # other kinds are not offered
    response = client.post(reverse("orgs:merge", args=[xinfa_branch.pk]), {"target": tree.xinfa.pk})
    assert response.status_code == 400 and "请勾选确认" in text(response)
    response = client.post(
        reverse("orgs:merge", args=[xinfa_branch.pk]), {"target": tree.xinfa.pk, "confirm": "on"}
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=xinfa_branch.pk).status == OrgStatus.MERGED
    detail = text(client.get(reverse("orgs:detail", args=[xinfa_branch.pk])))
    assert "该组织已合并:并入 新发食品有限公司工会" in detail
    assert "改指向的记录: 职工·所属工会 2" in detail


def test_dissolve_page_explains_what_blocks_it(client, tree, county_cadre):
    PersonFactory(organization=tree.huangtupu)
    client = login(client, county_cadre)
    page = text(client.get(reverse("orgs:dissolve", args=[tree.huangtupu.pk])))
    assert "还有 1 个正常状态的下级组织" in page and "还有 1 名职工登记在本组织" in page
    before = db_state()
    response = client.post(reverse("orgs:dissolve", args=[tree.huangtupu.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert "不能撤销“黄土铺镇工会联合会”" in text(response)
    assert db_state() == before
    response = client.post(
        reverse("orgs:dissolve", args=[tree.xinfa.pk]), {"confirm": "on", "reason": "企业注销"}
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=tree.xinfa.pk).status == OrgStatus.DISSOLVED


# -- grids -----------------------------------------------------------------------------------


def test_grid_created_from_the_node_page(client, tree, township_cadre, area):
    client = login(client, township_cadre)
    response = client.post(
        reverse("orgs:grid_create", args=[tree.huangtupu.pk]),
        {"name": "一网格", "level": "grid", "parent": area.pk, "description": "东风村"},
    )
    assert response.status_code == 302
    grid = Grid.objects.get(name="一网格")
    assert Grid.objects.get_parent(grid) == area
    response = client.post(
        reverse("orgs:grid_create", args=[tree.huangtupu.pk]), {"name": "微", "level": "micro"}
    )
    assert response.status_code == 400
    assert "微网格必须设在某个网格之下" in text(response)
    assert not Grid.objects.filter(name="微").exists()


def test_grid_parent_of_another_organization_is_refused(client, tree, county_cadre):
    other = Grid.objects.add_root(
        instance=Grid(organization=tree.baidishi, name="西片区", level="area")
    )
    response = login(client, county_cadre).post(
        reverse("orgs:grid_create", args=[tree.huangtupu.pk]),
        {"name": "一网格", "level": "grid", "parent": other.pk},
    )
    assert response.status_code == 400
    assert not Grid.objects.filter(name="一网格").exists()


def test_grid_page_edits_and_assigns_officers(client, tree, township_cadre, station_staff, area):
    client = login(client, township_cadre)
    page = client.get(reverse("orgs:grid_edit", args=[area.pk]))
    assert "站点工作人员" in text(page)
    response = client.post(reverse("orgs:grid_edit", args=[area.pk]), {"name": "东部片区"})
    assert response.status_code == 302
    response = client.post(
        reverse("orgs:grid_officers", args=[area.pk]), {"officers": [station_staff.pk]}
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "东部片区"
    assert list(area.officers.all()) == [station_staff]


def test_grid_officer_outside_the_subtree_is_refused(
    client, tree, township_cadre, sibling_cadre, area
):
    response = login(client, township_cadre).post(
        reverse("orgs:grid_officers", args=[area.pk]), {"officers": [sibling_cadre.pk]}
    )
    assert response.status_code == 400
    assert not area.officers.exists()


@pytest.mark.parametrize(("who", "status"), [("sibling_cadre", 404), ("station_staff", 403)])
def test_grid_pages_are_refused_outside_scope_or_without_permission(
    client, tree, request, who, status, area
):
    client = login(client, request.getfixturevalue(who))
    before = db_state()
    assert client.get(reverse("orgs:grid_edit", args=[area.pk])).status_code == status
    assert (
        client.post(reverse("orgs:grid_edit", args=[area.pk]), {"name": "x"}).status_code == status
    )
    assert (
        client.post(reverse("orgs:grid_officers", args=[area.pk]), {"officers": []}).status_code
        == status
    )
    grid_create = reverse("orgs:grid_create", args=[tree.huangtupu.pk])
    assert client.post(grid_create, {"name": "x", "level": "area"}).status_code == status
    assert db_state() == before
