from django.urls import path

from . import portal, views

app_name = "accounts"


def _account_urls(login_view, logout_view, pages, prefix: str = "") -> list:
    """The pages every account has, a staff member's on the workbench and a worker's on
    the portal alike: ``pages`` (``views`` or ``portal``) serves the same functions."""
    return [
        path("login/", login_view.as_view(), name="login"),
        path("logout/", logout_view.as_view(), name="logout"),
        path(f"{prefix}password/", pages.password_change, name="password_change"),
        path(f"{prefix}tokens/", pages.api_tokens, name="api_tokens"),
        path(f"{prefix}tokens/<int:pk>/revoke/", pages.revoke_token, name="revoke_token"),
    ]


urlpatterns = _account_urls(views.StaffLoginView, views.StaffLogoutView, views)

#: The worker's own pages on the portal (``/m/``, namespace ``portal``).
portal_urlpatterns = [
    *_account_urls(portal.WorkerLoginView, portal.WorkerLogoutView, portal, prefix="me/"),
    path("signup/", portal.signup, name="signup"),
    path("password/reset/", portal.password_reset, name="password_reset"),
    path("me/", portal.me, name="me"),
]
