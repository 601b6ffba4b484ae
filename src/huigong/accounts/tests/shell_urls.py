"""A URL configuration for shell tests: the real account, portal, inbox and admin pages, plus
stand-ins for the workbench sections other apps provide (same URL names), each rendering
the bare workbench shell."""

from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path

from huigong import views as project_views


def section(request):
    return render(request, "workbench/base.html")


def _section(namespace: str, name: str):
    return path(f"{namespace}/", include(([path("", section, name=name)], namespace)))


urlpatterns = [
    path("", project_views.home, name="home"),
    path("search/", section, name="search"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("huigong.accounts.urls")),
    path("m/", include("huigong.portal.urls")),
    path("notifications/", include("huigong.inbox.urls")),
    path("admin/", admin.site.urls),
    _section("stats", "dashboard"),
    _section("orgs", "list"),
    _section("people", "list"),
    _section("audit", "changes"),
]
