"""Pluggable SMS sending. The console backend logs the message (development and tests);
production sets ``HUIGONG_SMS_BACKEND`` to a class with the same ``send`` method."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("huigong.sms")

#: Messages sent by the console backend, newest last (read by tests and the dev server log).
outbox: list[tuple[str, str]] = []


class ConsoleSMSBackend:
    def send(self, phone: str, message: str) -> None:
        outbox.append((phone, message))
        logger.info("SMS to %s: %s", phone, message)


def send_sms(phone: str, message: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone, message)
