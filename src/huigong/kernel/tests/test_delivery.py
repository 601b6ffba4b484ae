"""Telling users: the inbox, deliveries through SMS and WeChat, quiet hours, retries
without duplicates, muted kinds, and the WeChat API backend against a local server that
stands for it."""

from __future__ import annotations

import datetime
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from huigong.accounts import sms
from huigong.kernel import channels
from huigong.kernel.delivery import MAX_ATTEMPTS, after_quiet_hours, deliver_due
from huigong.kernel.models import Delivery, DeliveryStatus, NotificationPreference
from huigong.kernel.notices import (
    Notice,
    inbox,
    mark_read,
    messages,
    register_notice,
    unread_count,
)
from huigong.kernel.notifications import send_daily_digests, tell
from huigong.orgs.models import Organization

TZ = ZoneInfo("Asia/Shanghai")
#: After every delivery the tests make (they are due when made).
NOON = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=TZ)
KIND = "test:hello"


@pytest.fixture(autouse=True)
def _notice(settings):
    register_notice(
        Notice(
            Organization,
            KIND,
            title="测试提醒",
            text=lambda org, data: f"{org.name}:{data.get('what', '')}",
            url=lambda org: f"/orgs/{org.pk}/",
        )
    )
    settings.SITE_URL = "https://hg.example.org"
    sms.outbox.clear()
    channels.wechat_outbox.clear()


@pytest.fixture
def reachable(worker):
    """``worker`` with both channels: a phone (from the account) and a WeChat openid."""
    NotificationPreference.objects.create(
        user=worker, channels=["sms", "wechat"], wechat_openid="o-worker-1"
    )
    return worker


def _tell(user, subject, **data):
    return tell([user], subject, KIND, data)


def test_a_told_worker_gets_an_inbox_entry_and_one_message_per_channel(tree, reachable):
    [notification] = _tell(reachable, tree.xinfa, what="工资已到账")
    assert {d.channel for d in Delivery.objects.all()} == {"sms", "wechat"}

    assert deliver_due(now=NOON) == {"sent": 2, "failed": 0, "gave_up": 0, "taken": 0}
    assert sms.outbox == [
        (
            "13800000001",
            f"【惠工】测试提醒:{tree.xinfa.name}:工资已到账 https://hg.example.org/orgs/{tree.xinfa.pk}/",
        )
    ]
    [(openid, message)] = channels.wechat_outbox
    assert (openid, message.title) == ("o-worker-1", "测试提醒")
    assert message.key == f"hg-delivery-{Delivery.objects.get(channel='wechat').pk}"

    # Running again sends nothing more: each channel took the notification once.
    assert deliver_due(now=NOON + datetime.timedelta(hours=1))["sent"] == 0
    assert len(sms.outbox) == 1 and len(channels.wechat_outbox) == 1

    # The inbox holds it, unread, in the reader's words.
    [shown] = messages(inbox(reachable))
    assert (shown.title, shown.text, shown.unread) == (
        "测试提醒",
        f"{tree.xinfa.name}:工资已到账",
        True,
    )
    assert notification.sent_in_digest_at is not None  # workers get no e-mail digest


class FlakySMS:
    """Fails on its first call, then sends."""

    calls: list[str] = []

    def send(self, phone, text):
        type(self).calls.append(text)
        if len(type(self).calls) == 1:
            raise ConnectionError("gateway timeout")
        sms.outbox.append((phone, text))


class DownSMS:
    def send(self, phone, text):
        raise ConnectionError("down")


def _sms_only(user):
    user.notification_preference.channels = ["sms"]
    user.notification_preference.save()


def test_a_failed_channel_is_retried_later_and_sends_once(tree, reachable, settings):
    FlakySMS.calls = []
    settings.SMS_BACKEND = f"{__name__}.FlakySMS"
    _sms_only(reachable)
    _tell(reachable, tree.xinfa, what="A")

    assert deliver_due(now=NOON)["failed"] == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "gateway timeout" in delivery.last_error
    assert delivery.due_at == NOON + datetime.timedelta(minutes=1)

    # Not due yet: nothing is sent; a minute later the retry goes out, once.
    assert deliver_due(now=NOON + datetime.timedelta(seconds=30))["sent"] == 0
    assert deliver_due(now=NOON + datetime.timedelta(minutes=2))["sent"] == 1
    assert deliver_due(now=NOON + datetime.timedelta(hours=3))["sent"] == 0
    assert len(FlakySMS.calls) == 2 and len(sms.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_a_channel_that_keeps_failing_is_given_up(tree, reachable, settings):
    settings.SMS_BACKEND = f"{__name__}.DownSMS"
    _sms_only(reachable)
    _tell(reachable, tree.xinfa)
    moment = NOON
    for _ in range(MAX_ATTEMPTS):
        deliver_due(now=moment)
        moment += datetime.timedelta(days=1)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.GAVE_UP, MAX_ATTEMPTS)
    assert deliver_due(now=moment)["sent"] == 0


def test_two_runs_never_send_the_same_delivery(tree, reachable):
    _tell(reachable, tree.xinfa)
    sms_row = Delivery.objects.get(channel="sms")
    # Another worker claimed the row between this run's listing and its claim.
    Delivery.objects.filter(pk=sms_row.pk).update(status=DeliveryStatus.SENDING, claimed_at=NOON)
    outcome = deliver_due(now=NOON)
    assert outcome["sent"] == 1  # the WeChat row only
    assert sms.outbox == []
    # A claim left by a worker that died is taken again after ten minutes.
    assert deliver_due(now=NOON + datetime.timedelta(minutes=11))["sent"] == 1
    assert len(sms.outbox) == 1


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime.datetime(2026, 6, 10, 21, 59, tzinfo=TZ), None),
        (
            datetime.datetime(2026, 6, 10, 22, 0, tzinfo=TZ),
            datetime.datetime(2026, 6, 11, 7, 0, tzinfo=TZ),
        ),
        (
            datetime.datetime(2026, 6, 11, 3, 30, tzinfo=TZ),
            datetime.datetime(2026, 6, 11, 7, 0, tzinfo=TZ),
        ),
        (datetime.datetime(2026, 6, 11, 7, 0, tzinfo=TZ), None),
    ],
)
def test_quiet_hours_over_midnight(moment, expected):
    found = after_quiet_hours(moment, datetime.time(22), datetime.time(7))
    assert found == (expected or moment)


