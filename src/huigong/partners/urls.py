"""Mounted at ``cases/departments/`` (the path these pages always had)."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.DepartmentListView.as_view(), name="departments"),
    path("new/", views.DepartmentCreateView.as_view(), name="department_new"),
    path("<int:pk>/edit/", views.DepartmentEditView.as_view(), name="department_edit"),
    path(
        "<int:pk>/deactivate/",
        views.DepartmentDeactivateView.as_view(),
        name="department_deactivate",
    ),
]
