"""The worker portal under /m/: its home, and every installed app's worker pages
(``portal_urlpatterns`` in the app's ``urls.py``), all in the ``portal`` namespace."""

from django.urls import path

from huigong.kernel.registry import portal_urls

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    *portal_urls(),
]
