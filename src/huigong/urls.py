"""The project's URLs. Each installed app's workbench pages are mounted from its
``urls.py`` (``huigong.kernel.registry.app_urls``) and its worker pages under ``/m/`` by
the portal (``portal_urlpatterns``): adding an app edits nothing here."""

from django.contrib import admin
from django.urls import include, path

from huigong.kernel.registry import app_urls

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", views.global_search, name="search"),
    *app_urls(),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # /healthz is answered by huigong.health.HealthCheckMiddleware, before host checks.
]

# Friendly Chinese pages in the browser, the JSON error envelope under /api/.
handler400 = "huigong.errors.handler400"
handler403 = "huigong.errors.handler403"
handler404 = "huigong.errors.handler404"
handler500 = "huigong.errors.handler500"

# No route serves uploaded files, in any profile: they live in the private storage and
# go out only through views that check scope and permission (huigong.common.files).
