"""The inspection pages, mounted at ``/cases/inspections/`` (``InspectionsConfig.url_prefix``,
where they were when inspections were part of cases)."""

from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="list"),
    path("new/", views.InspectionCreateView.as_view(), name="create"),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.InspectionEditView.as_view(), name="edit"),
    path("<int:pk>/<slug:action>/", views.InspectionActionView.as_view(), name="action"),
]
