"""What every case service shares: permission names, limits, input checks, locking,
the change log, routing levels, numbering and notifications.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin

from huigong.accounts.models import User
from huigong.accounts.policy import users_holding, users_holding_many
from huigong.audit.services import change_recorded, snapshot
from huigong.common.fields import (
    FieldErrors,
    clean_amount,
    clean_multiline,
    clean_required_text,
)
from huigong.kernel.notifications import notify  # noqa: F401  (used by the services)
from huigong.kernel.numbering import formatted_number
from huigong.kernel.scope import scope_paths, user_can_at
from huigong.orgs.models import Organization, OrgKind

from ..models import (
    FINAL_STATUSES,
    Case,
    CaseParty,
    CaseStatus,
    HandlingLevel,
)

INTAKE = "cases.intake_case"
HANDLE = "cases.handle_case"
SUPERVISE = "cases.supervise_case"
VIEW = "cases.view_case"

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000
RESULT_MAX_LENGTH = 5000
MAX_AMOUNT = Decimal("9999999999.99")
MAX_WORKERS = 100_000
#: How far back the duplicate check looks (calendar days).
DUPLICATE_WINDOW_DAYS = 30
#: Open wage-arrears cases against one employer from which a group case is proposed.
GROUP_CASE_THRESHOLD = 3
#: The category codes counted as wage arrears (with their sub-categories).
WAGE_CATEGORY_CODE = "wage_arrears"
#: Working days a supervised handler has to answer by default.
SUPERVISION_DAYS = 2
#: Working days to accept a case (首问负责: acceptance is due within one working day).
ACCEPT_DAYS = 1

#: Which kinds of organization count as which level for routing.
_KIND_RANK = {
    OrgKind.GRASSROOTS: 0,
    OrgKind.INDUSTRY: 0,
    OrgKind.REGIONAL: 0,
    OrgKind.TOWNSHIP: 1,
    OrgKind.COUNTY: 2,
    OrgKind.CITY: 3,
    OrgKind.PROVINCE: 4,
}
_LEVEL_RANK = {HandlingLevel.GRASSROOTS: 0, HandlingLevel.TOWNSHIP: 1, HandlingLevel.COUNTY: 2}

#: Fields of a case that its change-log entries follow.
AUDIT_FIELDS = (
    "status",
    "organization",
    "category",
    "complexity",
    "owner",
    "assignee",
    "accept_due",
    "due_date",
    "outcome",
    "amount_recovered",
    "workers_benefited",
    "satisfaction",
    "reopen_count",
    "escalation_count",
    "is_overdue",
    "supervised",
    "merged_into",
)

# -- helpers -----------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _is_worker(actor) -> bool:
    return actor is not None and getattr(actor, "is_worker", False)


def _require(actor, perm: str, organization: Organization, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` (None: the system) holds ``perm`` at
    ``organization``."""
    if actor is None:
        return
    if _is_worker(actor) or not user_can_at(actor, perm, organization.path):
        raise PermissionDenied(message or _("您没有办理该诉求的权限"))


def _is_party(actor, case: Case) -> bool:
    return (
        _is_worker(actor)
        and actor.person_id is not None
        and CaseParty.objects.filter(case=case, person_id=actor.person_id).exists()
    )


def _require_handler_or_party(actor, case: Case, message: str | None = None) -> None:
    """Staff with ``handle_case`` at the case, or the worker whose case it is."""
    if _is_worker(actor):
        if not _is_party(actor, case):
            raise PermissionDenied(message or _("只能操作本人提交的诉求"))
        return
    _require(actor, HANDLE, case.organization, message)


def _lock(case: Case) -> Case:
    """The current row, locked until the transaction ends."""
    try:
        return (
            Case.objects.select_for_update()
            .select_related("organization", "category")
            .get(pk=case.pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"case": _("诉求不存在")}, code="not_found")


# Lazy: these module-level texts are translated when used, in the request's language.
_STATE_MESSAGES = {
    CaseStatus.CLOSED: gettext_lazy("该诉求已归档,不能再办理"),
    CaseStatus.MERGED: gettext_lazy("该诉求已合并到其他诉求,不能再办理"),
    CaseStatus.WITHDRAWN: gettext_lazy("该诉求已撤回,不能再办理"),
}


def _require_status(case: Case, allowed: Iterable[str], action: str) -> None:
    """Raise ``ValidationError`` (code ``invalid_state``) unless the case is in ``allowed``."""
    allowed = tuple(allowed)
    if case.status in allowed:
        return
    if case.status in FINAL_STATUSES:
        raise ValidationError(str(_STATE_MESSAGES[case.status]), code="invalid_state")
    raise ValidationError(
        _("诉求当前状态为“%(status)s”,不能%(action)s")
        % {"status": case.get_status_display(), "action": action},
        code="invalid_state",
    )


def _lock_to_act(
    actor,
    case: Case,
    allowed: Iterable[str],
    action: str,
    denied: str,
    *,
    or_party: bool = False,
) -> Case:
    """The case locked for ``actor`` to ``action`` it: they hold ``handle_case`` at its
    organization (with ``or_party``, or are the worker whose case it is; else
    ``PermissionDenied`` saying ``denied``) and its status is one of ``allowed``."""
    case = _lock(case)
    if or_party:
        _require_handler_or_party(actor, case, denied)
    else:
        _require(actor, HANDLE, case.organization, denied)
    _require_status(case, allowed, action)
    return case


def _snapshot(case: Case) -> dict[str, Any]:
    return snapshot(case, AUDIT_FIELDS)


