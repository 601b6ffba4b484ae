"""Forms for signing in and out, worker sign-up and password reset, and API tokens.

Forms check the shape of the input; the rules (codes, uniqueness, linking to a person)
live in ``services``. Field names match the keys of the services' ``ValidationError``
dicts, so a view can attach a service error to its field with ``form.add_error(None, e)``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import specific_messages, style_form
from huigong.orgs.models import Organization

from .models import TokenScope
from .services import CODE_LENGTH, api_token_lifetimes, township_choices


def lockout_minutes() -> int:
    return round(float(settings.AXES_COOLOFF_TIME) * 60)


def _invalid_login_message(what) -> str:
    return gettext("%(what)s不正确。连续输错 %(limit)d 次将锁定 %(minutes)d 分钟。") % {
        "what": what,
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": lockout_minutes(),
    }


class _ShownByName:
    def label_from_instance(self, obj) -> str:
        return obj.name or obj.username


class UserChoiceField(_ShownByName, forms.ModelChoiceField):
    """One staff account, shown by its name (or username when it has none)."""


class UserMultipleChoiceField(_ShownByName, forms.ModelMultipleChoiceField):
    """Several staff accounts, shown by name (or username)."""


class TablerFormMixin:
    """Gives every widget Tabler's form classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons are rendered as a Tabler select group by the template.
        style_form(self, skip=(forms.RadioSelect,))


def _phone_field(**attrs) -> forms.CharField:
    return forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", **attrs}
        ),
        error_messages={"required": _("请填写手机号")},
    )


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("短信验证码"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": CODE_LENGTH,
            }
        ),
        error_messages={"required": _("请填写短信验证码")},
    )


def _password_field(label, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": _("请填写密码")},
    )


class StaffLoginForm(TablerFormMixin, AuthenticationForm):
    """Staff sign in with username and password; workers are sent to the portal."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages={"required": _("请填写用户名")},
    )
    password = _password_field(_("密码"), autocomplete="current-password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            "invalid_login": _invalid_login_message(gettext("用户名或密码")),
            "inactive": gettext("该账号已停用,请联系系统管理员。"),
        }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_worker:
            raise ValidationError(
                gettext("职工账号请在职工服务门户用手机号登录。"), code="worker_account"
            )


class WorkerLoginForm(TablerFormMixin, forms.Form):
    """Workers sign in with phone number and password (``WorkerPhoneBackend``)."""

    phone = _phone_field(autofocus=True)
    password = _password_field(_("密码"), autocomplete="current-password")

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        phone = self.cleaned_data.get("phone")
        password = self.cleaned_data.get("password")
        if phone and password:
            self.user_cache = authenticate(self.request, phone=phone, password=password)
            if self.user_cache is None:
                raise ValidationError(
                    _invalid_login_message(gettext("手机号或密码")), code="invalid_login"
                )
            if not self.user_cache.is_active:
                raise ValidationError(gettext("该账号已停用,请联系所在工会。"), code="inactive")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class PhoneCodeRequestForm(TablerFormMixin, forms.Form):
    """Ask for an SMS code (the purpose comes from the page)."""

    phone = _phone_field()


class PasswordPairMixin:
    """A password typed twice; the service checks its strength."""

    password_field = "password"

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get(self.password_field)
        second = cleaned.get(f"{self.password_field}_confirm")
        if first and second and first != second:
            self.add_error(f"{self.password_field}_confirm", gettext("两次输入的密码不一致。"))
        return cleaned


def township_field_choices() -> list:
    """Active townships grouped under their county, in tree order."""
    towns = list(township_choices().only("id", "name", "path", "depth"))
    step = Organization.steplen
    parents = dict(
        Organization.objects.filter(path__in={t.path[:-step] for t in towns}).values_list(
            "path", "name"
        )
    )
    groups: dict[str, list] = {}
    for town in towns:
        groups.setdefault(parents.get(town.path[:-step], ""), []).append((str(town.pk), town.name))
    choices: list = [("", gettext("请选择"))]
    for county, options in groups.items():
        if county:
            choices.append((county, options))
        else:
            choices.extend(options)
    return choices


class WorkerSignupForm(TablerFormMixin, PasswordPairMixin, forms.Form):
    """Sign-up. The rules are ``services.check_worker_signup``'s, which the page runs on
    an incomplete form too: the empty fields and a bad phone or ID number in one round."""

    phone = _phone_field()
    code = _code_field()
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("请填写姓名")},
    )
    township = forms.ChoiceField(
        label=_("所在乡镇(街道)工会"),
        error_messages={
            "required": _("请选择所在乡镇(街道)工会"),
            "invalid_choice": _("请选择有效的乡镇(街道)工会"),
        },
    )
    id_number = forms.CharField(
        label=_("身份证号码(选填)"),
        required=False,
        max_length=30,
        help_text=_("填写后可关联您在工会已登记的档案。"),
    )
    password = _password_field(_("设置密码"))
    password_confirm = _password_field(_("确认密码"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = township_field_choices()
        specific_messages(self)

    def clean_township(self) -> Organization | None:
        return township_choices().filter(pk=self.cleaned_data["township"]).first()


class WorkerPasswordResetForm(TablerFormMixin, PasswordPairMixin, forms.Form):
    phone = _phone_field()
    code = _code_field()
    password = _password_field(_("新密码"))
    password_confirm = _password_field(_("确认新密码"))


class PasswordChangeForm(TablerFormMixin, PasswordPairMixin, forms.Form):
    password_field = "new_password"

    old_password = _password_field(_("当前密码"), autocomplete="current-password")
    new_password = _password_field(_("新密码"))
    new_password_confirm = _password_field(_("确认新密码"))


class ApiTokenForm(TablerFormMixin, forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=60,
        help_text=_("写明用途,例如“小程序”或“数据对接”。"),
        error_messages={"required": _("请填写令牌名称,例如“小程序”。")},
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        error_messages={
            "invalid_choice": _("请选择有效期。"),
            "required": _("请选择有效期。"),
        },
    )
    scope = forms.ChoiceField(
        label=_("权限范围"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        required=False,  # left out: read-only, the least a client can need
        widget=forms.RadioSelect,
        help_text=_("只读令牌只能查询数据;需要提交或修改数据的客户端才选“读写”。"),
        error_messages={
            "invalid_choice": _("请选择令牌的权限范围。"),
            "required": _("请选择令牌的权限范围。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lifetimes = api_token_lifetimes()
        self.fields["lifetime_days"].choices = [
            (str(days), gettext("%(days)d 天") % {"days": days}) for days in lifetimes
        ]
        self.fields["lifetime_days"].initial = str(lifetimes[min(1, len(lifetimes) - 1)])

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or TokenScope.READ
