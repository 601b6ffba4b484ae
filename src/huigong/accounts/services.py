"""Use cases for accounts: roles and their assignments, worker sign-up and password reset
by SMS code, password changes and API tokens.

Bad input raises ``ValidationError`` with a dict keyed by the form field names (``phone``,
``code``, ``name``, ``password``, ...), so views and the API show each message beside the
field it concerns; nothing is written when one is raised.
"""

from __future__ import annotations

import datetime
import hmac
import math
import secrets
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change, snapshot
from huigong.common import messages as catalogue
from huigong.common.crypto import lookup_hash
from huigong.common.text import clean_code, clean_phone, clean_text
from huigong.kernel.registry import granted
from huigong.kernel.scope import user_can_at
from huigong.orgs.models import Organization, OrgKind
from huigong.people.models import Person
from huigong.people.validators import check_id_number

from .models import (
    ApiToken,
    PhoneCode,
    PhoneCodePurpose,
    Role,
    RoleAssignment,
    TokenScope,
    User,
    UserKind,
)
from .roles import ROLES
from .sms import send_sms

#: A phone gets at most one code per minute and ten a day (SMS costs money and annoys).
CODE_RESEND_SECONDS = 60
CODE_DAILY_LIMIT = 10
#: A code dies after this many wrong guesses: 5 guesses in a million per code.
CODE_MAX_ATTEMPTS = 5
CODE_LENGTH = 6
#: Live tokens a user may hold at once.
MAX_API_TOKENS = 10
API_TOKEN_LIFETIMES = (30, 90, 365)  # days, offered up to settings.API_TOKEN_MAX_DAYS


def api_token_lifetimes() -> tuple[int, ...]:
    """The lifetimes a user may choose: never beyond ``API_TOKEN_MAX_DAYS``."""
    limit = settings.API_TOKEN_MAX_DAYS
    return tuple(days for days in API_TOKEN_LIFETIMES if days <= limit) or (limit,)


# --- roles -----------------------------------------------------------------------------


def _permissions(names: list[str]):
    if names == ["*"]:
        return Permission.objects.filter(content_type__app_label__in=_huigong_app_labels())
    perms = []
    for name in names:
        app_label, codename = name.split(".", 1)
        perms.extend(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    return perms


def _huigong_app_labels() -> list[str]:
    from django.apps import apps

    return [c.label for c in apps.get_app_configs() if c.name.startswith("huigong.")]


@transaction.atomic
def seed_roles() -> int:
    """Create the standard roles and grant them their permissions: the foundation's own
    (``roles.ROLES``) and those the installed apps grant (``kernel.registry.grant``).
    Returns how many roles were created."""
    created = 0
    for code, (name, description, own_perms) in ROLES.items():
        perm_names = [*own_perms, *granted(code)]
        role, was_created = Role.objects.get_or_create(
            code=code, defaults={"name": str(name), "description": str(description)}
        )
        created += was_created
        role.permissions.add(*_permissions(perm_names))
    return created


def _check_manage(actor: User | None, perm: str, organization) -> None:
    # ``actor=None`` is system setup (seed commands, the demo county).
    if actor is not None and not user_can_at(actor, perm, organization.path):
        raise PermissionDenied


@transaction.atomic
def assign_role(
    *,
    actor: User | None,
    user: User,
    role: Role,
    organization,
    valid_until: datetime.date | None = None,
) -> RoleAssignment:
    """Give ``user`` the ``role`` at ``organization`` (and its subtree), optionally until a
    date. The actor must be allowed to manage accounts at that organization."""
    _check_manage(actor, "accounts.add_roleassignment", organization)
    if user.is_worker:
        raise ValidationError({"user": _("职工账号不能被分配工作人员角色。")})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization, defaults={"valid_until": valid_until}
    )
    if created:
        record_change(actor=actor, obj=assignment, action=ChangeAction.CREATE)
    elif assignment.valid_until != valid_until:
        set_role_validity(actor=actor, assignment=assignment, valid_until=valid_until)
    return assignment


@transaction.atomic
def set_role_validity(
    *, actor: User | None, assignment: RoleAssignment, valid_until: datetime.date | None
) -> RoleAssignment:
    """Change until when an assignment holds (``None``: without end)."""
    _check_manage(actor, "accounts.change_roleassignment", assignment.organization)
    with change_recorded(actor=actor, obj=assignment):
        assignment.valid_until = valid_until
        assignment.save(update_fields=["valid_until"])
    return assignment


