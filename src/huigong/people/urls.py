from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.PersonListView.as_view(), name="list"),
    path("new/", views.PersonCreateView.as_view(), name="create"),
    path("import/", views.PersonImportView.as_view(), name="import"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PersonUpdateView.as_view(), name="update"),
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
