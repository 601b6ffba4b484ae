"""Actions: what a user can do to an object — accept a case, record a session, issue an
order — declared once per model and read by every channel. The staff page shows a form
per allowed action, the portal a button per action a worker may take, and the API lists
the allowed names and runs the same service; "which buttons does this user see on this
object" has one answer (``ActionSet.allowed``).

An action names its label and success message, the permission it needs *at the
object's organization* (checked through the data scope), the states in which it is
offered (``when``), its form for the workbench and portal, and the service it calls.
The services check permission and state again: an action shown by mistake still cannot
do what the rules forbid.

    case_actions = ActionSet(Case, permission=HANDLE)   # what staff actions need by default

    case_actions.declare(
        "refer", label=_("转办"), success=_("已转办"), form=ReferForm,
        when=in_states(CaseStatus.ACCEPTED),
        perform=case_actions.calls(services.refer_case, "department", "note"),
    )

``calls`` builds the usual ``perform`` (``refer_case(actor=user, case=case,
department=data["department"], note=data["note"])``); a function ``(user, obj, data)``
does anything else (``@case_actions.action(...)`` is the decorator form). The object's
page gets its forms from ``forms(user, obj)`` and its POST view runs one with
``post(request, name, obj, redirect_to=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.utils.functional import Promise

from huigong.common.forms import add_service_errors
from huigong.common.listing import save_form
from huigong.kernel.scope import user_can_at

from .timeline import Audience


@dataclass
class Check:
    """What an action's ``when`` sees: the user, the object and the permissions the user
    holds at the object's organization (looked up once per permission)."""

    user: Any
    obj: Any
    organization_path: str
    holds_at: Callable[[Any, str, str], bool]
    _held: dict[str, bool] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        if permission not in self._held:
            self._held[permission] = bool(
                self.user is not None
                and self.user.is_authenticated
                and not getattr(self.user, "is_worker", False)
                and self.holds_at(self.user, permission, self.organization_path)
            )
        return self._held[permission]

    @cached_property
    def is_worker(self) -> bool:
        return bool(getattr(self.user, "is_worker", False))


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    success: str | Promise
    perform: Callable[[Any, Any, dict], Any]
    #: Held at the object's organization (staff); empty for worker actions.
    permission: str = ""
    #: The state (and any other) rule: offered only when it returns true.
    when: Callable[[Check], bool] = lambda check: True
    #: The form of the workbench or portal (built with ``obj=`` and ``user=``).
    form: type | None = None
    audience: str = Audience.STAFF

    def offered(self, check: Check) -> bool:
        if self.audience == Audience.WORKER:
            if not check.is_worker:
                return False
        elif check.is_worker or (self.permission and not check.can(self.permission)):
            return False
        return bool(self.when(check))


