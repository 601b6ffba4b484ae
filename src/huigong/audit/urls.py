"""Audit pages. Deliberately only list pages: the logs cannot be edited or deleted."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.ChangeLogListView.as_view(), name="changes"),
    path("access/", views.AccessLogListView.as_view(), name="access"),
]
