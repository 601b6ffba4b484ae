"""The bell and notification centre (workbench), 消息 (portal) and the preferences:
each user sees and changes only their own notifications."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from huigong.kernel.models import Notification, NotificationPreference
from huigong.kernel.notices import Notice, register_notice
from huigong.kernel.notifications import notify, tell
from huigong.orgs.models import Organization

KIND = "test:step"


@pytest.fixture(autouse=True)
def _notice():
    register_notice(
        Notice(
            Organization,
            KIND,
            title="您的申请有了进展",
            text=lambda org, data: f"{org.name}已受理。",
            url=lambda org: "/m/",
        )
    )


def test_the_bell_counts_unread_reminders_and_the_centre_lists_them(
    login, tree, township_cadre, station_staff
):
    notify([township_cadre], tree.huangtupu, "assigned")
    notify([township_cadre], tree.xinfa, "overdue")
    notify([station_staff], tree.xinfa, "overdue")
    client = login(township_cadre)
    home = client.get(reverse("inbox:list"))
    assert home.status_code == 200
    page = home.content.decode()
    assert 'data-testid="bell-count">2<' in page
    assert page.count('data-testid="inbox-item"') == 2
    assert "分派给我" in page and "已逾期" in page  # the reminder kinds' labels

    # Opening one marks it read and leads to its page.
    mine = Notification.objects.filter(user=township_cadre).order_by("pk")
    response = client.post(reverse("inbox:open", args=[mine[0].pk]))
    assert response.status_code == 302
    assert response.url == tree.huangtupu.get_absolute_url()
    assert 'data-testid="bell-count">1<' in client.get(reverse("inbox:list")).content.decode()
    unread = client.get(reverse("inbox:list"), {"show": "unread"}).content.decode()
    assert unread.count('data-testid="inbox-item"') == 1

    # Another user's notification cannot be opened (nor marked read).
    theirs = Notification.objects.get(user=station_staff)
    assert client.post(reverse("inbox:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    client.post(reverse("inbox:read_all"))
    assert not Notification.objects.filter(user=township_cadre, read_at__isnull=True).exists()
    assert 'data-testid="bell-count"' not in client.get(reverse("inbox:list")).content.decode()


def test_opening_needs_a_post(login, tree, township_cadre):
    notify([township_cadre], tree.huangtupu, "assigned")
    pk = Notification.objects.get().pk
    assert login(township_cadre).get(reverse("inbox:open", args=[pk])).status_code == 405


def test_the_portal_inbox_shows_the_workers_steps(login, tree, worker, other_worker):
    tell([worker], tree.xinfa, KIND)
    tell([other_worker], tree.xinfa, KIND)
    client = login(worker)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert page.count('data-testid="inbox-item"') == 1
    assert "您的申请有了进展" in page and f"{tree.xinfa.name}已受理。" in page
    assert 'data-testid="inbox-count">1<' in client.get(reverse("portal:home")).content.decode()
    mine = Notification.objects.get(user=worker)
    assert client.post(reverse("portal:inbox_open", args=[mine.pk])).url == "/m/"
    # Staff pages stay closed to workers; the portal's inbox to staff.
    assert client.get(reverse("inbox:list")).status_code == 302


def test_staff_cannot_open_the_portal_inbox(login, township_cadre):
    assert login(township_cadre).get(reverse("portal:inbox")).status_code == 403


def test_a_worker_chooses_channels_and_quiet_hours(login, worker):
    client = login(worker)
    form = client.get(reverse("portal:inbox_preferences")).content.decode()
    assert re.search(r'value="sms"[^>]*checked', form)  # the default: every channel
    response = client.post(
        reverse("portal:inbox_preferences"),
        {"channels": ["wechat"], "quiet_start": "21:30", "quiet_end": "07:30", "language": "en"},
    )
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=worker)
    assert saved.channels == ["wechat"]
    assert (saved.quiet_start, saved.quiet_end) == (datetime.time(21, 30), datetime.time(7, 30))
    assert saved.language == "en"


def test_bad_quiet_hours_are_refused_with_every_reason_at_once(login, worker):
    response = login(worker).post(
        reverse("portal:inbox_preferences"),
        {"channels": ["fax"], "quiet_start": "22:00", "quiet_end": "", "language": "xx"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "免打扰的开始和结束时间要一起填写,或都不填" in page
    assert 'data-testid="error-channels"' in page and 'data-testid="error-language"' in page
    assert not NotificationPreference.objects.filter(user=worker).exists()


def test_staff_mute_reminders_and_the_email_digest(login, tree, township_cadre):
    client = login(township_cadre)
    response = client.post(
        reverse("inbox:preferences"), {"muted_kinds": ["due_soon"], "email_digest": ""}
    )
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=township_cadre)
    assert (saved.muted_kinds, saved.email_digest) == (["due_soon"], False)
    notify([township_cadre], tree.huangtupu, "due_soon")
    notify([township_cadre], tree.huangtupu, "assigned")
    page = client.get(reverse("inbox:list")).content.decode()
    assert page.count('data-testid="inbox-item"') == 1
    assert 'data-testid="bell-count">1<' in page
