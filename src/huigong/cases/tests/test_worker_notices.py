"""A worker is told of every step of their case that concerns them — in the portal's
inbox, by SMS and by WeChat — in plain words, once per step, and not of what they did
themselves (except the receipt of what they submitted)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from huigong.accounts import sms
from huigong.cases.models import Outcome, Satisfaction
from huigong.cases.services import accept_case, rate_case, resolve_case
from huigong.kernel import channels
from huigong.kernel.delivery import deliver_due
from huigong.kernel.models import Delivery, NotificationPreference
from huigong.kernel.notices import inbox, messages, unread_count
from huigong.testing.factories import make_id_number


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.SITE_URL = "https://hg.example.org"
    sms.outbox.clear()
    channels.wechat_outbox.clear()


@pytest.fixture
def subscribed(worker):
    NotificationPreference.objects.create(
        user=worker, channels=["sms", "wechat"], wechat_openid="o-xiao"
    )
    return worker


def _titles(user) -> list[str]:
    return [m.title for m in messages(inbox(user))]


def _sent() -> int:
    outcome = deliver_due(now=_far())
    assert outcome["failed"] == outcome["gave_up"] == 0
    return outcome["sent"]


def _far():
    return timezone.now() + datetime.timedelta(days=1)


def test_each_step_reaches_the_worker_once_on_every_channel(
    subscribed, make_worker_case, station_staff
):
    case = make_worker_case()
    # The receipt of their own submission, with the number and who accepts it by when.
    [receipt] = messages(inbox(subscribed))
    assert receipt.title == "诉求已登记"
    assert case.number in receipt.text and case.organization.name in receipt.text
    assert receipt.url == f"/m/cases/{case.pk}/"
    assert _sent() == 2
    [(phone, text)] = sms.outbox
    assert phone == "13800000001"
    assert text.startswith("【惠工】诉求已登记:我们已收到您的诉求")
    assert text.endswith(f"https://hg.example.org/m/cases/{case.pk}/")

    accept_case(actor=station_staff, case=case)
    resolve_case(
        actor=station_staff,
        case=case,
        outcome=Outcome.IN_FAVOUR,
        result_text="经协调,新发食品已补发两个月工资 5600 元。",
    )
    assert _titles(subscribed) == ["诉求已办结,请评价", "诉求已受理", "诉求已登记"]
    resolved = messages(inbox(subscribed))[0]
    assert "已补发两个月工资" in resolved.text and "请对办理结果作出评价" in resolved.text
    assert _sent() == 4
    assert len(sms.outbox) == 3 and len(channels.wechat_outbox) == 3
    assert [m.title for _, m in channels.wechat_outbox] == [
        "诉求已登记",
        "诉求已受理",
        "诉求已办结,请评价",
    ]

    # What the worker does themselves is not echoed back to them.
    rate_case(actor=subscribed, case=case, satisfaction=Satisfaction.SATISFIED)
    assert len(_titles(subscribed)) == 3
    assert _sent() == 0
    assert unread_count(subscribed) == 3


def test_a_walk_in_case_tells_the_worker_with_an_account_only(
    make_case, worker, other_worker, station_staff
):
    # The clerk enters a case naming the worker (who has a portal account) and a
    # neighbour without one.
    case = make_case(
        applicants=[
            worker.person,
            {"name": "无账号的工友", "id_number": make_id_number()},
        ]
    )
    assert _titles(worker) == ["诉求已登记"]
    assert _titles(other_worker) == []
    # Staff are never sent the worker's words; their reminders stay in the digest.
    assert not station_staff.notifications.filter(kind__startswith="step:").exists()
    assert Delivery.objects.filter(notification__user=worker, channel="sms").count() == 1
    assert case.number in messages(inbox(worker))[0].text


def test_the_words_follow_the_readers_language(subscribed, make_worker_case):
    case = make_worker_case()
    with translation.override("en"):
        [receipt] = messages(inbox(subscribed))
    assert receipt.title == "Demand registered"
    assert case.number in receipt.text and "We have received your demand" in receipt.text
