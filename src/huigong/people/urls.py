from django.urls import path

from huigong.imports.urls import import_page
from huigong.kernel.registry import object_urls

from . import views

app_name = "people"

urlpatterns = [
    *object_urls(
        list=views.PersonListView,
        create=views.PersonCreateView,
        detail=views.PersonDetailView,
        edit=(views.PersonUpdateView, "update"),
    ),
    path("import/", import_page("people.person"), name="import"),
    path("<int:pk>/reveal/", views.PersonRevealView.as_view(), name="reveal"),
    path(
        "<int:pk>/household/new/",
        views.HouseholdMemberCreateView.as_view(),
        name="household_create",
    ),
    path(
        "<int:pk>/household/<int:member_pk>/edit/",
        views.HouseholdMemberUpdateView.as_view(),
        name="household_update",
    ),
    path(
        "<int:pk>/household/<int:member_pk>/delete/",
        views.HouseholdMemberDeleteView.as_view(),
        name="household_delete",
    ),
]
