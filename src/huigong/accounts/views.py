"""Staff sign-in and sign-out, password change and API tokens (workers have the same
pages in the portal, ``accounts.portal``, built from the helpers here)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views

from .decorators import staff_required
from .forms import StaffLoginForm, lockout_minutes
from .pages import account_pages


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT, lockout_minutes=lockout_minutes(), **kwargs
        )


class StaffLogoutView(auth_views.LogoutView):
    next_page = "accounts:login"


# --- workbench pages ------------------------------------------------------------------

password_change, api_tokens, revoke_token = account_pages(
    staff_required, side="accounts", password_done="accounts:password_change"
)
