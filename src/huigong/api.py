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
  ``/api/v1/<app label>/`` (or at ``router_path`` when the module names one, or at the
  AppConfig's ``api_prefix`` with its ``api_tags`` when the app's endpoints were first
  published inside another app's path).
- Services raise ``ValidationError`` / ``PermissionDenied``; endpoints call them through
  ``call_service``, which turns state errors into ``invalid_state`` (409) and the rest
  into the envelope below.

This module knows no app: it sits just above ``common``, below the foundation apps whose
routers import it. The API token lookup is the accounts app's, named in the settings
(``API_TOKEN_AUTHENTICATOR``, as ``AUTHENTICATION_BACKENDS`` names its backends), and
``/me`` is the accounts app's router.
"""

from __future__ import annotations

import enum
import inspect
import logging
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import import_module
from typing import Any, Literal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE
from ninja.pagination import PageNumberPagination
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer, django_auth
from pydantic import ConfigDict

from huigong.common import busy, keycheck
from huigong.common.crypto import DecryptionError
from huigong.common.input import NormalizingParser

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
    TOKEN_READ_ONLY = "token_read_only"
    BUSY = busy.BUSY_CODE
    SERVER_ERROR = "server_error"
    ENCRYPTION_KEY_MISMATCH = keycheck.KEY_MISMATCH_CODE
    METHOD_NOT_ALLOWED = "method_not_allowed"


class ApiError(Exception):
    """Raise from an endpoint for an error with a stable code and a Chinese message."""

    def __init__(self, code: str, message: str, status: int = 400, errors: list | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.errors = code, message, status, errors or []


#: Every code an error answer may carry (``ErrorOut.code`` is documented as this enum).
ERROR_CODES = tuple(value for name, value in vars(ErrorCode).items() if name.isupper())

#: ``ValidationError`` codes by which a service says "not in this state" (→ 409).
STATE_ERROR_CODES = frozenset({"invalid_state", "no_parent"})


def _validation_codes(exc: DjangoValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def service_error(
    exc: DjangoValidationError, *, fields: Mapping[str, str] | None = None
) -> Exception:
    """The API's answer to a service's ``ValidationError``, to raise in its place: a state
    rule (``STATE_ERROR_CODES``) is ``invalid_state`` (409); a ``not_found`` code is the
    404 of a missing object; anything else stays a ``ValidationError`` (400
    ``validation_error``, one entry per field), its fields renamed by ``fields`` where
    the API names them otherwise than the service (``{"organization": "organization_id"}``).
    """
    codes = _validation_codes(exc)
    if codes & STATE_ERROR_CODES:
        return ApiError(ErrorCode.INVALID_STATE, " ".join(exc.messages), status=409)
    if "not_found" in codes:
        return Http404()
    if fields and hasattr(exc, "error_dict"):
        return DjangoValidationError(
            {fields.get(name, name): errors for name, errors in exc.error_dict.items()}
        )
    return exc


def call_service(
    service: Callable[..., Any], /, *, api_fields: Mapping[str, str] | None = None, **kwargs
):
    """Call a service with ``kwargs`` and return its result; its ``ValidationError``
    becomes the API's answer (``service_error``, fields renamed by ``api_fields``).
    ``PermissionDenied`` and the rest propagate to the handlers below (403 …)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        error = service_error(exc, fields=api_fields)
        if error is exc:
            raise
        raise error from exc


class FieldErrorOut(Schema):
    field: str = Field(description="出错的字段,如 body.payload.name;整体性错误为空")
    message: str
    type: str = Field(
        description=(
            "错误代码:请求格式错误时如 missing、extra_forbidden;业务校验时如 required、"
            "id_checksum、phone_format、credit_code_length、duplicate(见 common.messages),"
            "未分类的为 invalid"
        )
    )


class ErrorOut(Schema):
    """The body of every error answer: a stable code, a message in Chinese and, for
    invalid input, one entry per field."""

    code: Literal[ERROR_CODES] = Field(description="稳定的错误代码")
    message: str = Field(description="中文说明")
    errors: list[FieldErrorOut] = Field([], description="字段明细(校验错误时)")


# A reference to another object in a response: its id and name. (No docstring: it would
# become the component's description in the OpenAPI document.)
class Ref(Schema):
    id: int
    name: str


def query_error(errors: Mapping[str, list[str]]) -> ApiError:
    """422 for a list's query parameters that its filters refuse: one entry per field."""
    return ApiError(
        ErrorCode.INVALID_INPUT,
        _("查询参数有误"),
        status=422,
        errors=[
            {"field": name, "message": " ".join(messages), "type": "invalid"}
            for name, messages in errors.items()
        ],
    )


def organization_filter_error() -> ApiError:
    """422 for a list's ``organization`` filter naming an organization that does not
    exist or lies outside the caller's scope (the same answer for both)."""
    return query_error({"organization": [_("所选组织不存在或不在您的管辖范围内")]})


def filtered(filterset):
    """The rows of a list's filter set (the workbench list's, django-filter), or the 422
    of the parameters it refuses."""
    if not filterset.is_valid():
        raise query_error(filterset.errors)
    return filterset.qs


class InputSchema(Schema):
    """Base of every request body schema: a field the document does not list is refused
    (422, ``extra_forbidden``) instead of being silently ignored, so a client that sends
    what it believes the document says learns at once when it is wrong."""

    model_config = ConfigDict(extra="forbid")


def body_arguments(payload: Schema | None) -> dict[str, Any]:
    """A request body as a service's keyword arguments: where the API names a referenced
    object by its id the service names the object (``department_id`` → ``department``,
    ``mediator_ids`` → ``mediators``), and a choice is passed as its value."""
    if payload is None:
        return {}
    arguments = {}
    for name, value in payload.model_dump().items():
        if name.endswith("_ids"):
            name = f"{name.removesuffix('_ids')}s"
        elif name.endswith("_id"):
            name = name.removesuffix("_id")
        arguments[name] = value.value if isinstance(value, enum.Enum) else value
    return arguments


#: The errors an endpoint that acts on an object declares (the rest are documented for
#: every operation by ``document_errors``).
ACTION_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

#: The ids of a path such as ``/cases/{int:case_id}/referrals/{int:referral_id}``, in order.
_PATH_IDS = re.compile(r"{int:(\w+)}")


class ActionRoutes:
    """The endpoints that act on one kind of object, which all take the same steps: load
    the object through the router's scoped loader (404 outside the scope, 403 without the
    right), call one service with the request body (``body_arguments``), answer the
    object's detail. Each endpoint is declared in one call instead of written out::

        steps = ActionRoutes(router, "/mediations/{int:mediation_id}", load=_staff_mediation,
                             detail=_detail, subject="mediation",
                             response={200: MediationOut, **ACTION_ERRORS}, module=__name__)
        steps.post("/file", services.file_mediation, MediationFileIn, summary="调解归档")

    ``load(request, id)`` and ``detail(request, obj)`` are the router's; the service is
    given the object as ``subject`` — or, with ``part=(keyword, find)``, the part of it
    that ``find(obj, *ids)`` loads from the further ids in the path (a 404 when missing).
    An endpoint is named after its service, or ``name``: with ``module``, the name makes
    its operation id and URL name, as for a function written out. A ``created`` one
    answers 201 (documented in place of the 200 of ``response``).
    """

    def __init__(
        self,
        router: Router,
        prefix: str,
        *,
        load: Callable[[Any, int], Any],
        detail: Callable[[Any, Any], dict],
        subject: str,
        response: dict,
        module: str,
    ):
        self.router, self.prefix, self.module = router, prefix, module
        self.load, self.detail, self.subject, self.response = load, detail, subject, response

    def post(self, path: str, service: Callable[..., Any], body=None, **options) -> None:
        self._add("POST", path, service, body, **options)

    def put(self, path: str, service: Callable[..., Any], body=None, **options) -> None:
        self._add("PUT", path, service, body, **options)

    def _add(
        self,
        method: str,
        path: str,
        service: Callable[..., Any],
        body: type[Schema] | None,
        *,
        summary: str,
        name: str = "",
        created: bool = False,
        part: tuple[str, Callable[..., Any]] | None = None,
    ) -> None:
        full_path = self.prefix + path
        object_id, *part_ids = _PATH_IDS.findall(full_path)

        def endpoint(request, **params):
            obj = self.load(request, params[object_id])
            if part is None:
                subject = {self.subject: obj}
            else:
                keyword, find = part
                subject = {keyword: find(obj, *(params[p] for p in part_ids))}
            arguments = body_arguments(params.get("payload"))
            call_service(service, actor=request.auth, **subject, **arguments)
            answer = self.detail(request, obj)
            return Status(201, answer) if created else answer

        # What django-ninja reads off a function: its parameters, name and module.
        parameters = [
            inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation)
            for p, annotation in [
                ("request", inspect.Parameter.empty),
                *((p, int) for p in (object_id, *part_ids)),
                *([("payload", body)] if body else []),
            ]
        ]
        endpoint.__signature__ = inspect.Signature(parameters)
        endpoint.__name__ = endpoint.__qualname__ = name or service.__name__
        endpoint.__module__ = self.module
        response = self.response
        if created:
            response = {201 if s == 200 else s: out for s, out in response.items()}
        self.router.add_api_operation(
            full_path, [method], endpoint, response=response, summary=summary
        )


