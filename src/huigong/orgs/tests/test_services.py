"""The organization use cases: rules, scope, permissions and the change log."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from huigong.accounts.models import RoleAssignment
from huigong.audit.models import ChangeLog
from huigong.orgs import services
from huigong.orgs.models import Grid, Organization, OrgStatus
from huigong.people.models import Person
from huigong.testing.factories import OrganizationFactory, PersonFactory, UserFactory, give_role

from .conftest import refused

VALID_USCC = "91110000600037341L"


def messages_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


def fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def log_for(obj) -> list[ChangeLog]:
    return list(
        ChangeLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
            "id"
        )
    )


@pytest.fixture
def city_cadre(tree, roles):
    return give_role(UserFactory(username="city", name="市总干部"), "federation_cadre", tree.city)


@pytest.fixture
def huangtupu_federation_cadre(tree, roles):
    """Holds move/merge/dissolve permissions, but only in 黄土铺镇."""
    return give_role(
        UserFactory(username="ht_fed", name="黄土铺镇联合会主席"),
        "federation_cadre",
        tree.huangtupu,
    )


# -- create ----------------------------------------------------------------------------------


def test_township_cadre_creates_grassroots_union_with_normalised_values(tree, township_cadre):
    org = services.create_organization(
        actor=township_cadre,
        parent=tree.huangtupu,
        name="  祁東縣 黃土鋪鎮 宏達建材廠工會 ",
        kind="grassroots",
        category="enterprise",
        credit_code="９１１１００００６０００３７３４１ｌ",
        division_code="430426112 201",
        employee_count="120",
        founded_on="2019/5/1",
        contact_phone="0734-6123456",
    )
    org.refresh_from_db()
    assert org.name == "祁东县 黄土铺镇 宏达建材厂工会"
    assert org.credit_code == VALID_USCC
    assert org.division_code == "430426112201"
    assert org.employee_count == 120
    assert org.founded_on == datetime.date(2019, 5, 1)
    assert org.contact_phone == "07346123456"
    assert Organization.objects.get_parent(org) == tree.huangtupu
    [entry] = log_for(org)
    assert entry.action == "create"
    assert entry.actor == township_cadre
    assert entry.changes["name"] == [None, org.name]
    assert entry.changes["parent"] == [None, tree.huangtupu.pk]
    assert entry.org_path == org.path


def test_township_cannot_be_created_under_a_grassroots_union(tree, county_cadre):
    with refused(ValidationError) as exc:
        services.create_organization(
            actor=county_cadre, parent=tree.xinfa, name="某某镇工会联合会", kind="township"
        )
    assert "“乡镇(街道)工会”不能设在“基层工会”之下" in messages_of(exc)["kind"]


def test_category_is_only_for_grassroots_unions(tree, county_cadre):
    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            actor=county_cadre,
            parent=tree.county,
            name="步云桥镇工会联合会",
            kind="township",
            category="enterprise",
        )
    assert messages_of(exc)["category"] == ["只有基层工会才有类别,请清空"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110000600037341X", "统一社会信用代码的校验位不正确,请核对是否抄错"),
        ("9111000060003734", "统一社会信用代码应为 18 位,当前为 16 位"),
        ("9I110000600037341L", "统一社会信用代码格式不正确"),
    ],
)
def test_invalid_credit_code_is_refused_in_chinese(tree, township_cadre, code, message):
    with refused(ValidationError) as exc:
        services.create_organization(
            actor=township_cadre,
            parent=tree.huangtupu,
            name="宏达建材厂工会",
            kind="grassroots",
            credit_code=code,
        )
    assert messages_of(exc)["credit_code"][0].startswith(message)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "43042",
            "行政区划代码应为 6 位(县级及以上)、9 位(乡镇街道)或 12 位(村、社区),当前为 5 位",
        ),
        ("4304261121", "当前为 10 位"),
        ("43042A", "行政区划代码只能包含数字"),
    ],
)
def test_division_code_must_have_6_9_or_12_digits(tree, township_cadre, code, message):
    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            actor=township_cadre,
            parent=tree.huangtupu,
            name="某村工会",
            kind="grassroots",
            division_code=code,
        )
    assert message in messages_of(exc)["division_code"][0]


def test_all_field_problems_are_reported_together(tree, township_cadre):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused(ValidationError) as exc:
        services.create_organization(
            actor=township_cadre,
            parent=tree.huangtupu,
            name=" ",
            kind="grassroots",
            employee_count=-3,
            member_count="很多",
            founded_on=tomorrow,
            contact_phone="123",
        )
    errors = messages_of(exc)
    assert errors["name"] == ["请填写名称"]
    assert errors["employee_count"] == ["职工人数不能为负数"]
    assert errors["member_count"] == ["会员人数应为整数"]
    assert errors["founded_on"] == ["成立日期不能晚于今天"]
    assert "联系电话" in errors["contact_phone"][0]


def test_name_must_be_unique_among_active_siblings(tree, township_cadre, sibling_cadre):
    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            actor=township_cadre,
            parent=tree.huangtupu,
            name="新發食品有限公司工會",  # Traditional: the same name once normalised
            kind="grassroots",
        )
    assert messages_of(exc)["name"] == [
        "“黄土铺镇工会联合会”下已有名为“新发食品有限公司工会”的组织"
    ]
    # The same name under another parent is fine.
    other = services.create_organization(
        actor=sibling_cadre, parent=tree.baidishi, name="新发食品有限公司工会", kind="grassroots"
    )
    assert other.pk


def test_name_of_a_dissolved_sibling_may_be_reused(tree, township_cadre, county_cadre):
    services.dissolve_organization(actor=county_cadre, organization=tree.xinfa)
    again = services.create_organization(
        actor=township_cadre, parent=tree.huangtupu, name="新发食品有限公司工会", kind="grassroots"
    )
    assert again.status == OrgStatus.ACTIVE


def test_nothing_can_be_created_under_a_merged_or_dissolved_organization(
    tree, county_cadre, xinfa_branch
):
    services.dissolve_organization(actor=county_cadre, organization=xinfa_branch)
    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            actor=county_cadre, parent=xinfa_branch, name="某某工会", kind="grassroots"
        )
    assert "已合并或撤销" in messages_of(exc)["parent"][0]


@pytest.mark.parametrize("who", ["sibling_cadre", "hr", "auditor", "worker"])
def test_create_is_denied_outside_scope_or_without_permission(tree, request, who):
    actor = request.getfixturevalue(who)
    with refused():
        services.create_organization(
            actor=actor, parent=tree.huangtupu, name="宏达建材厂工会", kind="grassroots"
        )


def test_only_system_administrators_create_roots(tree, county_cadre, superuser):
    with pytest.raises(PermissionDenied):
        services.create_organization(
            actor=county_cadre, parent=None, name="广东省总工会", kind="province"
        )
    root = services.create_organization(
        actor=superuser, parent=None, name="广东省总工会", kind="province"
    )
    assert root.depth == 1
    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            actor=superuser, parent=None, name="某基层工会", kind="grassroots"
        )
    assert "只有省、市、县级总工会可以作为顶级组织" in messages_of(exc)["parent"][0]


# -- update ----------------------------------------------------------------------------------


def test_update_changes_fields_and_logs_only_what_changed(tree, township_cadre):
    org = services.update_organization(
        actor=township_cadre,
        organization=tree.xinfa,
        name=tree.xinfa.name,
        contact_name="肖 华",
        employee_count=86,
    )
    assert (org.contact_name, org.employee_count) == ("肖 华", 86)
    [entry] = log_for(org)
    assert entry.changes == {"contact_name": ["", "肖 华"], "employee_count": [None, 86]}


def test_update_without_changes_writes_no_log(tree, township_cadre):
    services.update_organization(
        actor=township_cadre, organization=tree.xinfa, name="新发食品有限公司工会"
    )
    assert log_for(tree.xinfa) == []


def test_kind_cannot_change_while_children_would_not_fit(tree, county_cadre):
    with refused(ValidationError) as exc:
        services.update_organization(
            actor=county_cadre, organization=tree.huangtupu, kind="grassroots"
        )
    assert messages_of(exc)["kind"] == ["该组织下有“基层工会”类型的下级组织,不能改为“基层工会”"]


def test_rename_to_a_sibling_name_is_refused(tree, county_cadre):
    with pytest.raises(ValidationError) as exc:
        services.update_organization(
            actor=county_cadre, organization=tree.huangtupu, name="白地市镇工会联合会"
        )
    assert "已有名为“白地市镇工会联合会”的组织" in messages_of(exc)["name"][0]


@pytest.mark.parametrize("who", ["sibling_cadre", "hr", "auditor", "worker"])
def test_update_is_denied_outside_scope_or_without_permission(tree, request, who):
    actor = request.getfixturevalue(who)
    with refused():
        services.update_organization(actor=actor, organization=tree.xinfa, name="改名工会")


def test_merged_organization_cannot_be_edited(tree, county_cadre, xinfa_branch):
    services.merge_organizations(actor=county_cadre, source=xinfa_branch, target=tree.xinfa)
    with pytest.raises(ValidationError, match="已合并或已撤销的组织不能再修改"):
        services.update_organization(actor=county_cadre, organization=xinfa_branch, name="新名字")


# -- move ------------------------------------------------------------------------------------


def test_county_cadre_moves_a_union_to_another_township_and_scope_follows(
    tree, county_cadre, township_cadre, sibling_cadre
):
    person = PersonFactory(organization=tree.xinfa, name="肖华清")
    moved = services.move_organization(
        actor=county_cadre, organization=tree.xinfa, new_parent=tree.baidishi
    )
    assert Organization.objects.get_parent(moved) == tree.baidishi
    assert fresh(tree.huangtupu).numchild == 0
    assert fresh(tree.baidishi).numchild == 2
    assert list(Person.objects.visible_to(sibling_cadre)) == [person]
    assert not Person.objects.visible_to(township_cadre).exists()
    [entry] = log_for(moved)
    assert entry.changes["parent"] == [tree.huangtupu.pk, tree.baidishi.pk]
    assert entry.note == "从“黄土铺镇工会联合会”移到“白地市镇工会联合会”"


def test_moving_a_township_takes_its_whole_subtree(tree, city_cadre):
    other_county = OrganizationFactory.child(
        tree.city, name="祁阳市总工会", kind="county", division_code="431121"
    )
    services.move_organization(
        actor=city_cadre, organization=tree.huangtupu, new_parent=other_county
    )
    xinfa = fresh(tree.xinfa)
    assert xinfa.path.startswith(fresh(other_county).path)
    assert (
        xinfa.name_path()
        == "湖南省总工会 / 衡阳市总工会 / 祁阳市总工会 / 黄土铺镇工会联合会 / 新发食品有限公司工会"
    )
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_cannot_move_into_own_subtree(tree, county_cadre):
    with refused(ValidationError) as exc:
        services.move_organization(
            actor=county_cadre, organization=tree.huangtupu, new_parent=tree.xinfa
        )
    assert messages_of(exc)["parent"] == ["不能移到它自己或它的下级组织之下"]
    with refused(ValidationError):
        services.move_organization(
            actor=county_cadre, organization=tree.huangtupu, new_parent=tree.huangtupu
        )


def test_move_checks_kind_rules_and_names_at_the_new_parent(tree, county_cadre):
    with pytest.raises(ValidationError) as exc:
        services.move_organization(
            actor=county_cadre, organization=tree.baidishi, new_parent=tree.huangtupu
        )
    assert "不能设在" in messages_of(exc)["parent"][0]
    OrganizationFactory.child(tree.baidishi, name="新发食品有限公司工会", kind="grassroots")
    with pytest.raises(ValidationError) as exc:
        services.move_organization(
            actor=county_cadre, organization=tree.xinfa, new_parent=tree.baidishi
        )
    assert "已有名为“新发食品有限公司工会”的组织" in messages_of(exc)["parent"][0]
    with pytest.raises(ValidationError) as exc:
        services.move_organization(
            actor=county_cadre, organization=tree.xinfa, new_parent=tree.huangtupu
        )
    assert messages_of(exc)["parent"] == ["该组织已经在“黄土铺镇工会联合会”之下"]


@pytest.mark.parametrize(
    "who", ["sibling_cadre", "station_staff", "township_cadre", "huangtupu_federation_cadre"]
)
def test_move_needs_the_permission_at_both_places(tree, request, who):
    """Township cadres hold no move permission; 黄土铺镇's federation cadre holds it at the
    source only."""
    actor = request.getfixturevalue(who)
    with refused():
        services.move_organization(actor=actor, organization=tree.xinfa, new_parent=tree.baidishi)


# -- merge -----------------------------------------------------------------------------------


def test_merge_repoints_everything_and_keeps_the_source_as_a_record(
    tree, county_cadre, xinfa_branch, station_staff
):
    worker = PersonFactory(organization=xinfa_branch, name="李秀英")
    employee = PersonFactory(organization=tree.xinfa, name="王建国", employer=xinfa_branch)
    grid = Grid.objects.add_root(
        instance=Grid(organization=xinfa_branch, name="学校网格", level=Grid.Level.GRID)
    )
    chair = give_role(
        UserFactory(username="chair", name="工会主席"), "township_cadre", xinfa_branch
    )

    services.merge_organizations(
        actor=county_cadre, source=xinfa_branch, target=tree.xinfa, note="学校并入"
    )

    source = fresh(xinfa_branch)
    assert source.status == OrgStatus.MERGED
    assert source.merged_into_id == tree.xinfa.pk
    worker.refresh_from_db()
    employee.refresh_from_db()
    grid.refresh_from_db()
    assert worker.organization_id == tree.xinfa.pk
    assert employee.employer_id == tree.xinfa.pk
    assert grid.organization_id == tree.xinfa.pk
    assert RoleAssignment.objects.get(user=chair).organization_id == tree.xinfa.pk
    entry = log_for(source)[-1]
    assert entry.changes["status"] == ["active", "merged"]
    assert entry.changes["merge"][1]["references_moved"] == {
        "people.person.organization": 1,
        "people.person.employer": 1,
        "orgs.grid.organization": 1,
        "accounts.roleassignment.organization": 1,
    }
    assert entry.note.startswith("并入“新发食品有限公司工会”:下级组织 0 个,改指向记录 4 条")
    assert log_for(tree.xinfa)[-1].changes == {"merged_from": [None, source.pk]}


def test_merge_leaves_no_reference_to_the_source_in_any_app(tree, county_cadre, roles):
    """Generic: every relation to Organization (whatever app declares it) is re-pointed."""
    PersonFactory(organization=tree.baidishi)
    PersonFactory(organization=tree.xinfa, employer=tree.baidishi)
    Grid.objects.add_root(instance=Grid(organization=tree.baidishi, name="甲", level="area"))
    give_role(UserFactory(username="bd2"), "station_staff", tree.baidishi)

    services.merge_organizations(actor=county_cadre, source=tree.baidishi, target=tree.huangtupu)

    for rel in Organization._meta.related_objects:
        if rel.related_model is Organization:
            continue
        if rel.many_to_many:
            field = rel.field.m2m_reverse_field_name()
            assert not rel.through._base_manager.filter(**{field: tree.baidishi}).exists()
        else:
            assert not rel.related_model._base_manager.filter(
                **{rel.field.name: tree.baidishi}
            ).exists(), rel


def test_merging_a_township_moves_its_unions_under_the_target(tree, county_cadre, sibling_cadre):
    person = PersonFactory(organization=tree.liuquan)
    services.merge_organizations(actor=county_cadre, source=tree.baidishi, target=tree.huangtupu)
    liuquan = fresh(tree.liuquan)
    assert Organization.objects.get_parent(liuquan) == tree.huangtupu
    assert fresh(tree.baidishi).numchild == 0
    assert fresh(tree.huangtupu).numchild == 2
    # The township cadre's assignment followed the merge: the person is still theirs.
    assert list(Person.objects.visible_to(sibling_cadre)) == [person]
    assert log_for(liuquan)[-1].note == "随“白地市镇工会联合会”并入“黄土铺镇工会联合会”"
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_a_role_already_held_at_the_target_stays_on_the_source(tree, county_cadre, roles):
    both = give_role(UserFactory(username="both"), "station_staff", tree.baidishi)
    give_role(both, "station_staff", tree.huangtupu)
    services.merge_organizations(actor=county_cadre, source=tree.baidishi, target=tree.huangtupu)
    assert sorted(
        RoleAssignment.objects.filter(user=both).values_list("organization", flat=True)
    ) == sorted([tree.baidishi.pk, tree.huangtupu.pk])
    entry = log_for(tree.baidishi)[-1]
    assert entry.changes["merge"][1]["references_kept"] == {
        "accounts.roleassignment.organization": 1
    }


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("xinfa", "xinfa", "不能把组织合并到它自己"),
        ("xinfa", "huangtupu", "只能合并同类型的组织"),
        ("county", "huangtupu", "只能合并同类型的组织"),
    ],
)
def test_merge_refuses_nonsense(tree, superuser, source, target, message):
    with refused(ValidationError) as exc:
        services.merge_organizations(
            actor=superuser, source=getattr(tree, source), target=getattr(tree, target)
        )
    assert messages_of(exc)["target"][0].startswith(message)


def test_merge_refuses_child_name_clashes_and_inactive_targets(tree, county_cadre, xinfa_branch):
    OrganizationFactory.child(tree.baidishi, name="新发食品有限公司工会", kind="grassroots")
    with pytest.raises(ValidationError) as exc:
        services.merge_organizations(
            actor=county_cadre, source=tree.baidishi, target=tree.huangtupu
        )
    assert messages_of(exc)["target"] == [
        "下列下级组织与目标组织的下级重名,请先改名:新发食品有限公司工会"
    ]
    services.dissolve_organization(actor=county_cadre, organization=xinfa_branch)
    with pytest.raises(ValidationError) as exc:
        services.merge_organizations(actor=county_cadre, source=tree.xinfa, target=xinfa_branch)
    assert messages_of(exc)["target"] == ["目标组织已合并或已撤销"]


@pytest.mark.parametrize("who", ["sibling_cadre", "station_staff", "township_cadre"])
def test_merge_is_denied_without_permission_at_both(tree, request, who, xinfa_branch):
    actor = request.getfixturevalue(who)
    with refused():
        services.merge_organizations(actor=actor, source=xinfa_branch, target=tree.xinfa)


# -- dissolve --------------------------------------------------------------------------------


def test_dissolve_is_refused_while_children_or_persons_remain(tree, county_cadre):
    PersonFactory(organization=tree.huangtupu)
    PersonFactory(organization=tree.huangtupu)
    with refused(ValidationError) as exc:
        services.dissolve_organization(actor=county_cadre, organization=tree.huangtupu)
    assert exc.value.messages == [
        "不能撤销“黄土铺镇工会联合会”:还有 1 个正常状态的下级组织;还有 2 名职工登记在本组织。"
        "请先把它们移到其他组织,或把本组织合并到其他组织。"
    ]


def test_dissolve_after_moving_everything_out(tree, county_cadre):
    person = PersonFactory(organization=tree.xinfa)
    with pytest.raises(ValidationError, match="还有 1 名职工"):
        services.dissolve_organization(actor=county_cadre, organization=tree.xinfa)
    person.organization = tree.baidishi
    person.save()
    org = services.dissolve_organization(
        actor=county_cadre, organization=tree.xinfa, reason="企业注销"
    )
    assert org.status == OrgStatus.DISSOLVED
    entry = log_for(org)[-1]
    assert entry.changes == {"status": ["active", "dissolved"]}
    assert entry.note == "企业注销"
    # A dissolved child no longer blocks its parent.
    services.dissolve_organization(actor=county_cadre, organization=tree.huangtupu)
    assert fresh(tree.huangtupu).status == OrgStatus.DISSOLVED


@pytest.mark.parametrize("who", ["sibling_cadre", "station_staff", "township_cadre"])
def test_dissolve_is_denied_without_permission(tree, request, who):
    actor = request.getfixturevalue(who)
    with refused():
        services.dissolve_organization(actor=actor, organization=tree.xinfa)


# -- grids -----------------------------------------------------------------------------------


def test_grids_nest_area_grid_micro(tree, township_cadre):
    area = services.create_grid(
        actor=township_cadre, organization=tree.huangtupu, name="东片区", level="area"
    )
    grid = services.create_grid(
        actor=township_cadre, organization=tree.huangtupu, name="一网格", level="grid", parent=area
    )
    micro = services.create_grid(
        actor=township_cadre,
        organization=tree.huangtupu,
        name="新发食品微网格",
        level="micro",
        parent=grid,
        description="新发食品有限公司厂区",
    )
    assert Grid.objects.get_parent(micro) == grid
    assert [e.action for e in log_for(micro)] == ["create"]
    assert log_for(micro)[0].org_path == tree.huangtupu.path


@pytest.mark.parametrize(
    ("level", "parent_level", "field", "message"),
    [
        ("micro", None, "parent", "微网格必须设在某个网格之下,请选择上级网格"),
        ("area", "area", "level", "“上级”之下只能设网格"),
        ("micro", "area", "level", "“上级”之下只能设网格"),
        ("grid", "micro", "level", "微网格之下不能再划分"),
    ],
)
def test_grid_levels_must_follow_area_grid_micro(
    tree, township_cadre, level, parent_level, field, message
):
    parent = None
    if parent_level == "micro":
        area = Grid.objects.add_root(
            instance=Grid(organization=tree.huangtupu, name="a", level="area")
        )
        g = Grid.objects.add_child(
            area, instance=Grid(organization=tree.huangtupu, name="g", level="grid")
        )
        parent = Grid.objects.add_child(
            g, instance=Grid(organization=tree.huangtupu, name="上级", level="micro")
        )
    elif parent_level:
        parent = Grid.objects.add_root(
            instance=Grid(organization=tree.huangtupu, name="上级", level=parent_level)
        )
    count = Grid.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_grid(
            actor=township_cadre,
            organization=tree.huangtupu,
            name="新网格",
            level=level,
            parent=parent,
        )
    assert messages_of(exc)[field] == [message]
    assert Grid.objects.count() == count


def test_grid_parent_must_belong_to_the_same_organization(tree, county_cadre):
    other = Grid.objects.add_root(
        instance=Grid(organization=tree.baidishi, name="西片区", level="area")
    )
    with pytest.raises(ValidationError) as exc:
        services.create_grid(
            actor=county_cadre,
            organization=tree.huangtupu,
            name="一网格",
            level="grid",
            parent=other,
        )
    assert messages_of(exc)["parent"] == ["上级网格不属于该组织"]


def test_grid_names_are_unique_at_one_level(tree, township_cadre, area):
    with pytest.raises(ValidationError) as exc:
        services.create_grid(
            actor=township_cadre, organization=tree.huangtupu, name="东片区", level="area"
        )
    assert messages_of(exc)["name"] == ["同一层级下已有名为“东片区”的网格"]
    # Another township may use the same name.
    Grid.objects.add_root(instance=Grid(organization=tree.baidishi, name="西片区", level="area"))
    services.update_grid(actor=township_cadre, grid=area, name="西片区", description="东风村一带")
    area.refresh_from_db()
    assert (area.name, area.description) == ("西片区", "东风村一带")


@pytest.mark.parametrize("who", ["sibling_cadre", "station_staff", "worker"])
def test_grid_changes_are_denied_outside_scope_or_without_permission(tree, request, who, area):
    actor = request.getfixturevalue(who)
    with refused():
        services.create_grid(actor=actor, organization=tree.huangtupu, name="新", level="area")
    with refused():
        services.update_grid(actor=actor, grid=area, name="改名")
    with refused():
        services.assign_grid_officers(actor=actor, grid=area, officers=[])


def test_grid_officers_must_hold_a_role_in_the_subtree(
    tree, township_cadre, station_staff, sibling_cadre, county_cadre, area
):
    services.assign_grid_officers(actor=township_cadre, grid=area, officers=[station_staff])
    assert list(area.officers.all()) == [station_staff]
    with refused(ValidationError) as exc:
        services.assign_grid_officers(
            actor=township_cadre, grid=area, officers=[station_staff, sibling_cadre, county_cadre]
        )
    assert messages_of(exc)["officers"] == [
        "下列用户在“黄土铺镇工会联合会”及其下级没有岗位,不能担任网格员:白地市干部、县总工会干部"
    ]
    entry = log_for(area)[-1]
    assert entry.changes == {"officers": [[], [station_staff.pk]]}


def test_system_actor_may_set_up_the_tree(tree):
    org = services.create_organization(
        actor=None, parent=tree.huangtupu, name="示范工会", kind="grassroots"
    )
    assert log_for(org)[0].actor_name == "系统"
