from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<str:kind>/", views.ImportStartView.as_view(), name="start"),
    path("jobs/<uuid:pk>/", views.ImportJobView.as_view(), name="job"),
    path(
        "jobs/<uuid:pk>/confirm/",
        views.ImportActionView.as_view(action="confirm"),
        name="confirm",
    ),
    path("jobs/<uuid:pk>/cancel/", views.ImportActionView.as_view(action="cancel"), name="cancel"),
    path("jobs/<uuid:pk>/rejected.xlsx", views.ImportRejectedRowsView.as_view(), name="rejected"),
]
