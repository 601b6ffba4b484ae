"""The audit pages: who may open them, what they show, filters, export, read-only."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from huigong.audit import urls as audit_urls
from huigong.audit.models import AccessLog, ChangeLog
from huigong.testing.factories import PersonFactory, UserFactory, give_role, make_id_number

from .conftest import page_text, update_person

CHANGES = reverse("audit:changes")
ACCESS = reverse("audit:access")


def rows_of(response) -> list[str]:
    """The ``object_repr`` cells shown, in order."""
    return [str(row.record.object_repr) for row in response.context["table"].page.object_list]


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


# -- who may open the pages ---------------------------------------------------------------


@pytest.mark.parametrize("url", [CHANGES, ACCESS])
def test_anonymous_is_sent_to_login(client, logs, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [CHANGES, ACCESS, CHANGES + "?export=xlsx"])
def test_township_cadre_without_audit_permission_gets_403(client, logs, township_cadre, url):
    client.force_login(township_cadre)
    response = client.get(url)
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert "王建军" not in response.content.decode()


@pytest.mark.parametrize("url", [CHANGES, ACCESS])
def test_worker_is_redirected_to_portal(client, logs, worker, url):
    client.force_login(worker)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_township_auditor_sees_only_own_subtree_changes(client, logs, township_auditor):
    client.force_login(township_auditor)
    response = client.get(CHANGES)
    assert response.status_code == 200
    assert rows_of(response) == ["王建军"]
    body = response.content.decode()
    assert "李秀兰" not in body and "衡阳市总工会" not in body


def test_county_auditor_sees_both_townships_but_not_the_city(client, logs, auditor):
    client.force_login(auditor)
    response = client.get(CHANGES)
    assert sorted(rows_of(response)) == ["李秀兰", "王建军"]


def test_audit_scope_is_where_the_audit_role_is_held(client, logs, tree):
    """Auditor of 黄土铺镇 and cadre of 白地市镇: the log of 黄土铺镇 only."""
    user = give_role(UserFactory(username="two_hats"), "auditor", tree.huangtupu)
    give_role(user, "township_cadre", tree.baidishi)
    client.force_login(user)
    assert rows_of(client.get(CHANGES)) == ["王建军"]
    assert rows_of(client.get(ACCESS)) == ["王建军"]


def test_superuser_sees_every_row(client, logs, superuser):
    client.force_login(superuser)
    assert sorted(rows_of(client.get(CHANGES))) == ["李秀兰", "王建军", "衡阳市总工会"]


def test_township_auditor_sees_only_own_subtree_reveals(client, logs, township_auditor):
    client.force_login(township_auditor)
    response = client.get(ACCESS)
    assert response.status_code == 200
    assert rows_of(response) == ["王建军"]
    body = page_text(response)
    assert "身份证号码、手机号" in body
    assert "核实本人身份" in body and "来电核实" in body
    assert "走访核对" not in body


# -- what the change log shows --------------------------------------------------------------


def test_change_shows_actor_action_and_field_labels(client, logs, township_auditor):
    client.force_login(township_auditor)
    body = page_text(client.get(CHANGES))
    assert "罗芳" in body  # the actor
    assert "修改" in body
    assert "职工" in body  # object type by its Chinese name, not people.person
    assert "姓名:王建国 → 王建军" in body


def test_choice_and_related_values_are_shown_by_label(client, tree, township_cadre, auditor):
    person = PersonFactory(organization=tree.xinfa, name="赵敏")
    update_person(
        person,
        actor=township_cadre,
        employment_form="new_form",
        new_form_type="rider",
        is_member=True,
        organization=tree.huangtupu,
    )
    client.force_login(auditor)
    body = page_text(client.get(CHANGES))
    assert "用工形式:劳动合同用工 → 新就业形态" in body
    assert "新就业形态类别:— → 网约配送员(外卖骑手)" in body
    assert "工会会员:否 → 是" in body
    assert "所属工会:新发食品有限公司工会 → 黄土铺镇工会联合会" in body


def test_protected_values_never_appear(client, tree, township_cadre, auditor):
    person = PersonFactory(organization=tree.xinfa, name="陈静", phone="")
    new_number = make_id_number()
    update_person(person, actor=township_cadre, id_number=new_number, phone="13912345678")
    client.force_login(auditor)
    body = page_text(client.get(CHANGES))
    assert new_number not in body and "13912345678" not in body
    assert "手机号:— → 已设置" in body


# -- filters ------------------------------------------------------------------------------------


def test_filter_by_actor_name_action_type_and_id(client, logs, auditor, tree):
    client.force_login(auditor)
    assert rows_of(client.get(CHANGES, {"actor": "白地"})) == ["李秀兰"]
    assert rows_of(client.get(CHANGES, {"action": "create"})) == []
    assert sorted(rows_of(client.get(CHANGES, {"action": "update"}))) == ["李秀兰", "王建军"]
    assert sorted(rows_of(client.get(CHANGES, {"object_type": "people.person"}))) == [
        "李秀兰",
        "王建军",
    ]
    assert rows_of(client.get(CHANGES, {"object_id": str(logs["mine_person"].pk)})) == ["王建军"]


def test_object_type_filter_offers_chinese_names(client, logs, auditor):
    client.force_login(auditor)
    choices = dict(client.get(CHANGES).context["filter"].form.fields["object_type"].choices)
    assert choices["people.person"] == "职工"
    assert choices["orgs.organization"] == "工会组织"


def test_filter_by_request_id(client, logs, auditor):
    ChangeLog.objects.filter(pk=logs["theirs"].pk).update(request_id="req-0001-abcd")
    client.force_login(auditor)
    response = client.get(CHANGES, {"request_id": " req-0001-abcd "})
    assert rows_of(response) == ["李秀兰"]


def test_filter_by_time_range(client, logs, auditor):
    old = timezone.now() - datetime.timedelta(days=40)
    ChangeLog.objects.filter(pk=logs["theirs"].pk).update(time=old)
    client.force_login(auditor)
    today = timezone.localdate().isoformat()
    assert rows_of(client.get(CHANGES, {"time_from": today})) == ["王建军"]
    assert rows_of(client.get(CHANGES, {"time_to": timezone.localtime(old).date()})) == ["李秀兰"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"time_from": "2026-13-45"}, "请输入有效的日期"),
        ({"time_from": "2026-03-01", "time_to": "2026-02-01"}, "结束日期不能早于开始日期"),
        ({"action": "drop-table"}, "action"),
        ({"object_type": "auth.nonsense"}, "object_type"),
    ],
)
def test_bad_filter_input_shows_a_message_and_no_rows(client, logs, auditor, params, message):
    client.force_login(auditor)
    response = client.get(CHANGES, params)
    assert response.status_code == 200
    form = response.context["filter"].form
    assert not form.is_valid()
    assert rows_of(response) == []
    if message in form.fields:
        assert form.errors[message]
        assert str(form.errors[message][0]) in response.content.decode()
    else:
        assert message in response.content.decode()


def test_bad_export_filter_exports_nothing(client, logs, auditor):
    client.force_login(auditor)
    response = client.get(CHANGES, {"time_from": "not-a-date", "export": "xlsx"})
    assert response.status_code == 200
    assert len(xlsx_rows(response)) == 1  # the header only


def test_list_page_queries_stay_flat_and_export_has_all_rows(
    client, tree, township_cadre, auditor, django_assert_max_num_queries
):
    for i in range(30):
        person = PersonFactory(organization=tree.xinfa, name=f"职工{i}")
        update_person(person, actor=township_cadre, organization=tree.huangtupu)
    client.force_login(auditor)
    with django_assert_max_num_queries(12):
        response = client.get(CHANGES)
    assert len(rows_of(response)) == 25  # one page
    assert "所属工会:新发食品有限公司工会 → 黄土铺镇工会联合会" in page_text(response)
    # The export carries every filtered row, not just the page.
    assert len(xlsx_rows(client.get(CHANGES, {"export": "xlsx"}))) == 31


# -- export ------------------------------------------------------------------------------------


def test_export_is_scoped_filtered_and_readable(client, logs, township_auditor, auditor):
    client.force_login(township_auditor)
    response = client.get(CHANGES, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    header = rows[0]
    assert header[:3] == ["时间", "操作人", "操作"]
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["对象"] == "王建军"
    assert row["对象类型"] == "职工"
    assert row["操作"] == "修改"
    assert row["变更内容"] == "姓名:王建国 → 王建军"
    assert "<" not in "".join(str(c) for c in rows[1] if c)

    client.force_login(auditor)
    rows = xlsx_rows(client.get(CHANGES, {"export": "xlsx", "actor": "白地"}))
    assert [r[header.index("对象")] for r in rows[1:]] == ["李秀兰"]


def test_access_log_export_is_scoped(client, logs, township_auditor):
    client.force_login(township_auditor)
    rows = xlsx_rows(client.get(ACCESS, {"export": "xlsx"}))
    header = rows[0]
    assert [r[header.index("对象")] for r in rows[1:]] == ["王建军"]
    assert rows[1][header.index("查看的字段")] == "身份证号码、手机号"
    assert rows[1][header.index("渠道")] == "工作台"


def test_export_link_is_offered_with_current_filters(client, logs, auditor):
    client.force_login(auditor)
    body = client.get(CHANGES, {"actor": "罗"}).content.decode()
    assert 'data-testid="export"' in body
    assert "actor=%E7%BD%97" in body and "export=xlsx" in body


# -- read-only -----------------------------------------------------------------------------


def test_audit_app_has_list_routes_only():
    assert {p.name for p in audit_urls.urlpatterns} == {"changes", "access"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [CHANGES, ACCESS])
def test_no_route_modifies_the_logs(client, logs, superuser, method, url):
    before = (
        list(ChangeLog.objects.values_list("pk", "object_repr", "changes")),
        list(AccessLog.objects.values_list("pk", "fields")),
    )
    client.force_login(superuser)
    response = getattr(client, method)(url, {"id": logs["mine"].pk, "object_repr": "篡改"})
    assert response.status_code == 405
    after = (
        list(ChangeLog.objects.values_list("pk", "object_repr", "changes")),
        list(AccessLog.objects.values_list("pk", "fields")),
    )
    assert after == before
