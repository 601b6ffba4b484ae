"""The inspection pages, mounted at ``/cases/inspections/`` (``InspectionsConfig.url_prefix``,
where they were when inspections were part of cases)."""

from huigong.kernel.registry import object_urls

from . import views

app_name = "inspections"

urlpatterns = object_urls(
    list=views.InspectionListView,
    create=views.InspectionCreateView,
    detail=views.InspectionDetailView,
    edit=views.InspectionEditView,
    action=views.InspectionActionView,
)
