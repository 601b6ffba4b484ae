"""Worker-facing account pages, mounted under /m/ by ``huigong.portal.urls``: sign-up
with an SMS code, sign-in with phone and password, password reset, "我的", password
change and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from huigong.common.crypto import mask_phone
from huigong.common.forms import add_check_errors

from . import services
from .decorators import worker_required
from .forms import (
    PhoneCodeRequestForm,
    WorkerLoginForm,
    WorkerPasswordResetForm,
    WorkerSignupForm,
    lockout_minutes,
)
from .models import PhoneCodePurpose
from .pages import account_pages

WORKER_BACKEND = "huigong.accounts.backends.WorkerPhoneBackend"
#: Fields echoed back into the form after "send code" (never passwords or codes).
_KEEP_AFTER_SEND = ("phone", "name", "township", "id_number")


class WorkerLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = WorkerLoginForm
    redirect_authenticated_user = True
    next_page = "portal:home"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT, lockout_minutes=lockout_minutes(), **kwargs
        )


class WorkerLogoutView(auth_views.LogoutView):
    next_page = "portal:home"


def _send_code(request, form_class, purpose: str) -> dict:
    """Handle the "获取验证码" button of a form page: send the code and re-show the form
    with what the worker typed so far."""
    form = form_class(initial={k: request.POST.get(k, "") for k in _KEEP_AFTER_SEND})
    code_form = PhoneCodeRequestForm(request.POST)
    context: dict = {"form": form, "code_errors": [], "code_sent": False}
    if not code_form.is_valid():
        context["code_errors"] = code_form.errors.get("phone", [])
        return context
    try:
        services.send_phone_code(phone=code_form.cleaned_data["phone"], purpose=purpose)
    except ValidationError as exc:
        context["code_errors"] = exc.message_dict.get("phone", exc.messages)
        return context
    context["code_sent"] = True
    context["resend_seconds"] = services.CODE_RESEND_SECONDS
    phone = services.clean_mobile(code_form.cleaned_data["phone"])
    if purpose == PhoneCodePurpose.SIGNUP:
        text = _("验证码已发送至 %(phone)s,请查看短信。")
    else:
        text = _("如果 %(phone)s 已注册,验证码已发送,请查看短信。")
    messages.info(request, text % {"phone": mask_phone(phone)})
    return context


def _code_form_page(request, form_class, purpose: str, template: str, save, check=None):
    """A form page with a "获取验证码" button: that button re-shows the form after
    sending the code; a valid form is passed to ``save(data)`` (the service call), which
    returns the response, or the service's error is shown above the form. An invalid
    form also gets the errors of the service's ``check(data)`` on the fields that
    parsed, so one submit shows every problem."""
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return render(request, template, _send_code(request, form_class, purpose))
    form = form_class(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                return save(form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
        elif check is not None:
            add_check_errors(form, lambda: check(form.cleaned_data))
    return render(request, template, {"form": form})


@sensitive_post_parameters("password", "password_confirm", "code", "id_number")
@never_cache
def signup(request):
    """Sign up: phone + SMS code, name, township union, password, optional ID number."""
    if request.user.is_authenticated:
        return redirect("portal:home")

    def register(data):
        user = services.register_worker(
            phone=data["phone"],
            code=data["code"],
            name=data["name"],
            password=data["password"],
            township=data["township"],
            id_number=data["id_number"],
        )
        login(request, user, backend=WORKER_BACKEND)
        messages.success(request, _("注册成功,欢迎使用惠工职工服务。"))
        return redirect("portal:me")

    def check(data):
        services.check_worker_signup(
            phone=data.get("phone", ""),
            name=data.get("name", ""),
            password=data.get("password", ""),
            township=data.get("township"),
            id_number=data.get("id_number", ""),
        )

    return _code_form_page(
        request, WorkerSignupForm, PhoneCodePurpose.SIGNUP, "portal/signup.html", register, check
    )


@sensitive_post_parameters("password", "password_confirm", "code")
@never_cache
def password_reset(request):
    """Forgotten password: a new one after an SMS code to the registered phone."""

    def reset(data):
        services.reset_worker_password(
            phone=data["phone"], code=data["code"], password=data["password"]
        )
        messages.success(request, _("密码已重置,请用新密码登录。"))
        return redirect("portal:login")

    return _code_form_page(
        request,
        WorkerPasswordResetForm,
        PhoneCodePurpose.RESET,
        "portal/password_reset.html",
        reset,
    )


@worker_required
def me(request):
    """The worker's own record: masked phone and ID number, union, membership."""
    person = request.user.person
    return render(request, "portal/me.html", {"person": person})


password_change, api_tokens, revoke_token = account_pages(
    worker_required, side="portal", password_done="portal:me"
)
