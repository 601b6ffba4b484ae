"""``{% object_history obj %}``: the timeline of one object's changes on detail pages."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import reverse

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.testing.factories import PersonFactory

from .conftest import page_text, update_person


def render_history(rf, user, obj, args=""):
    request = rf.get("/")
    request.user = user
    template = Template("{% load audit %}{% object_history obj " + args + " %}")
    return template.render(Context({"request": request, "obj": obj}))


def test_history_lists_changes_newest_first_with_field_labels(rf, tree, township_cadre):
    person = PersonFactory(organization=tree.xinfa, name="王建国")
    record_change(actor=township_cadre, obj=person, action=ChangeAction.CREATE)
    update_person(person, actor=township_cadre, name="王建军", employment_form="retired")
    html = render_history(rf, township_cadre, person)
    assert html.count('data-testid="history-entry"') == 2
    assert html.index("修改") < html.index("新建")
    text = page_text(html)
    assert "罗芳" in text
    assert "姓名:王建国 → 王建军" in text
    assert "用工形式:劳动合同用工 → 退休" in text
    assert "身份证号码:— → 已设置" in text  # the create entry never shows the number
    assert person.id_number not in html


def test_history_shows_only_rows_in_the_viewers_scope(rf, tree, township_cadre, sibling_cadre):
    person = PersonFactory(organization=tree.xinfa, name="王建国")
    update_person(person, actor=township_cadre, name="王建军")
    assert "暂无变更记录" in render_history(rf, sibling_cadre, person)


def test_history_is_limited_and_links_auditors_to_the_full_log(rf, tree, township_cadre, auditor):
    person = PersonFactory(organization=tree.xinfa, name="甲")
    for name in ["乙", "丙", "丁"]:
        update_person(person, actor=township_cadre, name=name)
    html = render_history(rf, auditor, person, "limit=2")
    assert html.count('data-testid="history-entry"') == 2
    assert "仅显示最近的记录" in html
    assert f"{reverse('audit:changes')}?object_type=people.person&amp;object_id={person.pk}" in html
    # Without the audit permission there is no link to the audit pages.
    assert reverse("audit:changes") not in render_history(rf, township_cadre, person, "limit=2")


def test_history_of_an_object_without_changes(rf, tree, township_cadre):
    html = render_history(rf, township_cadre, tree.xinfa, 'limit="x"')
    assert "变更历史" in html and "暂无变更记录" in html


def test_reverse_relation_is_labelled_by_the_rows_it_holds():
    from huigong.audit.display import field_label

    assert field_label("people.person", "household") == "家庭成员"
