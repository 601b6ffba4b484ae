from django.urls import include, path

from huigong.kernel.registry import object_urls

from .views import cases as views
from .views import mediation as mediation_views
from .views import portal
from .views import referrals as referral_views

app_name = "cases"

urlpatterns = [
    *object_urls(
        list=views.CaseListView,
        create=(views.IntakeView, "intake"),
        detail=views.CaseDetailView,
        action=views.CaseActionView,
    ),
    path("q/<slug:queue>/", views.CaseListView.as_view(), name="queue"),
    path("new/lookup/", views.PersonLookupView.as_view(), name="person_lookup"),
    path("new/suggest/", views.CategorySuggestView.as_view(), name="suggest_category"),
    # The inspection pages (cases/inspections/…) are huigong.inspections'; the partner
    # department management pages (cases/departments/…) are huigong.partners'.
    path("referrals/", referral_views.ReferralQueueView.as_view(), name="referral_queue"),
    path("referrals/<int:pk>/", referral_views.ReferralAnswerView.as_view(), name="referral"),
    path(
        "<int:pk>/mediation/open/",
        mediation_views.OpenMediationView.as_view(),
        name="mediation_open",
    ),
    path(
        "mediation/",
        include(
            object_urls(
                detail=(mediation_views.MediationDetailView, "mediation"),
                action=(mediation_views.MediationActionView, "mediation_action"),
            )
        ),
    ),
    path(
        "mediation/<int:pk>/agreement.pdf",
        mediation_views.AgreementPdfView.as_view(),
        name="mediation_pdf",
    ),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
]

#: The worker's cases on the portal (``/m/``, namespace ``portal``).
portal_urlpatterns = [
    path(
        "cases/",
        include(
            [
                path("", portal.case_list, name="cases"),
                path("new/", portal.submit, name="case_submit"),
                path("<int:pk>/", portal.case_detail, name="case_detail"),
                path("<int:pk>/info/", portal.add_info, name="case_add_info"),
                path("<int:pk>/rate/", portal.rate, name="case_rate"),
                path("<int:pk>/withdraw/", portal.withdraw, name="case_withdraw"),
                path("attachments/<int:pk>/", portal.attachment, name="case_attachment"),
                path(
                    "mediation/<int:pk>/agreement.pdf",
                    portal.mediation_agreement,
                    name="case_mediation_pdf",
                ),
            ]
        ),
    ),
]