#: Far beyond any real list (200 × 10⁶ rows), far below an OFFSET overflow.
MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    """django-ninja's ``?page=&page_size=`` with a bounded page number. Unbounded, a page
    such as 10**25 overflows the database's OFFSET and answers 500 instead of 422.
    Selected by ``NINJA_PAGINATION_CLASS = "huigong.api.Pagination"``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码,从 1 开始")
        page_size: int | None = Field(None, ge=1, description="每页条数,最多 200")


@cache
def _token_authenticator() -> Callable[[str], Any]:
    return import_string(settings.API_TOKEN_AUTHENTICATOR)


class TokenAuth(HttpBearer):
    """Bearer API tokens (``accounts.ApiToken``); only the SHA-256 of a key is stored.
    The key is looked up by ``settings.API_TOKEN_AUTHENTICATOR`` (key → token with
    ``user`` and ``allows(method)``, or None)."""

    def authenticate(self, request, token: str):
        api_token = _token_authenticator()(token)
        if api_token is None:
            return None
        if not api_token.allows(request.method):
            raise ApiError(
                ErrorCode.TOKEN_READ_ONLY,
                _("该令牌是只读令牌,不能提交或修改数据;请使用读写令牌"),
                status=403,
            )
        request.user = api_token.user
        return api_token.user


#: What each error status means; ``ErrorOut`` carries the code and the details.
ERROR_STATUSES = {
    400: "请求格式有误或数据未通过业务校验(invalid_input, validation_error)",
    401: "未登录或 API 令牌无效(unauthenticated)",
    403: "没有执行此操作的权限,或会话调用缺少 CSRF 令牌(permission_denied);"
    "只读令牌提交或修改数据(token_read_only)",
    404: "对象不存在或不在管辖范围内(not_found)",
    409: "对象当前的状态不允许此操作(invalid_state)",
    413: "请求内容过大(invalid_input)",
    422: "请求参数或请求体不符合本文档,errors 列出每个字段(invalid_input)",
    429: "次数已达上限,请稍后再试(throttled)",
    503: "系统正忙,本次提交没有保存,请按 Retry-After 秒数后重新提交(busy)",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict) -> set[int]:
    """The error answers an operation can give, read from what it takes: authenticated
    ones 401/403, ids in the path 404, any input 422, writes 400 and 503 (busy), bodies
    413; plus those its endpoint declares itself (409 for state rules)."""
    statuses = {int(s) for s in operation.get("responses", {}) if int(s) in ERROR_STATUSES}
    if operation.get("security"):
        statuses |= {401, 403}
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if method in WRITE_METHODS:
        statuses |= {400, 503}
    if "requestBody" in operation:
        statuses.add(413)
    return statuses


def document_errors(schema: dict) -> None:
    """Document the error answers of every operation with ``ErrorOut``, in one place, so
    no endpoint has to list them and none can forget one."""
    error_schema = ErrorOut.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
    )
    components = schema["components"]["schemas"]
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    body = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
    retry_after = {"description": "建议等待的秒数", "schema": {"type": "integer"}}
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in error_statuses(method, operation):
                answer = {"description": ERROR_STATUSES[status], "content": body}
                if status == 503:
                    answer["headers"] = {"Retry-After": retry_after}
                responses[status] = answer
            operation["responses"] = dict(sorted(responses.items(), key=lambda kv: int(kv[0])))


class HuigongAPI(NinjaAPI):
    """django-ninja's API with the error answers documented on every operation."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


