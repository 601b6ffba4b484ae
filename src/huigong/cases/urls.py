from django.urls import include, path

from . import department_views, mediation_views, views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("q/<slug:queue>/", views.CaseListView.as_view(), name="queue"),
    path("new/", views.IntakeView.as_view(), name="intake"),
    path("new/lookup/", views.PersonLookupView.as_view(), name="person_lookup"),
    path("new/suggest/", views.CategorySuggestView.as_view(), name="suggest_category"),
    path("inspections/", include("huigong.cases.inspection_urls")),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("departments/", department_views.DepartmentListView.as_view(), name="departments"),
    path(
        "departments/new/", department_views.DepartmentCreateView.as_view(), name="department_new"
    ),
    path(
        "departments/<int:pk>/edit/",
        department_views.DepartmentEditView.as_view(),
        name="department_edit",
    ),
    path(
        "departments/<int:pk>/deactivate/",
        department_views.DepartmentDeactivateView.as_view(),
        name="department_deactivate",
    ),
    path("referrals/", department_views.ReferralQueueView.as_view(), name="referral_queue"),
    path("referrals/<int:pk>/", department_views.ReferralAnswerView.as_view(), name="referral"),
    path(
        "<int:pk>/mediation/open/",
        mediation_views.OpenMediationView.as_view(),
        name="mediation_open",
    ),
    path("mediation/<int:pk>/", mediation_views.MediationDetailView.as_view(), name="mediation"),
    path(
        "mediation/<int:pk>/agreement.pdf",
        mediation_views.AgreementPdfView.as_view(),
        name="mediation_pdf",
    ),
    path(
        "mediation/<int:pk>/<slug:action>/",
        mediation_views.MediationActionView.as_view(),
        name="mediation_action",
    ),
    path("<int:pk>/<slug:action>/", views.CaseActionView.as_view(), name="action"),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
]