def _logged(actor, case: Case, note: str) -> AbstractContextManager[dict[str, Any]]:
    """Log the change the block makes to ``case`` (its ``AUDIT_FIELDS``) with ``note``."""
    return change_recorded(actor=actor, obj=case, fields=AUDIT_FIELDS, note=note)


def _clean_note(value: Any, name: str = "note", *, required: bool = False) -> str:
    """The one text an action takes (a note, a reason), checked on its own."""
    errors = FieldErrors()
    if required:
        text = clean_required_text(value, name, NOTE_MAX_LENGTH, errors)
    else:
        text = clean_multiline(value, name, NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    return text


def _ancestors_and_self(org: Organization) -> list[Organization]:
    """``org`` and its ancestors, nearest first."""
    return _chains(org)[0]


def _chains(*orgs: Organization) -> list[list[Organization]]:
    """Each organization's ancestors and itself, nearest first, all read in one query (an
    intake needs the receiving and the routed organization's, and reads them once)."""
    steplen = Organization.steplen
    prefixes = [[org.path[:end] for end in range(len(org.path), 0, -steplen)] for org in orgs]
    found = {
        o.path: o
        for o in Organization.objects.filter(path__in={p for paths in prefixes for p in paths})
    }
    return [[found[p] for p in paths if p in found] for paths in prefixes]


def _parent(org: Organization) -> Organization | None:
    if org.depth <= 1:
        return None
    return Organization.objects.filter(path=org.parent_path).first()


def _rank(org: Organization) -> int:
    return _KIND_RANK.get(org.kind, 0)


def handling_organization(
    routed: Organization, level: str, *, ancestors: list[Organization] | None = None
) -> Organization:
    """The organization that handles a case routed to ``routed`` whose category is handled
    at ``level``: ``routed`` itself when it is at that level or above, otherwise its
    nearest ancestor at or above that level (a grassroots union hands a wage case up to
    its township; a township hands an injury case up to the county). ``ancestors`` is
    ``routed``'s chain (``_chains``) when the caller has read it already."""
    target = _LEVEL_RANK[level]
    for org in ancestors if ancestors is not None else _ancestors_and_self(routed):
        if _rank(org) >= target:
            return org
    return routed


def handlers_at(org: Organization) -> QuerySet[User]:
    """Users holding ``handle_case`` through an assignment at exactly ``org`` (those of
    higher levels hear about it only when it is escalated to them)."""
    return users_holding("cases.handle_case", at=org, include_ancestors=False)


def handlers_at_many(organizations: Iterable[Organization]) -> dict[int, list[User]]:
    """``handlers_at`` for many organizations in one query: each one's id → the users
    holding ``handle_case`` through an assignment at exactly it (the same rule)."""
    return users_holding_many("cases.handle_case", at=organizations, include_ancestors=False)


def _responsible(case: Case) -> list[User | None]:
    return [case.assignee, case.owner]


# -- numbering ---------------------------------------------------------------------------------


def number_prefix(
    organization: Organization, *, ancestors: list[Organization] | None = None
) -> str:
    """The case-number prefix of an organization: the pinyin initials of its county's
    short name (祁东县总工会 → "QD"), or "HG" when there is no county above it.
    ``ancestors`` is the organization's chain (``_chains``) when the caller has it."""
    chain = ancestors if ancestors is not None else _ancestors_and_self(organization)
    county = next((o for o in chain if o.kind == OrgKind.COUNTY), None)
    if county is None:
        return "HG"
    # A short name such as "县总工会" says nothing of the place: fall back to the full name.
    for name in (county.short_name, county.name):
        for suffix in ("总工会", "工会联合会", "工会"):
            name = name.removesuffix(suffix)
        if len(name) > 2 and name[-1] in "县区市旗":
            name = name[:-1]
        if len(name) >= 2:
            break
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()
    initials = "".join(ch for ch in initials if "A" <= ch <= "Z")[:6]
    return initials or "HG"


def derive_title(description: str, length: int = 30) -> str:
    """A title from the first line of a description (for intakes in a hurry)."""
    first = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return first[:length] + ("…" if len(first) > length else "")


def next_case_number(prefix: str, year: int) -> str:
    """Draw the next case number ``<prefix>-<year>-<6 digits>`` from the kernel's
    sequences (concurrent intakes never draw the same number)."""
    return formatted_number("case", key=prefix, year=year)


# -- input ---------------------------------------------------------------------------------------


def _amount(value: Any, name: str, errors: FieldErrors) -> Decimal | None:
    return clean_amount(value, name, errors, maximum=MAX_AMOUNT)


def _count(value: Any, name: str, errors: FieldErrors) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.add(name, _("请填写整数"))
        return None
    if isinstance(value, float) and value != number:
        errors.add(name, _("请填写整数"))
        return None
    if number < 0:
        errors.add(name, _("人数不能为负数"))
        return None
    if number > MAX_WORKERS:
        errors.add(name, _("人数过大,请核对"))
        return None
    return number


def _required_text(value: Any, name: str, max_length: int, errors: FieldErrors) -> str:
    return clean_required_text(value, name, max_length, errors)


def _instance(model, value: Any, name: str, errors: FieldErrors, message: str):
    """``value`` as an instance of ``model`` (an instance or a primary key)."""
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        errors.add(name, message)
        return None


def _in_scope(actor, path: str) -> bool:
    if actor is None:
        return True
    paths = scope_paths(actor)
    return paths is None or any(path.startswith(p) for p in paths)
