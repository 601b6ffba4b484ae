"""How errors reach people: friendly Chinese pages in the browser, the JSON envelope of
``huigong.api`` for API clients, whatever failed and whether DEBUG is on or off.

- ``handler400`` … ``handler500`` (named in ``urls.py``) answer with DEBUG off: JSON under
  ``/api/``, the templates ``400.html`` … ``500.html`` elsewhere. ``500.html`` stands alone
  (no database, no request, no static manifest) so it renders whatever broke.
- ``ErrorResponsesMiddleware`` keeps ``/api/`` JSON when the handlers are bypassed: with
  DEBUG on Django answers unknown URLs and exceptions with its technical HTML pages.
- A stored value the configured keys cannot decrypt (``DecryptionError``) is a server
  misconfiguration, not a missing object: it is logged and answered with a page (or JSON)
  that says the encryption key does not match.
"""

from __future__ import annotations

import logging
import sys

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from huigong.api import ErrorCode
from huigong.common import busy, keycheck
from huigong.common.crypto import DecryptionError

logger = logging.getLogger("huigong.errors")

API_PREFIX = "/api/"

#: Response headers an error keeps when its body is replaced by the JSON envelope.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def _api_code_and_message(status: int, path: str) -> tuple[str, str]:
    if status >= 500:
        return ErrorCode.SERVER_ERROR, _("服务器内部错误,已记录,请稍后重试")
    return {
        400: (ErrorCode.INVALID_INPUT, _("请求无法处理")),
        401: (ErrorCode.UNAUTHENTICATED, _("请先登录或提供有效的 API 令牌")),
        403: (ErrorCode.PERMISSION_DENIED, _("没有执行此操作的权限")),
        404: (ErrorCode.NOT_FOUND, _("没有这个接口:%(path)s") % {"path": path}),
        405: (ErrorCode.METHOD_NOT_ALLOWED, _("该接口不支持此请求方法")),
        413: (ErrorCode.INVALID_INPUT, _("请求内容过大")),
        429: (ErrorCode.THROTTLED, _("请求过于频繁,请稍后再试")),
    }.get(status, (ErrorCode.INVALID_INPUT, _("请求无法处理")))


def api_error_response(request, status: int) -> JsonResponse:
    """The API's error envelope ``{"code", "message", "errors"}`` for an HTTP status."""
    code, message = _api_code_and_message(status, request.path)
    return JsonResponse({"code": code, "message": message, "errors": []}, status=status)


def handler400(request, exception=None):
    if is_api_path(request.path):
        return api_error_response(request, 400)
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    if is_api_path(request.path):
        return api_error_response(request, 403)
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None):
    if is_api_path(request.path):
        return api_error_response(request, 404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    # Django calls this while handling the exception, so it is still in sys.exc_info().
    exc = sys.exc_info()[1]
    if exc is not None and busy.is_retryable(exc):
        return busy.busy_response(request, exc)
    if is_api_path(request.path):
        return api_error_response(request, 500)
    return defaults.server_error(request)


def encryption_key_mismatch_response(request) -> HttpResponse:
    """Logged 500 for a value no configured key decrypts (see ``DecryptionError``)."""
    keycheck.log_key_mismatch(request)
    if is_api_path(request.path):
        return JsonResponse(
            {
                "code": ErrorCode.ENCRYPTION_KEY_MISMATCH,
                "message": keycheck.key_mismatch_message(),
                "errors": [],
            },
            status=500,
        )
    return HttpResponse(render_to_string("encryption_key_mismatch.html"), status=500)


class ErrorResponsesMiddleware:
    """Answers ``/api/`` errors in JSON even when Django's technical pages (DEBUG on) or an
    exception raised in another middleware bypass the handlers, and turns a
    ``DecryptionError`` from any view into the "encryption key does not match" answer.
    Sits right after ``RequestIdMiddleware`` so every replaced response keeps its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and not response.get("Content-Type", "").startswith("application/json")
            and not response.streaming
        ):
            replaced = api_error_response(request, response.status_code)
            for header in _KEPT_HEADERS:
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DecryptionError):
            return encryption_key_mismatch_response(request)
        return None
