from django.urls import path

from .views import cases as views
from .views import mediation as mediation_views
from .views import portal
from .views import referrals as referral_views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("q/<slug:queue>/", views.CaseListView.as_view(), name="queue"),
    path("new/", views.IntakeView.as_view(), name="intake"),
    path("new/lookup/", views.PersonLookupView.as_view(), name="person_lookup"),
    path("new/suggest/", views.CategorySuggestView.as_view(), name="suggest_category"),
    # The inspection pages (cases/inspections/…) are huigong.inspections'.
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    # The partner-department management pages (cases/departments/…) are huigong.partners'.
    path("referrals/", referral_views.ReferralQueueView.as_view(), name="referral_queue"),
    path("referrals/<int:pk>/", referral_views.ReferralAnswerView.as_view(), name="referral"),
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

#: The worker's cases on the portal (``/m/``, namespace ``portal``).
portal_urlpatterns = [
    path("cases/", portal.case_list, name="cases"),
    path("cases/new/", portal.submit, name="case_submit"),
    path("cases/<int:pk>/", portal.case_detail, name="case_detail"),
    path("cases/<int:pk>/info/", portal.add_info, name="case_add_info"),
    path("cases/<int:pk>/rate/", portal.rate, name="case_rate"),
    path("cases/<int:pk>/withdraw/", portal.withdraw, name="case_withdraw"),
    path("cases/attachments/<int:pk>/", portal.attachment, name="case_attachment"),
    path(
        "cases/mediation/<int:pk>/agreement.pdf",
        portal.mediation_agreement,
        name="case_mediation_pdf",
    ),
]
