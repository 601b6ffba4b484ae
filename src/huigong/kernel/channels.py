"""Delivery channels: how a notification leaves the site. Each channel knows a user's
address on it and hands a message to a backend named in the settings — the seam a
deployment fills with its provider:

- SMS through ``SMS_BACKEND`` (the same seam as the login codes; its ``send(phone,
  text)``). The console backend logs and keeps the messages (development, tests).
- WeChat subscription messages (微信订阅消息) through ``WECHAT_BACKEND``:
  ``ConsoleWeChatBackend`` keeps them; ``WeChatSubscribeBackend`` calls the WeChat API
  (``/cgi-bin/token`` then ``/cgi-bin/message/subscribe/send``) with the app's id and
  secret and one template whose fields are named in ``WECHAT_TEMPLATE_FIELDS``.

A backend raises on failure; the delivery records the error and tries again later
(``kernel.delivery``). Each call carries a ``key`` unique to the delivery, which a
provider that deduplicates (an SMS gateway's out-id) can use.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Channel

logger = logging.getLogger("huigong.notifications")


@dataclass(frozen=True)
class Outgoing:
    """A message as a channel sends it."""

    title: str
    text: str
    url: str
    time: str
    key: str


class ChannelError(Exception):
    """A channel refused or failed to take a message."""


class SmsChannel:
    code = Channel.SMS

    def address(self, user, preference) -> str:
        return getattr(user, "phone", "") or ""

    def send(self, address: str, message: Outgoing) -> str:
        text = f"【{settings.NOTIFICATION_SIGNATURE}】{message.title}:{message.text}"
        if message.url:
            text += f" {message.url}"
        import_string(settings.SMS_BACKEND)().send(address, text)
        return ""


class WeChatChannel:
    code = Channel.WECHAT

    def address(self, user, preference) -> str:
        return getattr(preference, "wechat_openid", "") or ""

    def send(self, address: str, message: Outgoing) -> str:
        return import_string(settings.WECHAT_BACKEND)().send(address, message) or ""


CHANNELS = {channel.code: channel for channel in (SmsChannel(), WeChatChannel())}


#: Messages the console WeChat backend took, newest last: (openid, message).
wechat_outbox: list[tuple[str, Outgoing]] = []


class ConsoleWeChatBackend:
    """Keeps the messages and logs them (development and tests)."""

    def send(self, openid: str, message: Outgoing) -> str:
        wechat_outbox.append((openid, message))
        logger.info("WeChat to %s: %s %s", openid, message.title, message.text)
        return message.key


def _clip(value: str, limit: int) -> str:
    """WeChat's ``thing`` fields take at most 20 characters."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


class WeChatSubscribeBackend:
    """Sends subscription messages through the WeChat API. Configuration (settings, from
    the ``HUIGONG_WECHAT_*`` environment): ``WECHAT_APP_ID``, ``WECHAT_APP_SECRET``,
    ``WECHAT_TEMPLATE_ID`` (a 办理进度 template), ``WECHAT_TEMPLATE_FIELDS`` (which of the
    template's fields get the title, the text and the time, e.g.
    ``thing1,thing2,time3``), ``WECHAT_PAGE`` (the mini-program page opened by a tap) and
    ``WECHAT_API_BASE``. The access token is fetched once and kept until shortly before it
    expires."""

    _token: tuple[str, float] | None = None
    _lock = threading.Lock()

    def send(self, openid: str, message: Outgoing) -> str:
        title_field, text_field, time_field = settings.WECHAT_TEMPLATE_FIELDS
        payload = {
            "touser": openid,
            "template_id": settings.WECHAT_TEMPLATE_ID,
            "page": settings.WECHAT_PAGE,
            "data": {
                title_field: {"value": _clip(message.title, 20)},
                text_field: {"value": _clip(message.text, 20)},
                time_field: {"value": message.time},
            },
        }
        answer = self._post(
            "/cgi-bin/message/subscribe/send?access_token=" + urllib.parse.quote(self._access()),
            payload,
        )
        if answer.get("errcode", 0) != 0:
            if answer.get("errcode") in (40001, 42001):  # the token was revoked or expired
                WeChatSubscribeBackend._token = None
            raise ChannelError(f"WeChat {answer.get('errcode')}: {answer.get('errmsg', '')}")
        return str(answer.get("msgid", ""))

    def _access(self) -> str:
        with self._lock:
            token = WeChatSubscribeBackend._token
            if token and token[1] > time.monotonic():
                return token[0]
            query = urllib.parse.urlencode(
                {
                    "grant_type": "client_credential",
                    "appid": settings.WECHAT_APP_ID,
                    "secret": settings.WECHAT_APP_SECRET,
                }
            )
            answer = self._get(f"/cgi-bin/token?{query}")
            if "access_token" not in answer:
                raise ChannelError(f"WeChat token {answer.get('errcode')}: {answer.get('errmsg')}")
            life = int(answer.get("expires_in", 7200))
            WeChatSubscribeBackend._token = (
                answer["access_token"],
                time.monotonic() + max(life - 300, 60),
            )
            return answer["access_token"]

    def _get(self, path: str) -> dict:
        with urllib.request.urlopen(settings.WECHAT_API_BASE + path, timeout=10) as response:
            return json.loads(response.read())

    def _post(self, path: str, payload: dict) -> dict:
        request = urllib.request.Request(
            settings.WECHAT_API_BASE + path,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
