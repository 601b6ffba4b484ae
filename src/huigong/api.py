"""The HTTP API under /api/v1/ (django-ninja).

Conventions every router follows:

- Authentication: ``Authorization: Bearer hg_…`` API tokens (staff and workers), or the
  browser session (with CSRF). Endpoints are authenticated unless they say ``auth=None``.
- Scope: endpoints load rows through ``Model.objects.visible_to(request.auth)`` and single
  objects with ``get_visible_or_404``; out-of-scope ids are 404, exactly like missing ones.
- Errors are JSON ``{"code": "...", "message": "...", "errors": [...]}`` with a stable
  ``code`` (see ``ErrorCode``); no malformed input produces a 500.
- Lists are paginated: ``?page=1&page_size=50`` (max 200) → ``{"items": [...], "count": N}``.
- Each app contributes ``router`` in its ``api.py``; routers are mounted automatically at
  ``/api/v1/<app label>/``.
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.apps import apps
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, django_auth

logger = logging.getLogger("huigong.api")


class ErrorCode:
    INVALID_INPUT = "invalid_input"
    VALIDATION_ERROR = "validation_error"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID_STATE = "invalid_state"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"


class ApiError(Exception):
    """Raise from an endpoint for an error with a stable code and a Chinese message."""

    def __init__(self, code: str, message: str, status: int = 400, errors: list | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.errors = code, message, status, errors or []


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[dict] = []


#: Far beyond any real list (200 × 10⁶ rows), far below an OFFSET overflow.
MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    """django-ninja's ``?page=&page_size=`` with a bounded page number. Unbounded, a page
    such as 10**25 overflows the database's OFFSET and answers 500 instead of 422.
    Selected by ``NINJA_PAGINATION_CLASS = "huigong.api.Pagination"``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码,从 1 开始")
        page_size: int | None = Field(None, ge=1, description="每页条数,最多 200")


class TokenAuth(HttpBearer):
    """Bearer API tokens (``ApiToken``); only the SHA-256 of a key is stored."""

    def authenticate(self, request, token: str):
        from huigong.accounts.backends import authenticate_api_key

        user = authenticate_api_key(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Huigong API",
    version="1",
    description=(
        "惠工职工服务平台 API。所有列表分页(page, page_size ≤ 200);"
        "错误返回 JSON:code(稳定的错误代码)、message(中文说明)、errors(字段明细)。"
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), django_auth],
)


def _error(request, status: int, code: str, message: str, errors: list | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "errors": errors or []}, status=status
    )


@api.exception_handler(ValidationError)
def _on_invalid_input(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        errors.append(
            {"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")}
        )
    return _error(request, 422, ErrorCode.INVALID_INPUT, _("请求参数有误,请检查各字段"), errors)


@api.exception_handler(DjangoValidationError)
def _on_validation_error(request, exc: DjangoValidationError):
    errors = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            for e in field_errors:
                errors.append(
                    {"field": field, "message": " ".join(e.messages), "type": e.code or "invalid"}
                )
    else:
        for e in exc.error_list:
            errors.append(
                {"field": "", "message": " ".join(e.messages), "type": e.code or "invalid"}
            )
    message = errors[0]["message"] if len(errors) == 1 else _("提交的数据未通过校验")
    return _error(request, 400, ErrorCode.VALIDATION_ERROR, message, errors)


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request, exc):
    return _error(request, 401, ErrorCode.UNAUTHENTICATED, _("请先登录或提供有效的 API 令牌"))


@api.exception_handler(PermissionDenied)
def _on_denied(request, exc):
    return _error(request, 403, ErrorCode.PERMISSION_DENIED, str(exc) or _("没有执行此操作的权限"))


@api.exception_handler(RequestDataTooBig)
def _on_too_big(request, exc):
    # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE: a client error, not a server one.
    return _error(request, 413, ErrorCode.INVALID_INPUT, _("请求内容过大"))


@api.exception_handler(Http404)
def _on_not_found(request, exc):
    return _error(request, 404, ErrorCode.NOT_FOUND, _("未找到该对象,或不在您的管辖范围内"))


@api.exception_handler(ApiError)
def _on_api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.errors)


@api.exception_handler(HttpError)
def _on_http_error(request, exc: HttpError):
    # Raised by django-ninja itself (unparsable body, CSRF, throttling) with English
    # texts; endpoints raise ApiError for their own messages. Answer in Chinese.
    code, message = {
        400: (ErrorCode.INVALID_INPUT, _("请求格式有误(例如 JSON 无法解析)")),
        401: (ErrorCode.UNAUTHENTICATED, _("请先登录或提供有效的 API 令牌")),
        403: (ErrorCode.PERMISSION_DENIED, _("没有执行此操作的权限")),
        404: (ErrorCode.NOT_FOUND, _("未找到该对象,或不在您的管辖范围内")),
        409: (ErrorCode.CONFLICT, _("与现有数据冲突")),
        429: (ErrorCode.THROTTLED, _("请求过于频繁,请稍后再试")),
    }.get(exc.status_code, (ErrorCode.INVALID_INPUT, _("请求无法处理")))
    if exc.status_code == 403 and "CSRF" in str(exc):
        message = _("CSRF 校验失败:使用浏览器会话调用时请带上 X-CSRFToken 请求头")
    return _error(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def _on_unexpected(request, exc: Exception):
    logger.exception("unhandled API error", exc_info=exc)
    return _error(request, 500, ErrorCode.SERVER_ERROR, _("服务器内部错误,已记录,请稍后重试"))


class OrgRef(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    kind: str
    scope: list[OrgRef]
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["accounts"], summary="当前用户与管辖范围")
def me(request):
    from huigong.orgs.models import Organization
    from huigong.orgs.scope import scope_paths

    user = request.auth
    paths = scope_paths(user)
    orgs = (
        Organization.objects.filter(depth=1)
        if paths is None
        else Organization.objects.filter(path__in=paths)
    )
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "kind": user.kind,
        "scope": [{"id": o.pk, "name": o.name, "kind": o.kind} for o in orgs],
        "permissions": sorted(user.get_all_permissions()),
    }


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("huigong."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{config.label}/", router, tags=[config.label])


_mount_app_routers()


# Mounted last so it only answers paths no router matched (including malformed ids such
# as /orgs/abc): the API answers JSON 404 like every other error, not the HTML page.
_fallback = Router()
_FALLBACK_ROUTE = "<path:rest>"


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def _no_such_endpoint(request, rest: str):
    try:
        with_slash = resolve(request.path_info + "/").route
    except Resolver404:
        with_slash = _FALLBACK_ROUTE
    if not with_slash.endswith(_FALLBACK_ROUTE):
        raise ApiError(
            ErrorCode.NOT_FOUND,
            _("接口地址应以斜杠结尾:%(path)s/") % {"path": request.path},
            status=404,
        )
    raise ApiError(ErrorCode.NOT_FOUND, _("没有这个接口:%(path)s") % {"path": request.path}, 404)


api.add_router("/", _fallback)