class ActionSet:
    """The actions of one model, in the order they are declared (the order of the forms
    on the page). ``organization_path(obj)`` says where permissions are checked."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        organization_path: Callable[[Any], str] = lambda obj: obj.organization.path,
        holds_at: Callable[[Any, str, str], bool] | None = None,
        permission: str = "",
        form_errors: Callable[[Any, ValidationError], None] = add_service_errors,
    ):
        self.model = model
        self.organization_path = organization_path
        self._holds_at = holds_at
        #: The permission of staff actions that name none of their own.
        self.permission = permission
        #: How a service's ``ValidationError`` is put on the action's form.
        self.form_errors = form_errors
        self._actions: dict[tuple[str, str], Action] = {}
        _SETS[model] = self

    def add(self, action: Action) -> Action:
        self._actions[(action.audience, action.name)] = action
        return action

    def action(self, name: str, **options) -> Callable:
        """Decorator form of ``add``: the decorated function is the action's ``perform``."""

        def register(perform: Callable) -> Callable:
            self.declare(name, perform=perform, **options)
            return perform

        return register

    def declare(self, name: str, **options) -> Action:
        """Add an action; a staff action without a ``permission`` of its own needs the
        set's (``permission=""`` declares one that needs none here)."""
        if options.get("audience", Audience.STAFF) == Audience.STAFF:
            options.setdefault("permission", self.permission)
        return self.add(Action(name=name, **options))

    def calls(
        self, service: Callable, *fields: str, all_data: bool = False, with_object=True, **defaults
    ) -> Callable[[Any, Any, dict], Any]:
        """An action's ``perform`` that calls ``service(actor=user, <model>=obj, …)`` with
        the named ``fields`` of the form's data, the ``defaults`` fields where given (else
        their default), or with ``all_data``, all of it. ``with_object=False`` for a
        service that takes another row the form names (a referral, a finding)."""
        subject = self.model._meta.model_name

        def perform(user, obj, data: dict) -> Any:
            kwargs = dict(data) if all_data else {name: data[name] for name in fields}
            kwargs.update({name: data.get(name, default) for name, default in defaults.items()})
            if with_object:
                kwargs[subject] = obj
            return service(actor=user, **kwargs)

        return perform

    def has(self, name: str, audience: str = Audience.STAFF) -> bool:
        return (audience, name) in self._actions

    def of(self, audience: str = Audience.STAFF) -> list[Action]:
        """The actions of one audience, in declaration order."""
        return [a for (aud, _name), a in self._actions.items() if aud == audience]

    def get(self, name: str, audience: str = Audience.STAFF) -> Action:
        return self._actions[(audience, name)]

    def check(self, user, obj) -> Check:
        return Check(user, obj, self.organization_path(obj), self._holds_at or user_can_at)

    def allowed(self, user, obj, *, audience: str = Audience.STAFF) -> list[Action]:
        """The actions of ``audience`` that ``user`` is offered on ``obj``."""
        check = self.check(user, obj)
        return [a for a in self.of(audience) if a.offered(check)]

    def allowed_names(self, user, obj, *, audience: str = Audience.STAFF) -> list[str]:
        return [a.name for a in self.allowed(user, obj, audience=audience)]

    def perform(self, name: str, user, obj, data: dict, *, audience: str = Audience.STAFF) -> Any:
        """Run the action's service. The service decides (``PermissionDenied`` /
        ``ValidationError``); nothing is checked twice here."""
        return self.get(name, audience).perform(user, obj, data)

    def post(self, request, name: str, obj, *, redirect_to) -> tuple[HttpResponse | None, Any]:
        """The POST of one action's form on ``obj``'s page (404 for an unknown name): the
        form bound to the request and, when valid, the action run with what the form
        gives its service (``service_kwargs()`` where the form defines it, else its
        cleaned data). Returns (the redirect after the success message, the form), or
        (``None``, the form with the service's messages) for the page to be shown again
        with status 400 — nothing changed."""
        if not self.has(name):
            raise Http404
        action = self.get(name)
        form = self.form(action, request.user, obj, request.POST, request.FILES)

        def perform():
            data = form.service_kwargs() if hasattr(form, "service_kwargs") else form.cleaned_data
            return action.perform(request.user, obj, data)

        done = save_form(
            request,
            form,
            perform,
            success=action.success,
            redirect_to=redirect_to,
            errors=self.form_errors,
        )
        return done, form

    def form(self, action: Action, user, obj, data=None, files=None):
        """``action``'s form for ``obj``, bound when ``data`` is given. The forms take the
        object under the model's name (``case=``, ``inspection=``) and the ``user``."""
        return action.form(data, files, **{self.model._meta.model_name: obj}, user=user)

    def forms(
        self,
        user,
        obj,
        *,
        bound: tuple[str, Any] | None = None,
        names: Iterable[str] | None = None,
        offered: Iterable[str] | None = None,
        audience: str = Audience.STAFF,
    ) -> list[tuple[Action, Any]]:
        """The forms of an object's page, as (action, form): one per action ``user`` is
        offered (``offered``, where the page has asked already), in declaration order or
        that of ``names``. ``bound`` is (name, form) of a posted form that failed: it
        stands in its action's place, offered or not."""
        if offered is None:
            offered = self.allowed_names(user, obj, audience=audience)
        offered = set(offered)
        actions = self.of(audience) if names is None else [self.get(n, audience) for n in names]
        pairs = []
        for action in actions:
            if bound is not None and bound[0] == action.name:
                pairs.append((action, bound[1]))
            elif action.name in offered:
                pairs.append((action, self.form(action, user, obj)))
        return pairs


_SETS: dict[type[models.Model], ActionSet] = {}


def in_states(*states: str) -> Callable[[Check], bool]:
    """A ``when``: offered while the object is in one of ``states``."""
    return lambda check: check.obj.status in states


def actions_for(model: type[models.Model]) -> ActionSet:
    """The action set declared for ``model`` (``LookupError`` if none)."""
    try:
        return _SETS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} declares no actions") from None
