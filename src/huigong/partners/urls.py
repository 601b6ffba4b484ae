"""Mounted at ``cases/departments/`` (the path these pages always had)."""

from django.urls import path

from huigong.kernel.registry import object_urls

from . import views

app_name = "partners"

urlpatterns = [
    *object_urls(
        list=(views.DepartmentListView, "departments"),
        create=(views.DepartmentCreateView, "department_new"),
        edit=(views.DepartmentEditView, "department_edit"),
    ),
    path(
        "<int:pk>/deactivate/",
        views.DepartmentDeactivateView.as_view(),
        name="department_deactivate",
    ),
]
