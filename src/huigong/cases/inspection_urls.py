"""URLs of the inspection pages, included from ``cases.urls`` under ``inspections/``."""

from django.urls import path

from . import inspection_views as views

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("<int:pk>/edit/", views.InspectionEditView.as_view(), name="inspection_edit"),
    path(
        "<int:pk>/<slug:action>/",
        views.InspectionActionView.as_view(),
        name="inspection_action",
    ),
]