api = HuigongAPI(
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
    # JSON bodies are normalised like form input (NFC, no control characters).
    parser=NormalizingParser(),
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


@api.exception_handler(DecryptionError)
def _on_key_mismatch(request, exc: DecryptionError):
    # The configured keys do not open the stored data: a logged 500 that says so, never
    # the 404 a loader would make of it (huigong.errors, huigong.common.keycheck).
    keycheck.log_key_mismatch(request)
    return _error(request, 500, ErrorCode.ENCRYPTION_KEY_MISMATCH, keycheck.key_mismatch_message())


@api.exception_handler(Exception)
def _on_unexpected(request, exc: Exception):
    if busy.is_retryable(exc):
        # Lost a lock race: nothing was written, and sending again will work.
        logger.warning("busy: %s %s: %s", request.method, request.path, exc)
        response = _error(request, 503, ErrorCode.BUSY, busy.busy_message())
        response["Retry-After"] = str(busy.RETRY_AFTER)
        return response
    logger.exception("unhandled API error", exc_info=exc)
    return _error(request, 500, ErrorCode.SERVER_ERROR, _("服务器内部错误,已记录,请稍后重试"))


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
            # An app that left another keeps the paths and tags its endpoints were
            # published under (``api_prefix``, ``api_tags`` on its AppConfig).
            path = getattr(config, "api_prefix", None) or getattr(
                module, "router_path", f"/{config.label}/"
            )
            api.add_router(path, router, tags=list(getattr(config, "api_tags", [config.label])))


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
