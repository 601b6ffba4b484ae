from django.urls import path

from huigong.accounts import portal as accounts
from huigong.cases import portal as cases

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", accounts.WorkerLoginView.as_view(), name="login"),
    path("logout/", accounts.WorkerLogoutView.as_view(), name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path("me/", accounts.me, name="me"),
    path("me/password/", accounts.password_change, name="password_change"),
    path("me/tokens/", accounts.api_tokens, name="api_tokens"),
    path("me/tokens/<int:pk>/revoke/", accounts.revoke_token, name="revoke_token"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", cases.submit, name="case_submit"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/info/", cases.add_info, name="case_add_info"),
    path("cases/<int:pk>/rate/", cases.rate, name="case_rate"),
    path("cases/<int:pk>/withdraw/", cases.withdraw, name="case_withdraw"),
    path("cases/attachments/<int:pk>/", cases.attachment, name="case_attachment"),
    path(
        "cases/mediation/<int:pk>/agreement.pdf",
        cases.mediation_agreement,
        name="case_mediation_pdf",
    ),
]
