"""The account pages the workbench and the portal share — password change, API tokens and
their revocation — built for either side by ``account_pages``. Both ``views`` (staff) and
``portal`` (workers) use them; neither imports the other."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm, PasswordChangeForm
from .models import ApiToken


def password_change_page(request, *, template: str, done_url: str):
    """Change one's own password; the session stays signed in, others are signed out."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect(done_url)
    return render(request, template, {"form": form})


def api_tokens_page(request, *, template: str, revoke_url: str):
    """List the user's API tokens and create one; a new key is shown on this response
    only (never stored, never cached)."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = services.issue_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                lifetime_days=form.cleaned_data["lifetime_days"],
                scope=form.cleaned_data["scope"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已创建令牌“%(name)s”。") % {"name": token.name})
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        template,
        {"form": form, "tokens": tokens, "new_key": new_key, "revoke_url": revoke_url},
    )


def revoke_api_token_view(request, pk: int, *, done_url: str):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(
        request, _("已吊销令牌“%(name)s”,使用它的客户端将无法再访问。") % {"name": token.name}
    )
    return redirect(done_url)


def account_pages(required, *, side: str, password_done: str):
    """The password change, API token and revoke views of one side of the site, behind
    ``required``: the workbench's (templates and URLs under ``accounts``) or the portal's
    (under ``portal``)."""

    @required
    @sensitive_post_parameters()
    @never_cache
    def password_change(request):
        template = f"{side}/password_change.html"
        return password_change_page(request, template=template, done_url=password_done)

    @required
    @never_cache
    def api_tokens(request):
        template, revoke_url = f"{side}/api_tokens.html", f"{side}:revoke_token"
        return api_tokens_page(request, template=template, revoke_url=revoke_url)

    @required
    @require_POST
    def revoke_token(request, pk: int):
        return revoke_api_token_view(request, pk, done_url=f"{side}:api_tokens")

    return password_change, api_tokens, revoke_token
