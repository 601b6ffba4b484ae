"""The change history reads like the workbench: related objects by name within the
viewer's scope, a neutral placeholder outside it (never a name, never an internal id),
and creation entries listing only what was entered (no counters at 0, no empty values)."""

from __future__ import annotations

from django.urls import reverse

from huigong.audit import display
from huigong.audit.display import ChangeFormatter, log_field_as
from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.testing.factories import PersonFactory, make_id_number

from .conftest import page_text, update_person
from .test_object_history import render_history


def lines(user, log) -> list[str]:
    formatter = ChangeFormatter(user)
    formatter.prefetch([log])
    return [str(c) for c in formatter.changes(log)]


def test_related_organization_reads_by_name_in_scope(tree, township_cadre):
    person = PersonFactory(organization=tree.huangtupu, name="王建国")
    log = update_person(person, actor=township_cadre, employer=tree.xinfa)
    assert lines(township_cadre, log) == ["工作单位(已建会):— → 新发食品有限公司工会"]


def test_related_object_out_of_scope_reads_as_a_placeholder(rf, tree, township_cadre, county_cadre):
    """A 黄土铺镇 worker employed by a union of the sibling township: the township cadre
    sees the change but not the other township's union, by name or by id."""
    person = PersonFactory(organization=tree.huangtupu, name="王建国")
    update_person(person, actor=county_cadre, employer=tree.liuquan)
    text = page_text(render_history(rf, township_cadre, person))
    assert "工作单位(已建会):— → 工会组织(不在您的范围内或已删除)" in text
    assert "流泉村" not in text
    assert "编号" not in text and f" {tree.liuquan.pk}" not in text
    # The county cadre, whose scope holds both townships, reads the name.
    assert "工作单位(已建会):— → 流泉村工会" in page_text(render_history(rf, county_cadre, person))


def test_deleted_related_object_reads_as_a_placeholder_not_an_id(tree, township_cadre):
    person = PersonFactory(organization=tree.huangtupu, name="王建国")
    log = record_change(
        actor=township_cadre,
        obj=person,
        action=ChangeAction.UPDATE,
        before={"employer": 987654},
        after={"employer": None},
    )
    assert lines(township_cadre, log) == ["工作单位(已建会):工会组织(不在您的范围内或已删除) → —"]


def test_field_logged_as_ids_of_another_model_reads_by_its_names(monkeypatch, tree, township_cadre):
    """A field declared with ``log_field_as`` (a case's parties are logged as the persons
    they name, not as the link rows) reads by those objects' names, in scope only."""
    monkeypatch.setattr(display, "_LOGGED_AS", {})
    log_field_as("people.person", "household", "people.person")
    mine = PersonFactory(organization=tree.xinfa, name="王建国")
    theirs = PersonFactory(organization=tree.liuquan, name="李秀英")
    log = record_change(
        actor=township_cadre,
        obj=mine,
        action=ChangeAction.UPDATE,
        before={"household": []},
        after={"household": [mine.pk, theirs.pk]},
    )
    assert lines(township_cadre, log) == ["家庭成员:— → 王建国、职工(不在您的范围内或已删除)"]


def test_related_names_mask_protected_numbers(tree, township_cadre):
    """A name that carries an ID number (typed into it) is shown masked."""
    number = make_id_number()
    employer = tree.xinfa
    employer.name = f"新发{number}"
    employer.save()
    person = PersonFactory(organization=tree.huangtupu, name="王建国")
    log = update_person(person, actor=township_cadre, employer=employer)
    (line,) = lines(township_cadre, log)
    assert number not in line
    assert f"新发{'*' * 14}{number[-4:]}" in line


def test_creation_entry_lists_only_what_was_entered(tree, township_cadre):
    person = PersonFactory(
        organization=tree.xinfa,
        name="王建国",
        address="",
        employment_form="standard",  # the model default
        is_member=False,  # the model default
        notes="夜班保安",
    )
    log = record_change(actor=township_cadre, obj=person, action=ChangeAction.CREATE)
    shown = lines(township_cadre, log)
    assert "姓名:— → 王建国" in shown
    assert "备注:— → 夜班保安" in shown
    assert "身份证号码:— → 已设置" in shown
    labels = [line.split(":")[0] for line in shown]
    assert "用工形式" not in labels
    assert "工会会员" not in labels
    assert "住址" not in labels
    assert not [line for line in shown if line.endswith("→ 0") or line.endswith("→ —")]


def test_creation_entry_keeps_a_value_other_than_the_default(tree, township_cadre):
    person = PersonFactory(organization=tree.xinfa, name="王建国", is_member=True)
    log = record_change(
        actor=township_cadre, obj=person, action=ChangeAction.CREATE, after=snapshot(person)
    )
    assert "工会会员:— → 是" in lines(township_cadre, log)


def test_update_back_to_the_default_is_still_shown(tree, township_cadre):
    person = PersonFactory(organization=tree.xinfa, name="王建国", is_member=True)
    log = update_person(person, actor=township_cadre, is_member=False)
    assert lines(township_cadre, log) == ["工会会员:是 → 否"]


def test_admin_names_related_objects_for_the_superuser(client, tree, superuser, township_cadre):
    person = PersonFactory(organization=tree.huangtupu, name="王建国")
    log = update_person(person, actor=township_cadre, employer=tree.liuquan)
    client.force_login(superuser)
    page = client.get(reverse("admin:audit_changelog_change", args=[log.pk]))
    assert "工作单位(已建会):— → 流泉村工会" in page_text(page)
