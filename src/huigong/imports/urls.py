from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

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


def import_page(kind: str):
    """A registry's own import address (``people:import``): the engine's upload page for
    its kind. Every upload goes to ``/imports/``, the one path whose body limit the web
    server raises to HUIGONG_IMPORT_MAX_FILE_BYTES."""
    return RedirectView.as_view(url=reverse_lazy("imports:start", kwargs={"kind": kind}))