@transaction.atomic
def revoke_role(*, actor: User | None, assignment: RoleAssignment) -> None:
    """Take a role assignment away."""
    _check_manage(actor, "accounts.delete_roleassignment", assignment.organization)
    record_change(actor=actor, obj=assignment, action=ChangeAction.DELETE)
    assignment.delete()


# --- SMS verification codes ------------------------------------------------------------


def clean_mobile(raw: str | None) -> str:
    """A mainland mobile number (11 digits starting with 1), or a field error on ``phone``."""
    phone = clean_phone(raw)
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise ValidationError({"phone": catalogue.text(catalogue.MOBILE_FORMAT)})
    return phone


def _code_hash(phone_hash: str, purpose: str, code: str) -> str:
    # Keyed: a bare SHA-256 of a 6-digit code is reversed by trying a million values.
    return lookup_hash(f"sms-code:{purpose}:{phone_hash}:{code}")


def _phone_registered(phone_hash: str) -> bool:
    return User.objects.filter(phone_hash=phone_hash).exists()


def send_phone_code(*, phone: str, purpose: str) -> PhoneCode:
    """Send a one-time code to ``phone`` for sign-up or password reset.

    An anonymous step (no actor yet). For a reset the answer is the same whether or not
    the phone has an account, so the page cannot be used to find out who is registered:
    the code row is kept (and counts for the rate limit) but only a worker receives it.
    """
    if purpose not in PhoneCodePurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    phone = clean_mobile(phone)
    phone_hash = lookup_hash(phone)
    if purpose == PhoneCodePurpose.SIGNUP and _phone_registered(phone_hash):
        raise ValidationError(
            {"phone": _("该手机号已注册,请直接登录;忘记密码可通过短信找回。")},
            code="phone_taken",
        )
    now = timezone.now()
    with transaction.atomic():
        recent = PhoneCode.objects.filter(
            phone_hash=phone_hash, created_at__gte=now - datetime.timedelta(days=1)
        )
        last = recent.order_by("-created_at").first()
        if last is not None:
            waited = (now - last.created_at).total_seconds()
            if waited < CODE_RESEND_SECONDS:
                raise ValidationError(
                    {
                        "phone": _("验证码发送过于频繁,请 %(seconds)d 秒后再试。")
                        % {"seconds": math.ceil(CODE_RESEND_SECONDS - waited)}
                    },
                    code="throttled",
                )
        if recent.count() >= CODE_DAILY_LIMIT:
            raise ValidationError(
                {"phone": _("该手机号今天获取验证码的次数已达上限,请明天再试。")},
                code="daily_limit",
            )
        PhoneCode.objects.filter(
            phone_hash=phone_hash, created_at__lt=now - datetime.timedelta(days=1)
        ).delete()
        code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
        phone_code = PhoneCode.objects.create(
            phone_hash=phone_hash,
            purpose=purpose,
            code_hash=_code_hash(phone_hash, purpose, code),
            expires_at=now + datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
        if (
            purpose == PhoneCodePurpose.SIGNUP
            or User.objects.filter(
                phone_hash=phone_hash, kind=UserKind.WORKER, is_active=True
            ).exists()
        ):
            message = _("【惠工】您的验证码是 %(code)s,%(minutes)d 分钟内有效。请勿告诉他人。") % {
                "code": code,
                "minutes": settings.SMS_CODE_TTL_SECONDS // 60,
            }
            transaction.on_commit(lambda: send_sms(phone, message))
    return phone_code


def verify_phone_code(*, phone: str, purpose: str, code: str) -> None:
    """Check and use up the newest code sent to ``phone`` for ``purpose``.

    A wrong guess is counted in a transaction of its own that ends before the error is
    raised; callers must not wrap the call in a transaction that the error rolls back (the
    services here call it before opening theirs), or the count would be undone. Call it
    after every other check of the request has passed, or a typo elsewhere would waste
    the code.
    """
    phone = clean_mobile(phone)
    code = clean_code(code)
    if not (len(code) == CODE_LENGTH and code.isdigit()):
        raise ValidationError(
            {"code": _("请输入 %(n)d 位数字验证码") % {"n": CODE_LENGTH}}, code="code_format"
        )
    phone_hash = lookup_hash(phone)
    error = None
    with transaction.atomic():
        latest = (
            PhoneCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        if latest is None or latest.used_at is not None or latest.expires_at <= timezone.now():
            error = ValidationError({"code": _("验证码已失效,请重新获取。")}, code="code_expired")
        elif latest.attempts >= CODE_MAX_ATTEMPTS:
            error = ValidationError(
                {"code": _("验证码错误次数过多,请重新获取。")}, code="code_locked"
            )
        elif hmac.compare_digest(latest.code_hash, _code_hash(phone_hash, purpose, code)):
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
        else:
            PhoneCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
            left = CODE_MAX_ATTEMPTS - latest.attempts - 1
            error = ValidationError(
                {
                    "code": _("验证码不正确,还可以再试 %(left)d 次。") % {"left": left}
                    if left
                    else _("验证码错误次数过多,请重新获取。")
                },
                code="code_wrong",
            )
    if error is not None:
        raise error


# --- workers -----------------------------------------------------------------------------


def township_choices():
    """The townships a worker may choose at sign-up: active township unions."""
    return Organization.objects.active().filter(kind=OrgKind.TOWNSHIP)


def _password_errors(password: str, user: User, field: str = "password") -> dict:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {field: exc.messages}
    return {}


def _new_worker_username() -> str:
    # Not the phone number: usernames show up in logs and lockout records in clear.
    return f"w{secrets.token_hex(7)}"


class SignupCheck(NamedTuple):
    """What ``check_worker_signup`` found: the normalised values, the person on file to
    link (or ``None``) and the unsaved account."""

    phone: str
    name: str
    id_number: str
    person: Person | None
    user: User


def check_worker_signup(
    *,
    phone: str,
    name: str,
    password: str,
    township: Organization | None,
    id_number: str = "",
) -> SignupCheck:
    """Every rule of a sign-up except the SMS code, without saving: a ``ValidationError``
    names each field's problems (``register_worker`` calls it; the sign-up page calls it
    on an incomplete form too, so one submit shows everything)."""
    errors: dict[str, list] = {}

    def add(field: str, message) -> None:
        errors.setdefault(field, []).append(message)

    try:
        phone = clean_mobile(phone)
    except ValidationError as exc:
        add("phone", exc.messages[0])
        phone = ""
    if phone and _phone_registered(lookup_hash(phone)):
        add("phone", _("该手机号已注册,请直接登录;忘记密码可通过短信找回。"))
    name = clean_text(name)
    if not name:
        add("name", _("请填写姓名"))
    elif len(name) > 50:
        add("name", _("姓名不能超过 50 个字"))
    if township is None:
        add("township", _("请选择所在乡镇(街道)工会"))
    elif not township_choices().filter(pk=township.pk).exists():
        add("township", _("请选择有效的乡镇(街道)工会"))

    person = None
    id_number = clean_code(id_number)
    if id_number:
        try:
            id_number = check_id_number(id_number).number
        except ValidationError as exc:
            add("id_number", exc.messages[0])
        else:
            person = Person.objects.with_id_number(id_number).first()
    if person is not None:
        if User.objects.filter(person=person).exists():
            add("id_number", _("该身份证号已绑定其他账号。如有疑问,请联系所在工会。"))
        elif name and clean_text(person.name) != name:
            add("name", _("姓名与该身份证号在工会登记的姓名不一致。"))
        elif phone and person.phone and person.phone != phone:
            add(
                "phone",
                _(
                    "该身份证号在工会登记的是另一个手机号。请用登记的手机号注册,或联系所在工会更新。"
                ),
            )

    user = User(username=_new_worker_username(), name=name, kind=UserKind.WORKER, phone=phone)
    for field, messages in _password_errors(password, user).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return SignupCheck(phone, name, id_number, person, user)


def register_worker(
    *,
    phone: str,
    code: str,
    name: str,
    password: str,
    township: Organization | None,
    id_number: str = "",
) -> User:
    """Create a worker's portal account after checking the SMS code.

    With an ID number that the union already has on file, the account is linked to that
    person (when the name matches and the file carries no other phone); otherwise a new
    person is registered with the chosen township union.
    """
    phone, name, id_number, person, user = check_worker_signup(
        phone=phone, name=name, password=password, township=township, id_number=id_number
    )
    verify_phone_code(phone=phone, purpose=PhoneCodePurpose.SIGNUP, code=code)

    before: dict = {}
    try:
        with transaction.atomic():
            if person is None:
                person = Person(organization=township, name=name, id_number=id_number, phone=phone)
                person.save()
                person_action = ChangeAction.CREATE
            else:
                person = Person.objects.select_for_update().get(pk=person.pk)
                if User.objects.filter(person=person).exists():
                    raise IntegrityError("person already linked")
                before = snapshot(person, ["phone"])
                if not person.phone:
                    person.phone = phone
                    person.save(update_fields=["phone"])
                person_action = ChangeAction.UPDATE
            user.person = person
            user.set_password(password)
            user.save()
            record_change(
                actor=user, obj=user, action=ChangeAction.CREATE, note=_("职工在门户自助注册")
            )
            if person_action == ChangeAction.CREATE:
                record_change(
                    actor=user, obj=person, action=ChangeAction.CREATE, note=_("职工在门户自助注册")
                )
            else:
                record_change(
                    actor=user,
                    obj=person,
                    action=ChangeAction.UPDATE,
                    before=before,
                    after=snapshot(person, ["phone"]),
                    note=_("职工注册账号并关联已有档案"),
                )
    except IntegrityError:
        # Someone registered the same phone or linked the same person a moment earlier.
        raise ValidationError(
            {"phone": _("该手机号或身份证号刚刚已被注册,请直接登录。")}, code="taken"
        )
    return user


def reset_worker_password(*, phone: str, code: str, password: str) -> User:
    """Set a new password for the worker with ``phone`` after checking the SMS code, and
    lift any sign-in lockout of that account."""
    phone = clean_mobile(phone)
    user = User.objects.filter(
        phone_hash=lookup_hash(phone), kind=UserKind.WORKER, is_active=True
    ).first()
    errors = _password_errors(password, user or User(kind=UserKind.WORKER, phone=phone))
    if errors:
        raise ValidationError(errors)
    verify_phone_code(phone=phone, purpose=PhoneCodePurpose.RESET, code=code)
    if user is None:  # no code was sent to this phone, so this is not reached in practice
        raise ValidationError({"phone": _("该手机号没有可用的职工账号。")})
    with transaction.atomic():
        _save_password(user, password, after="已重置", note=_("通过短信验证码找回密码"))
        transaction.on_commit(lambda: _unlock(user.get_username()))
    return user


def _save_password(user: User, password: str, *, after: str, note: str) -> None:
    """Store a password the user set themselves; the log says only that it changed."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(
        actor=user,
        obj=user,
        action=ChangeAction.UPDATE,
        before={"password": "已设置"},
        after={"password": after},
        note=note,
    )


def _unlock(username: str) -> None:
    from axes.utils import reset

    reset(username=username)


def change_password(*, actor: User, old_password: str, new_password: str) -> None:
    """A signed-in user replaces their own password (staff and workers alike)."""
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": _("当前密码不正确。")})
    errors = _password_errors(new_password, actor, field="new_password")
    if new_password and new_password == old_password:
        errors.setdefault("new_password", []).append(_("新密码不能与当前密码相同。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _save_password(actor, new_password, after="已修改", note=_("用户修改密码"))


# --- API tokens -------------------------------------------------------------------------


def issue_api_token(
    *, actor: User, name: str, lifetime_days: int | None, scope: str = TokenScope.READ
) -> tuple[ApiToken, str]:
    """Create an API token for the actor, read-only unless asked otherwise, expiring
    after one of the offered lifetimes. Returns the token and its plain key, which is
    shown once and never stored."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    name = clean_text(name)
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [_("请填写令牌名称,例如“小程序”。")]
    elif len(name) > 60:
        errors["name"] = [_("令牌名称不能超过 60 个字。")]
    if lifetime_days not in api_token_lifetimes():
        errors["lifetime_days"] = [_("请选择有效期。")]
    if scope not in TokenScope.values:
        errors["scope"] = [_("请选择令牌的权限范围。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the user row so two requests cannot both pass the count.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        tokens = ApiToken.objects.filter(user=actor)
        if tokens.filter(name=name).exists():
            raise ValidationError({"name": _("已有同名令牌,请换一个名称。")})
        if tokens.count() >= MAX_API_TOKENS:
            raise ValidationError(
                {
                    "name": _("最多可保留 %(n)d 个令牌,请先吊销不再使用的令牌。")
                    % {"n": MAX_API_TOKENS}
                }
            )
        expires_at = timezone.now() + datetime.timedelta(days=lifetime_days)
        token, key = ApiToken.issue(actor, name, scope=scope, expires_at=expires_at)
        record_change(actor=actor, obj=token, action=ChangeAction.CREATE)
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    """Delete a token so its key stops working at once. Users revoke their own tokens;
    administrators with ``accounts.delete_apitoken`` may revoke anyone's."""
    if token.user_id != actor.pk and not actor.has_perm("accounts.delete_apitoken"):
        raise PermissionDenied
    record_change(actor=actor, obj=token, action=ChangeAction.DELETE)
    token.delete()
