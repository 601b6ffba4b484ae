from django.urls import path

from . import portal, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]

#: The worker's own pages on the portal (``/m/``, namespace ``portal``).
portal_urlpatterns = [
    path("login/", portal.WorkerLoginView.as_view(), name="login"),
    path("logout/", portal.WorkerLogoutView.as_view(), name="logout"),
    path("signup/", portal.signup, name="signup"),
    path("password/reset/", portal.password_reset, name="password_reset"),
    path("me/", portal.me, name="me"),
    path("me/password/", portal.password_change, name="password_change"),
    path("me/tokens/", portal.api_tokens, name="api_tokens"),
    path("me/tokens/<int:pk>/revoke/", portal.revoke_token, name="revoke_token"),
]
