"""Gives every request an id, carried into the change log, the log lines and the response
headers."""

from __future__ import annotations

import logging
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

_request_id: ContextVar[str] = ContextVar("huigong_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdLogFilter(logging.Filter):
    """Puts the current request id into every log record as ``%(request_id)s`` ("-" outside
    a request: commands, tasks, start-up), so a log line can be matched with the
    ``X-Request-ID`` a user reports and the change-log entry. Installed on the handlers in
    ``settings.LOGGING``, so records of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = (
            incoming
            if 8 <= len(incoming) <= 36 and incoming.replace("-", "").isalnum()
            else str(uuid.uuid4())
        )
        request.request_id = rid
        # Kept until the response is closed (request_finished), not reset on the way out:
        # Django logs "Not Found" and other error responses after the middleware returns.
        _request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


@receiver(request_finished, dispatch_uid="huigong.audit.forget_request_id")
def _forget_request_id(**kwargs) -> None:
    _request_id.set("")
