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

    case_actions = ActionSet(Case)

    @case_actions.action("accept", label=_("受理"), success=_("已受理"), permission=HANDLE,
                         form=AcceptForm, when=lambda c: can_proceed(c.obj.accept))
    def accept(user, case, data):
        return services.accept_case(actor=user, case=case, assignee=data.get("assignee"))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from django.utils.functional import Promise

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
    ):
        self.model = model
        self.organization_path = organization_path
        self._holds_at = holds_at
        self._actions: dict[tuple[str, str], Action] = {}
        _SETS[model] = self

    def add(self, action: Action) -> Action:
        self._actions[(action.audience, action.name)] = action
        return action

    def action(self, name: str, **options) -> Callable:
        """Decorator form of ``add``: the decorated function is the action's ``perform``."""

        def register(perform: Callable) -> Callable:
            self.add(Action(name=name, perform=perform, **options))
            return perform

        return register

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


_SETS: dict[type[models.Model], ActionSet] = {}


def actions_for(model: type[models.Model]) -> ActionSet:
    """The action set declared for ``model`` (``LookupError`` if none)."""
    try:
        return _SETS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} declares no actions") from None
