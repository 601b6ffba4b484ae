from django.urls import path

from huigong.imports.urls import import_page
from huigong.kernel.registry import object_urls

from . import views

app_name = "orgs"

urlpatterns = [
    *object_urls(
        list=views.OrganizationListView,
        create=views.OrganizationCreateView,
        detail=views.OrganizationDetailView,
        edit=views.OrganizationEditView,
    ),
    path("tree/", views.OrganizationTreeView.as_view(), name="tree"),
    path("tree/<int:pk>/children/", views.TreeChildrenView.as_view(), name="tree_children"),
    path("autocomplete/", views.OrganizationAutocompleteView.as_view(), name="autocomplete"),
    path("import/", import_page("orgs.organization"), name="import"),
    path("<int:pk>/move/", views.OrganizationMoveView.as_view(), name="move"),
    path("<int:pk>/merge/", views.OrganizationMergeView.as_view(), name="merge"),
    path("<int:pk>/dissolve/", views.OrganizationDissolveView.as_view(), name="dissolve"),
    path("<int:pk>/grids/new/", views.GridCreateView.as_view(), name="grid_create"),
    path("grids/<int:pk>/", views.GridEditView.as_view(), name="grid_edit"),
    path("grids/<int:pk>/officers/", views.GridOfficersView.as_view(), name="grid_officers"),
]
