"""A write that could not get its lock in time is answered "busy, try again", not 500.

SQLite lets one transaction write at a time; a request that waited the whole busy timeout
(``HUIGONG_SQLITE_BUSY_TIMEOUT``) for the write lock ends in ``OperationalError: database
is locked``. On PostgreSQL a lock wait beyond ``HUIGONG_DB_LOCK_TIMEOUT``, a deadlock or a
serialization failure end the same way. In each case the transaction was rolled back and
nothing was written, so the honest answer is 503 with ``Retry-After``: the page (or the
API's JSON with code ``busy``) tells the user that nothing was saved and to send again.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.db.utils import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("huigong.busy")

#: Seconds a client should wait before sending again.
RETRY_AFTER = 2
#: PostgreSQL SQLSTATEs of a transaction that lost a race and may simply be retried:
#: serialization_failure, deadlock_detected, lock_not_available (lock_timeout).
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}
BUSY_CODE = "busy"


def is_retryable(exc: BaseException) -> bool:
    """Did the database refuse this write only because another one held the lock?"""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in text or "database table is locked" in text
    )


def busy_message() -> str:
    return _("系统正忙,本次提交没有保存,请稍后重新提交")


def busy_json_response() -> JsonResponse:
    response = JsonResponse(
        {"code": BUSY_CODE, "message": busy_message(), "errors": []},
        status=503,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class BusyMiddleware:
    """Turns a lost lock race anywhere in a page view into the 503 "busy" page.

    The API answers the same way from its own exception handler (``huigong.api``), since
    django-ninja catches exceptions before they reach any middleware; errors raised in
    other middleware reach ``huigong.errors.handler500``, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_retryable(exc):
            return None
        return busy_response(request, exc)


def busy_response(request, exc: BaseException) -> HttpResponse:
    """The 503 "busy, send again" answer: JSON under /api/, the busy page elsewhere.
    Also used by the 500 handler, for lock errors raised outside a view (a session
    saved by its middleware, a sign-in recorded by axes)."""
    logger.warning("busy: %s %s: %s", request.method, request.path, exc)
    if request.path.startswith("/api/"):
        return busy_json_response()
    html = render_to_string("busy.html", {"message": busy_message()}, request=None)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
