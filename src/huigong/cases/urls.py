from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("q/<slug:queue>/", views.CaseListView.as_view(), name="queue"),
    path("new/", views.IntakeView.as_view(), name="intake"),
    path("new/lookup/", views.PersonLookupView.as_view(), name="person_lookup"),
    path("new/suggest/", views.CategorySuggestView.as_view(), name="suggest_category"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/<slug:action>/", views.CaseActionView.as_view(), name="action"),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
]
