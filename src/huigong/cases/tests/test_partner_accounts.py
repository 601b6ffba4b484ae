"""Partner-department accounts: the queue "转办给本部门" and the restricted referral page,
scoped by membership; the department answers through ``record_department_reply``; the
rest of the workbench stays closed; API parity."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from huigong.accounts.models import ApiToken
from huigong.accounts.navigation import workbench_nav
from huigong.cases import services
from huigong.cases.models import CaseStatus, NotificationKind, Referral, ReferralStatus
from huigong.kernel.notifications import notifications_about
from huigong.partners import services as partner_services
from huigong.testing.factories import UserFactory, give_role

QUEUE = reverse("cases:referral_queue")


def page(referral):
    return reverse("cases:referral", args=[referral.pk])


@pytest.fixture
def partner(tree, roles, labour_inspection):
    user = give_role(
        UserFactory(username="partner", name="何志明"), "partner_department", tree.county
    )
    labour_inspection.members.add(user)
    return user


@pytest.fixture
def other_partner(tree, roles):
    """A member of another department (县司法局)."""
    department = partner_services.create_department(
        actor=None, organization=tree.county, name="县司法局", kind="justice"
    )
    user = give_role(UserFactory(username="justice"), "partner_department", tree.county)
    department.members.add(user)
    return user


@pytest.fixture
def referred(make_case, township_cadre, station_staff, labour_inspection):
    case = make_case(description="在新发食品做工三个月,工资未结清。")
    services.accept_case(actor=township_cadre, case=case, assignee=station_staff)
    services.add_note(actor=township_cadre, case=case, note="内部备注:老板与镇领导相熟")
    return services.refer_case(
        actor=township_cadre, case=case, department=labour_inspection, note="请依法查处欠薪"
    )


@pytest.fixture
def not_referred(make_case):
    return make_case(title="没有转办的诉求")


def state(referral):
    referral.refresh_from_db()
    return referral.status, referral.reply_text, referral.case.status, referral.case.events.count()


# -- pages --------------------------------------------------------------------------------------


def test_partner_sees_the_queue_and_a_restricted_page(client, partner, referred):
    client.force_login(partner)
    queue = client.get(QUEUE).content.decode()
    assert referred.case.number in queue and "工地欠薪" in queue
    text = client.get(page(referred)).content.decode()
    assert "在新发食品做工三个月" in text and "请依法查处欠薪" in text
    assert "内部备注" not in text  # no internal notes or timeline
    party = referred.case.parties.get().person
    assert party.masked_id_number in text and party.id_number not in text
    assert 'data-testid="reply-form"' in text


def test_partner_answers_the_referral_themselves(client, partner, referred, station_staff):
    client.force_login(partner)
    bad = client.post(page(referred), {"reply_text": ""})
    assert bad.status_code == 400
    assert state(referred)[0] == ReferralStatus.WAITING
    response = client.post(page(referred), {"reply_text": "已立案调查,责令企业限期支付。"})
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == ReferralStatus.REPLIED
    assert referred.replied_by == "何志明(祁东县劳动保障监察大队)"
    assert referred.case.status == CaseStatus.ACCEPTED
    event = referred.case.events.latest("id")
    assert event.kind == "department_replied" and event.actor == partner
    assert (
        notifications_about(referred.case)
        .filter(user=station_staff, kind=NotificationKind.REFERRAL_REPLIED)
        .exists()
    )
    # Afterwards the page is read-only and a second answer changes nothing.
    text = client.get(page(referred)).content.decode()
    assert 'data-testid="reply-form"' not in text and "已立案调查" in text
    before = state(referred)
    again = client.post(page(referred), {"reply_text": "再答一次"})
    assert again.status_code == 400
    assert state(referred) == before


def test_everything_else_is_closed_to_partners(client, partner, referred, not_referred):
    client.force_login(partner)
    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:detail", args=[referred.case.pk])).status_code == 403
    assert client.get(reverse("cases:detail", args=[not_referred.pk])).status_code == 403
    before = state(referred)
    response = client.post(
        reverse("cases:action", args=[referred.case.pk, "reply"]),
        {"reply-referral": referred.pk, "reply-reply_text": "绕过"},
    )
    assert response.status_code in (403, 404)
    assert state(referred) == before
    # Ids that are not referrals to the department: 404.
    assert client.get(reverse("cases:referral", args=[not_referred.pk + 1000])).status_code == 404
    labels = [str(i["label"]) for i in workbench_nav(partner)]
    assert "转办给本部门" in labels and "诉求" not in labels


def test_referral_page_matrix(client, referred, other_partner, station_staff, township_cadre):
    assert client.get(page(referred)).status_code == 302  # anonymous → sign-in
    client.force_login(other_partner)  # another department's member
    assert client.get(page(referred)).status_code == 404
    assert client.post(page(referred), {"reply_text": "越权"}).status_code == 404
    assert referred.case.number not in client.get(QUEUE).content.decode()
    for user in (station_staff, township_cadre):  # staff without answer_referral
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403
        assert client.post(page(referred), {"reply_text": "越权"}).status_code == 403
    assert state(referred)[0] == ReferralStatus.WAITING


def test_membership_not_the_org_tree_decides(client, tree, roles, referred, labour_inspection):
    # A partner account placed at the township is still a member of the county brigade.
    user = give_role(UserFactory(username="brigade2"), "partner_department", tree.baidishi)
    client.force_login(user)
    assert client.get(page(referred)).status_code == 404
    labour_inspection.members.add(user)
    assert client.get(page(referred)).status_code == 200


def test_service_permission_for_members_and_others(referred, other_partner, partner):
    with pytest.raises(PermissionDenied):
        services.record_department_reply(actor=other_partner, referral=referred, reply_text="x")
    assert state(referred)[0] == ReferralStatus.WAITING
    services.record_department_reply(
        actor=partner, referral=referred, reply_text="已处理", replied_by="执法员张三"
    )
    assert Referral.objects.get(pk=referred.pk).replied_by == "执法员张三"


def test_queue_query_count(
    client, partner, make_case, township_cadre, labour_inspection, django_assert_max_num_queries
):
    for _n in range(6):
        case = make_case()
        services.accept_case(actor=township_cadre, case=case)
        services.refer_case(
            actor=township_cadre, case=case, department=labour_inspection, note="请处理"
        )
    client.force_login(partner)
    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)
    assert response.content.decode().count('data-testid="referral-row"') == 6


# -- API -----------------------------------------------------------------------------------------


def _api(client, user, method, path, payload=None):
    _token, key = ApiToken.issue(user, "tests", scope="write")
    headers = {"Authorization": f"Bearer {key}"}
    if method == "get":
        return client.get("/api/v1/cases" + path, headers=headers)
    return client.post(
        "/api/v1/cases" + path,
        json.dumps(payload or {}, ensure_ascii=False),
        content_type="application/json",
        headers=headers,
    )


def test_api_partner_queue_and_reply(
    client, partner, other_partner, township_cadre, referred, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        listed = _api(client, partner, "get", "/referrals")
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert item["id"] == referred.pk and item["can_reply"] is True
    assert item["case"]["description"].startswith("在新发食品")
    assert "*" in item["parties"][0]["id_number_masked"]
    assert _api(client, other_partner, "get", "/referrals").json()["items"] == []
    assert _api(client, township_cadre, "get", "/referrals").status_code == 403

    path = f"/referrals/{referred.pk}/reply"
    assert _api(client, other_partner, "post", path, {"reply_text": "x"}).status_code == 404
    assert _api(client, township_cadre, "post", path, {"reply_text": "x"}).status_code == 403
    empty = _api(client, partner, "post", path, {"reply_text": " "})
    assert empty.status_code in (400, 422) and empty.json()["code"] == "validation_error"
    assert state(referred)[0] == ReferralStatus.WAITING
    done = _api(client, partner, "post", path, {"reply_text": "已责令企业支付"})
    assert done.status_code == 200 and done.json()["status"] == "replied"
    assert done.json()["can_reply"] is False
    again = _api(client, partner, "post", path, {"reply_text": "再答"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_partner_starts_on_the_referral_queue(client, partner, township_cadre):
    client.force_login(partner)
    assert client.get(reverse("home"))["Location"] == reverse("cases:referral_queue")
    client.force_login(township_cadre)
    assert client.get(reverse("home"))["Location"] == reverse("stats:dashboard")
