from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("huigong.accounts.urls")),
    path("search/", views.global_search, name="search"),
    path("orgs/", include("huigong.orgs.urls")),
    path("people/", include("huigong.people.urls")),
    path("cases/", include("huigong.cases.urls")),
    path("audit/", include("huigong.audit.urls")),
    path("stats/", include("huigong.stats.urls")),
    path("m/", include("huigong.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
