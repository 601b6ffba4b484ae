"""A small probe API that shares huigong.api's exception handlers, so the error
conventions are tested through real requests whatever endpoints the apps have today.

Mounted beside the project's URLs at /probe/ by ``@pytest.mark.urls``."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from ninja import Field, NinjaAPI, Schema
from ninja.security import django_auth

from huigong.api import ApiError, ErrorCode, TokenAuth, api
from huigong.urls import urlpatterns as project_urlpatterns

probe = NinjaAPI(urls_namespace="probe", auth=[TokenAuth(), django_auth], docs_url=None)
# The handlers are what is under test: take exactly the ones the real API registered.
for exc_class, handler in api._exception_handlers.items():
    probe.add_exception_handler(exc_class, handler)


class ThingIn(Schema):
    name: str = Field(..., min_length=1, max_length=10)
    count: int
    day: datetime.date | None = None


@probe.get("/things/{int:thing_id}")
def get_thing(request, thing_id: int, verbose: bool = False):
    raise Http404


@probe.post("/things")
def create_thing(request, payload: ThingIn):
    return {"name": payload.name, "count": payload.count}


@probe.post("/service-rule")
def service_rule(request):
    raise ValidationError({"name": ["该名称已被使用"]})


@probe.post("/service-rules")
def service_rules(request):
    raise ValidationError(["第一条问题", "第二条问题"])


@probe.post("/denied")
def denied(request):
    raise PermissionDenied


@probe.post("/bad-state")
def bad_state(request):
    raise ApiError(ErrorCode.INVALID_STATE, "该诉求已办结,不能再转办", status=409)


@probe.get("/boom")
def boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*project_urlpatterns, path("probe/", probe.urls)]