def test_a_message_in_quiet_hours_waits_for_their_end(tree, reachable, monkeypatch):
    from django.utils import timezone

    late = datetime.datetime(2026, 6, 10, 23, 15, tzinfo=TZ)
    monkeypatch.setattr(timezone, "now", lambda: late)
    reachable.notification_preference.quiet_start = datetime.time(22)
    reachable.notification_preference.quiet_end = datetime.time(7)
    reachable.notification_preference.save()
    _tell(reachable, tree.xinfa)
    assert messages(inbox(reachable))  # the inbox has it at once
    assert deliver_due(now=datetime.datetime(2026, 6, 11, 6, 59, tzinfo=TZ))["sent"] == 0
    assert deliver_due(now=datetime.datetime(2026, 6, 11, 7, 0, tzinfo=TZ))["sent"] == 2


def test_muted_kinds_and_unreachable_channels_send_nothing(tree, worker, other_worker):
    NotificationPreference.objects.create(user=worker, channels=["sms"], muted_kinds=[KIND])
    # other_worker chose WeChat but never subscribed: no openid, no delivery.
    NotificationPreference.objects.create(user=other_worker, channels=["wechat"])
    tell([worker, other_worker], tree.xinfa, KIND)
    assert Delivery.objects.count() == 0
    assert unread_count(worker) == 0  # muted: not in the inbox either
    assert unread_count(other_worker) == 1


def test_marking_read_touches_only_the_readers_notifications(tree, worker, other_worker):
    mine = _tell(worker, tree.xinfa) + _tell(worker, tree.huangtupu)
    [theirs] = _tell(other_worker, tree.xinfa)
    assert unread_count(worker) == 2
    assert mark_read(worker, [mine[0].pk, theirs.pk]) == 1
    assert unread_count(worker) == 1 and unread_count(other_worker) == 1
    assert mark_read(worker) == 1
    assert unread_count(worker) == 0


def test_staff_who_turn_the_digest_off_get_no_mail(tree, township_cadre, county_cadre):
    township_cadre.email, county_cadre.email = "t@example.org", "c@example.org"
    township_cadre.save()
    county_cadre.save()
    NotificationPreference.objects.create(user=township_cadre, email_digest=False)
    tell([township_cadre, county_cadre], tree.xinfa, KIND)
    assert send_daily_digests(now=NOON) == 2
    assert [m.to for m in mail.outbox] == [["c@example.org"]]


class _WeChat(BaseHTTPRequestHandler):
    """Stands for the WeChat API: a token, then subscription messages."""

    received: list[dict] = []
    token_calls = 0
    fail_next = False

    def do_GET(self):  # noqa: N802
        type(self).token_calls += 1
        self._answer({"access_token": "TOKEN-1", "expires_in": 7200})

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if type(self).fail_next:
            type(self).fail_next = False
            self._answer({"errcode": 43101, "errmsg": "user refuse to accept the msg"})
            return
        assert "access_token=TOKEN-1" in self.path
        type(self).received.append(body)
        self._answer({"errcode": 0, "errmsg": "ok", "msgid": 9001})

    def _answer(self, payload):
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def wechat_api(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WeChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _WeChat.received, _WeChat.token_calls, _WeChat.fail_next = [], 0, False
    channels.WeChatSubscribeBackend._token = None
    settings.WECHAT_BACKEND = "huigong.kernel.channels.WeChatSubscribeBackend"
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.WECHAT_TEMPLATE_ID = "TPL-PROGRESS"
    settings.WECHAT_TEMPLATE_FIELDS = ["thing1", "thing2", "time3"]
    yield _WeChat
    server.shutdown()


def test_the_wechat_backend_sends_subscription_messages(tree, reachable, wechat_api):
    reachable.notification_preference.channels = ["wechat"]
    reachable.notification_preference.save()
    _tell(reachable, tree.xinfa, what="一段很长的说明" * 5)
    _tell(reachable, tree.huangtupu, what="二")
    assert deliver_due(now=NOON)["sent"] == 2
    assert wechat_api.token_calls == 1  # the token is kept
    first = wechat_api.received[0]
    assert first["touser"] == "o-worker-1" and first["template_id"] == "TPL-PROGRESS"
    assert first["data"]["thing1"] == {"value": "测试提醒"}
    assert len(first["data"]["thing2"]["value"]) == 20  # WeChat's limit for thing fields
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", first["data"]["time3"]["value"])
    assert Delivery.objects.filter(provider_ref="9001").count() == 2


def test_a_refused_wechat_message_is_recorded_as_failed(tree, reachable, wechat_api):
    reachable.notification_preference.channels = ["wechat"]
    reachable.notification_preference.save()
    wechat_api.fail_next = True
    _tell(reachable, tree.xinfa)
    assert deliver_due(now=NOON)["failed"] == 1
    assert "43101" in Delivery.objects.get().last_error
    assert deliver_due(now=NOON + datetime.timedelta(minutes=5))["sent"] == 1
    assert len(wechat_api.received) == 1
