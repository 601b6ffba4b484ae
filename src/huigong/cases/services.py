"""Use cases of worker demands and rights cases: intake, routing, handling, referral,
escalation, supervision, resolution, rating and closing.

Every function takes the acting user as keyword-only ``actor`` (``None`` is the system
itself: the deadline sweep, the demo, commands), runs in one transaction, checks the
actor's permission at the case's organization (``PermissionDenied``) and the case's state
and input (``ValidationError`` with Chinese messages; acting on a finished case has code
``invalid_state``), changes the rows, writes the timeline (``events``) and the change log
(``record_change``), and queues notifications for the daily digest. On any error nothing
is written. Views, the API, the portal, tasks and commands all call these.

Permissions (``Meta.permissions`` of ``Case``): ``cases.intake_case`` to take cases in,
``cases.handle_case`` to accept and work on them, ``cases.supervise_case`` to chase them
from a higher level. Workers act on the portal on their own cases only: submit, add
information and attachments, rate and withdraw.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from huigong.accounts.models import RoleAssignment, User
from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, snapshot
from huigong.common.text import clean_code, clean_phone
from huigong.common.workdays import add_working_days, working_days_between
from huigong.orgs.models import Grid, Organization, OrgKind
from huigong.orgs.scope import scope_paths, user_can_at
from huigong.people.models import Person
from huigong.people.services import clean_line, clean_multiline, register_person

from . import events
from .models import (
    ESCALATABLE_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseCategory,
    CaseKind,
    CaseNotification,
    CaseNumberSequence,
    CaseParty,
    CaseStatus,
    Channel,
    Complexity,
    Department,
    HandlingLevel,
    NotificationKind,
    Outcome,
    PartyRole,
    Referral,
    ReferralStatus,
    Satisfaction,
    Supervision,
    Urgency,
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

#: Attachments: at most 10 MB, of these types (extension → accepted content types, magic).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
ATTACHMENT_TYPES: dict[str, tuple[set[str], bytes]] = {
    "jpg": ({"image/jpeg", "image/pjpeg"}, b"\xff\xd8\xff"),
    "jpeg": ({"image/jpeg", "image/pjpeg"}, b"\xff\xd8\xff"),
    "png": ({"image/png"}, b"\x89PNG"),
    "pdf": ({"application/pdf"}, b"%PDF"),
    "docx": (
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        _ZIP,
    ),
    "xlsx": ({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, _ZIP),
}


# -- helpers -----------------------------------------------------------------------------------


class _Errors:
    """Collects field-keyed messages and raises them together (same interface as the
    people services' collector, so their ``clean_line`` helpers can be reused)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, *messages: str) -> None:
        self.by_field.setdefault(name, []).extend(str(m) for m in messages)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


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


def _snapshot(case: Case) -> dict[str, Any]:
    return snapshot(case, AUDIT_FIELDS)


def _log(actor, case: Case, before: dict[str, Any], note: str) -> None:
    record_change(
        actor=actor,
        obj=case,
        action=ChangeAction.UPDATE,
        before=before,
        after=_snapshot(case),
        note=note,
    )


def _ancestors_and_self(org: Organization) -> list[Organization]:
    """``org`` and its ancestors, nearest first."""
    steplen = Organization.steplen
    paths = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)]
    return sorted(Organization.objects.filter(path__in=paths), key=lambda o: -o.depth)


def _parent(org: Organization) -> Organization | None:
    if org.depth <= 1:
        return None
    return Organization.objects.filter(path=org.parent_path).first()


def _root(org: Organization) -> Organization:
    return Organization.objects.get(path=org.path[: Organization.steplen])


def handling_organization(routed: Organization, level: str) -> Organization:
    """The organization that handles a case routed to ``routed`` whose category is handled
    at ``level``: ``routed`` itself when it is at that level or above, otherwise its
    nearest ancestor at or above that level (a grassroots union hands a wage case up to
    its township; a township hands an injury case up to the county)."""
    target = _LEVEL_RANK[level]
    for org in _ancestors_and_self(routed):
        if _KIND_RANK.get(org.kind, 0) >= target:
            return org
    return routed


def _handlers_at(org: Organization) -> QuerySet[User]:
    """Users holding ``handle_case`` through an assignment at exactly ``org`` (those of
    higher levels hear about it only when it is escalated to them)."""
    user_ids = (
        RoleAssignment.objects.active()
        .filter(
            organization=org,
            role__permissions__content_type__app_label="cases",
            role__permissions__codename="handle_case",
        )
        .values("user_id")
    )
    return User.objects.filter(pk__in=user_ids, is_active=True)


def notify(users: Iterable[User | None], case: Case, kind: str) -> int:
    """Queue a notification for the daily digest of each (distinct, staff) user."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or getattr(user, "is_worker", False):
            continue
        seen.add(user.pk)
        rows.append(CaseNotification(user=user, case=case, kind=kind))
    CaseNotification.objects.bulk_create(rows)
    return len(rows)


def _responsible(case: Case) -> list[User | None]:
    return [case.assignee, case.owner]


# -- numbering ---------------------------------------------------------------------------------


def number_prefix(organization: Organization) -> str:
    """The case-number prefix of an organization: the pinyin initials of its county's
    short name (祁东县总工会 → "QD"), or "HG" when there is no county above it."""
    county = next((o for o in _ancestors_and_self(organization) if o.kind == OrgKind.COUNTY), None)
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


def next_case_number(prefix: str, year: int) -> str:
    """Draw the next number ``<prefix>-<year>-<6 digits>``. The sequence row is locked
    until the caller's transaction ends, so concurrent intakes are serialised on it and
    never draw the same number; the increment itself is an ``F()`` update."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{sequence.last:06d}"


# -- input ---------------------------------------------------------------------------------------


def _choice(value: Any, choices, name: str, errors: _Errors, message: str) -> str:
    value = "" if value is None else str(value).strip()
    if value not in choices.values:
        errors.add(name, message)
    return value


def _amount(value: Any, name: str, errors: _Errors) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add(name, _("请填写有效的金额"))
        return None
    if not amount.is_finite():
        errors.add(name, _("请填写有效的金额"))
        return None
    if amount < 0:
        errors.add(name, _("金额不能为负数"))
        return None
    if amount > MAX_AMOUNT:
        errors.add(name, _("金额过大,请核对"))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.add(name, _("金额最多保留两位小数"))
        return None
    return amount.quantize(Decimal("0.01"))


def _count(value: Any, name: str, errors: _Errors) -> int | None:
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


def _required_text(value: Any, name: str, max_length: int, errors: _Errors) -> str:
    text = clean_multiline(value, name, max_length, errors)
    if name not in errors and not text:
        errors.add(name, _("必填"))
    return text


def _instance(model, value: Any, name: str, errors: _Errors, message: str):
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


# -- duplicates --------------------------------------------------------------------------------


@dataclass
class DuplicateReport:
    """Cases a new one may duplicate: same person, or same employer and category, in the
    last ``DUPLICATE_WINDOW_DAYS`` days; and, when an employer already has several open
    wage cases, those cases as a proposed group case (集体欠薪)."""

    same_person: list[Case] = field(default_factory=list)
    same_employer: list[Case] = field(default_factory=list)
    group_case: list[Case] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return sorted({c.pk for c in [*self.same_person, *self.same_employer, *self.group_case]})

    def __bool__(self) -> bool:
        return bool(self.same_person or self.same_employer or self.group_case)


def _employer_q(employer, employer_name: str, credit_code: str) -> Q | None:
    conditions = []
    if employer is not None:
        conditions.append(Q(employer=employer))
    if credit_code:
        conditions.append(Q(employer_credit_code=credit_code))
    if employer_name:
        conditions.append(Q(employer_name=employer_name))
    if not conditions:
        return None
    q = conditions[0]
    for extra in conditions[1:]:
        q |= extra
    return q


def _category_and_descendants(code: str) -> QuerySet[CaseCategory]:
    root = CaseCategory.objects.filter(code=code).first()
    if root is None:
        return CaseCategory.objects.none()
    return CaseCategory.objects.filter(path__startswith=root.path)


def find_duplicates(
    *,
    actor,
    category: CaseCategory | None = None,
    persons: Sequence[Person] = (),
    employer: Organization | None = None,
    employer_name: str = "",
    employer_credit_code: str = "",
    days: int = DUPLICATE_WINDOW_DAYS,
    now: datetime.datetime | None = None,
    exclude: Case | None = None,
) -> DuplicateReport:
    """Likely duplicates of a case being taken in, among the cases the actor may see."""
    since = _now(now) - datetime.timedelta(days=days)
    base = Case.objects.all() if actor is None else Case.objects.visible_to(actor)
    base = base.exclude(status__in=[CaseStatus.MERGED, CaseStatus.WITHDRAWN])
    if exclude is not None:
        base = base.exclude(pk=exclude.pk)
    report = DuplicateReport()
    person_ids = [p.pk for p in persons if p is not None and p.pk]
    if person_ids:
        report.same_person = list(
            base.filter(received_at__gte=since, parties__person_id__in=person_ids)
            .distinct()
            .order_by("-received_at")[:20]
        )
    employer_q = _employer_q(employer, employer_name, employer_credit_code)
    if employer_q is not None:
        if category is not None:
            report.same_employer = list(
                base.filter(employer_q, received_at__gte=since, category=category).order_by(
                    "-received_at"
                )[:20]
            )
        wage_open = list(
            base.filter(
                employer_q,
                status__in=OPEN_STATUSES,
                category__in=_category_and_descendants(WAGE_CATEGORY_CODE),
            ).order_by("received_at")[:50]
        )
        if len(wage_open) >= GROUP_CASE_THRESHOLD:
            report.group_case = wage_open
    return report


# -- intake ------------------------------------------------------------------------------------


def _person_from(actor, data: Any, organization: Organization, errors: _Errors, index: int):
    """A party: a ``Person`` the actor may see, or ``{"name", "id_number", "phone"}``
    looked up by ID number, then phone, and registered when new (ID number required)."""
    name = f"applicants.{index}"
    if isinstance(data, Person):
        if actor is not None and not Person.objects.visible_to(actor).filter(pk=data.pk).exists():
            errors.add(name, _("所选职工不在您的管辖范围内"))
            return None
        return data
    if not isinstance(data, dict):
        errors.add(name, _("请填写职工信息"))
        return None
    id_number = clean_code(str(data.get("id_number") or ""))[:40]
    phone = clean_phone(str(data.get("phone") or ""))[:40]
    person = None
    if id_number:
        person = Person.objects.with_id_number(id_number).first()
    if person is None and phone:
        visible = Person.objects.all() if actor is None else Person.objects.visible_to(actor)
        person = visible.with_phone(phone).first()
    if person is not None:
        return person
    if not id_number:
        errors.add(name, _("未找到该职工,请填写身份证号码以便登记"))
        return None
    try:
        with transaction.atomic():
            result = register_person(
                actor=actor,
                organization=organization,
                name=str(data.get("name") or ""),
                id_number=id_number,
                phone=phone,
            )
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            errors.add(f"{name}.{field_name}", *messages)
        return None
    except PermissionDenied:
        errors.add(name, _("您没有登记新职工的权限,请联系工会工作人员"))
        return None
    return result.person


def _worker_township(actor) -> Organization | None:
    """The township (or the nearest federation above) of a worker's registered union."""
    if actor.person_id is None:
        return None
    org = actor.person.organization
    for ancestor in _ancestors_and_self(org):
        if ancestor.kind in (OrgKind.TOWNSHIP, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE):
            return ancestor
    return org


@transaction.atomic
def submit_case(
    *,
    actor,
    kind: str,
    category: CaseCategory | int | None,
    title: str,
    description: str,
    organization: Organization | None = None,
    channel: str | None = None,
    complexity: str = Complexity.ORDINARY,
    urgency: str = Urgency.NORMAL,
    applicants: Sequence[Person | dict] = (),
    grid: Grid | int | None = None,
    employer: Organization | int | None = None,
    employer_name: str = "",
    employer_credit_code: str = "",
    amount_claimed: Any = None,
    address: str = "",
    received_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Take in a case: staff at a station, on the hotline or in the field (``organization``
    is where it is received; ``cases.intake_case`` needed there), or a worker on the
    portal / API (received by their township, the worker is the applicant).

    Routing: to the grid's organization, else the employer's union, else the receiving
    organization; then up to the level that handles the category (``handling_level``).
    The receiver owns the case until it is accepted (首问负责); acceptance is due within
    one working day, handling within the category's working days for the complexity.
    ``received_at`` records a call or letter taken earlier (at most a year back); ``now``
    is the current time (tests and the demo pass it).
    """
    errors = _Errors()
    now = _now(now)
    worker = _is_worker(actor)
    if worker:
        organization = _worker_township(actor)
        if organization is None:
            raise ValidationError(
                {"applicants": [_("您的账号还没有关联职工档案,请先完善个人信息或联系所在工会")]}
            )
        channel = channel if channel in (Channel.PORTAL, Channel.API) else Channel.PORTAL
        applicants = [actor.person]
        received_at = None
    else:
        if organization is None:
            raise ValidationError({"organization": [_("请选择受理组织")]})
        _require(actor, INTAKE, organization, _("您没有在该组织登记诉求的权限"))
        channel = _choice(channel, Channel, "channel", errors, _("请选择有效的来源渠道"))

    kind = _choice(kind, CaseKind, "kind", errors, _("请选择有效的诉求类型"))
    complexity = _choice(
        complexity or Complexity.ORDINARY,
        Complexity,
        "complexity",
        errors,
        _("请选择有效的复杂程度"),
    )
    urgency = _choice(
        urgency or Urgency.NORMAL, Urgency, "urgency", errors, _("请选择有效的紧急程度")
    )
    category = _instance(CaseCategory, category, "category", errors, _("请选择有效的诉求类别"))
    if category is None and "category" not in errors:
        errors.add("category", _("请选择诉求类别"))
    elif category is not None and not category.is_active:
        errors.add("category", _("该诉求类别已停用,请选择其他类别"))
    title = clean_line(title, "title", TITLE_MAX_LENGTH, errors, required=True)
    description = _required_text(description, "description", DESCRIPTION_MAX_LENGTH, errors)
    address = clean_line(address, "address", 200, errors)
    amount_claimed = _amount(amount_claimed, "amount_claimed", errors)

    grid = _instance(Grid, grid, "grid", errors, _("请选择有效的网格"))
    if grid is not None and not worker and not _in_scope(actor, grid.organization.path):
        errors.add("grid", _("所选网格不在您的管辖范围内"))
    employer = _instance(Organization, employer, "employer", errors, _("请选择有效的用人单位"))
    employer_name = clean_line(employer_name, "employer_name", 200, errors)
    credit_code = clean_code(str(employer_credit_code or ""))[:72]
    if employer is not None:
        employer_name = employer_name or employer.name
        credit_code = credit_code or employer.credit_code
    elif credit_code:
        try:
            credit_code = uscc.validate(credit_code)
        except stdnum_errors.InvalidLength:
            errors.add("employer_credit_code", _("统一社会信用代码应为 18 位"))
        except stdnum_errors.ValidationError:
            errors.add("employer_credit_code", _("统一社会信用代码校验不通过,请核对"))

    if received_at is not None:
        if received_at > now:
            errors.add("received_at", _("登记时间不能晚于现在"))
        elif received_at < now - datetime.timedelta(days=366):
            errors.add("received_at", _("登记时间不能早于一年前"))
    received_at = received_at or now

    if len(applicants) > 500:
        errors.add("applicants", _("一次最多登记 500 名职工"))
        applicants = ()
    # Stop before registering anybody when the case itself is already invalid.
    errors.raise_if_any()
    persons: list[Person] = []
    for index, data in enumerate(applicants):
        if worker:
            persons = [actor.person]
            break
        person = _person_from(actor, data, organization, errors, index)
        if person is not None and person not in persons:
            persons.append(person)
    if not persons and kind in (CaseKind.DEMAND, CaseKind.HELP, CaseKind.RIGHTS):
        if "applicants" not in errors and not any(
            k.startswith("applicants") for k in errors.by_field
        ):
            errors.add("applicants", _("请至少登记一名申请人"))
    errors.raise_if_any()

    # Routing.
    if grid is not None:
        routed, reason = grid.organization, _("按网格“%(grid)s”分派") % {"grid": grid.name}
    elif employer is not None:
        routed, reason = employer, _("按用人单位“%(org)s”分派") % {"org": employer.name}
    else:
        routed, reason = organization, _("由受理组织办理")
    handler_org = handling_organization(routed, category.handling_level)
    if handler_org != routed:
        reason = _("%(reason)s;该类诉求由%(level)s办理,转至“%(org)s”") % {
            "reason": reason,
            "level": category.get_handling_level_display(),
            "org": handler_org.name,
        }

    day = timezone.localdate(received_at)
    duplicates = find_duplicates(
        actor=None if worker else actor,
        category=category,
        persons=persons,
        employer=employer,
        employer_name=employer_name,
        employer_credit_code=credit_code,
        now=now,
    )
    case = Case(
        province=_root(handler_org),
        organization=handler_org,
        number=next_case_number(number_prefix(organization), day.year),
        kind=kind,
        category=category,
        complexity=complexity,
        channel=channel,
        title=title,
        description=description,
        address=address,
        grid=grid,
        employer=employer,
        employer_name=employer_name,
        employer_credit_code=credit_code,
        amount_claimed=amount_claimed,
        urgency=urgency,
        received_at=received_at,
        received_by=actor,
        owner=None if worker else actor,
        accept_due=add_working_days(day, ACCEPT_DAYS),
        due_date=add_working_days(day, category.days_for(complexity)),
    )
    case.save()
    CaseParty.objects.bulk_create(
        [
            CaseParty(
                case=case,
                person=person,
                role=PartyRole.APPLICANT if i == 0 else PartyRole.CO_APPLICANT,
            )
            for i, person in enumerate(persons)
        ]
    )
    events.case_received_event(case=case, actor=actor, duplicates=duplicates.ids, time=received_at)
    if handler_org != organization:
        events.case_routed_event(
            case=case, actor=actor, receiving_org=organization, reason=reason, time=received_at
        )
    record_change(
        actor=actor,
        obj=case,
        action=ChangeAction.CREATE,
        after={**_snapshot(case), "number": case.number, "parties": [p.pk for p in persons]},
    )
    notify(_handlers_at(handler_org), case, NotificationKind.AWAITING_ACCEPTANCE)
    return case


# -- handling -----------------------------------------------------------------------------------


def _check_assignee(assignee, case: Case) -> User:
    if assignee is None:
        raise ValidationError({"assignee": [_("请选择承办人")]})
    if not isinstance(assignee, User):
        try:
            assignee = User.objects.get(pk=assignee)
        except (User.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"assignee": [_("请选择有效的承办人")]})
    if (
        not assignee.is_active
        or assignee.is_worker
        or not user_can_at(assignee, HANDLE, case.organization.path)
    ):
        raise ValidationError(
            {
                "assignee": [
                    _("“%(user)s”在“%(org)s”没有办理诉求的权限")
                    % {
                        "user": assignee,
                        "org": case.organization.name,
                    }
                ]
            }
        )
    return assignee


@transaction.atomic
def accept_case(
    *, actor, case: Case, assignee: User | None = None, now: datetime.datetime | None = None
) -> Case:
    """Accept a case awaiting acceptance at the actor's organization: the acceptor becomes
    the owner (first-contact ownership ends) and the handler unless ``assignee`` is
    given. ``now`` is for back-entering and tests; it defaults to the current time."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有受理该诉求的权限"))
    _require_status(case, [CaseStatus.NEW], _("受理"))
    assignee = _check_assignee(assignee or actor, case) if actor or assignee else None
    now = _now(now)
    before = _snapshot(case)
    from_status = case.status
    case.accept()
    case.owner = actor if actor is not None else assignee
    case.assignee = assignee
    case.accepted_at = now
    case.accepted_on_time = timezone.localdate(now) <= case.accept_due
    case.save()
    events.case_accepted_event(case=case, actor=actor, from_status=from_status, time=now)
    _log(actor, case, before, _("受理"))
    return case


@transaction.atomic
def reassign_case(*, actor, case: Case, assignee: User, note: str = "") -> Case:
    """Hand an accepted case to another handler at the same organization; the new handler
    becomes responsible for it."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有改派该诉求的权限"))
    _require_status(case, [CaseStatus.ACCEPTED, CaseStatus.REFERRED], _("改派"))
    errors = _Errors()
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    assignee = _check_assignee(assignee, case)
    if assignee == case.assignee:
        raise ValidationError({"assignee": [_("该诉求已由“%(user)s”承办") % {"user": assignee}]})
    before = _snapshot(case)
    previous = case.assignee
    case.assignee = assignee
    case.owner = assignee
    case.save(update_fields=["assignee", "owner", "updated_at"])
    events.case_reassigned_event(case=case, actor=actor, previous_assignee=previous, note=note)
    _log(actor, case, before, _("改派"))
    notify([assignee], case, NotificationKind.AWAITING_ACCEPTANCE)
    return case


@transaction.atomic
def add_note(*, actor, case: Case, note: str):
    """Add a note to the timeline (a handler's working note, or more information from the
    worker on the portal)."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有为该诉求添加记录的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("添加记录"))
    errors = _Errors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    return events.note_added_event(case=case, actor=actor, note=note)


CONTACT_METHODS = {
    "phone": gettext_lazy("电话"),
    "visit": gettext_lazy("走访"),
    "meeting": gettext_lazy("面谈"),
    "message": gettext_lazy("短信/微信"),
}


@transaction.atomic
def log_contact(*, actor, case: Case, note: str, method: str = "phone", contact: str = ""):
    """Record a contact with the worker, the employer or a department (call, visit…)."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有为该诉求添加记录的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("添加联系记录"))
    errors = _Errors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    contact = clean_line(contact, "contact", 100, errors)
    if method not in CONTACT_METHODS:
        errors.add("method", _("请选择有效的联系方式"))
    errors.raise_if_any()
    return events.contact_logged_event(
        case=case, actor=actor, note=note, method=method, contact=contact
    )


def usable_departments(case: Case, actor=None) -> QuerySet[Department]:
    """Departments the case may be referred to: active ones registered at the case's
    organization or above it (form choices use this too)."""
    return Department.objects.active().usable_at(case.organization)


@transaction.atomic
def refer_case(
    *,
    actor,
    case: Case,
    department: Department | int,
    note: str,
    now: datetime.datetime | None = None,
) -> Referral:
    """Refer (转办) an accepted case to a partner department, with the department's
    response deadline in working days; the case waits for the reply."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有转办该诉求的权限"))
    _require_status(case, [CaseStatus.ACCEPTED], _("转办"))
    errors = _Errors()
    note = _required_text(note, "note", NOTE_MAX_LENGTH, errors)
    dept_pk = department.pk if isinstance(department, Department) else department
    try:
        department = usable_departments(case, actor).get(pk=dept_pk)
    except (Department.DoesNotExist, ValueError, TypeError, ValidationError):
        errors.add("department", _("请选择本级或上级登记的有效协作部门"))
    errors.raise_if_any()
    now = _now(now)
    before = _snapshot(case)
    from_status = case.status
    referral = Referral.objects.create(
        case=case,
        department=department,
        note=note,
        sent_by=actor,
        sent_at=now,
        due_date=add_working_days(timezone.localdate(now), department.response_days),
    )
    case.refer()
    case.save(update_fields=["status", "updated_at"])
    events.case_referred_event(
        case=case, actor=actor, referral=referral, from_status=from_status, time=now
    )
    record_change(actor=actor, obj=referral, action=ChangeAction.CREATE)
    _log(actor, case, before, _("转办至%(dept)s") % {"dept": department.name})
    return referral


@transaction.atomic
def record_department_reply(
    *,
    actor,
    referral: Referral | int,
    reply_text: str,
    replied_by: str = "",
    now: datetime.datetime | None = None,
) -> Referral:
    """Record a department's reply to a referral; when no other referral is waiting the
    case goes back to its handler (办理中)."""
    pk = referral.pk if isinstance(referral, Referral) else referral
    try:
        referral = Referral.objects.select_for_update().get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"referral": [_("转办记录不存在")]}, code="not_found")
    case = _lock(referral.case)
    _require(actor, HANDLE, case.organization, _("您没有登记该转办答复的权限"))
    _require_status(case, [CaseStatus.REFERRED], _("登记部门答复"))
    if referral.status == ReferralStatus.REPLIED:
        raise ValidationError(_("该转办已登记过答复"), code="invalid_state")
    errors = _Errors()
    reply_text = _required_text(reply_text, "reply_text", RESULT_MAX_LENGTH, errors)
    replied_by = clean_line(replied_by, "replied_by", 100, errors)
    errors.raise_if_any()
    before_referral = snapshot(referral, ["status", "reply_text", "replied_by"])
    referral.reply_text = reply_text
    referral.replied_by = replied_by
    referral.replied_at = _now(now)
    referral.status = ReferralStatus.REPLIED
    referral.save(update_fields=["reply_text", "replied_by", "replied_at", "status"])
    record_change(
        actor=actor,
        obj=referral,
        action=ChangeAction.UPDATE,
        before=before_referral,
        after=snapshot(referral, ["status", "reply_text", "replied_by"]),
    )
    before = _snapshot(case)
    from_status = case.status
    still_waiting = (
        case.referrals.exclude(pk=referral.pk).exclude(status=ReferralStatus.REPLIED).exists()
    )
    if not still_waiting:
        case.department_replied()
        case.save(update_fields=["status", "updated_at"])
        _log(actor, case, before, _("部门已答复"))
    events.department_replied_event(
        case=case,
        actor=actor,
        referral=referral,
        from_status=from_status,
        time=referral.replied_at,
    )
    return referral


def _escalate(
    case: Case, *, actor, reason: str, automatic: bool, now: datetime.datetime | None = None
) -> Case:
    """Move a locked case to the parent organization, awaiting acceptance there with
    fresh deadlines (the parent gets the category's time again, counted from today)."""
    parent = _parent(case.organization)
    if parent is None:
        raise ValidationError(_("该诉求已在最高一级组织,无法继续上报"), code="no_parent")
    now = _now(now)
    day = timezone.localdate(now)
    before = _snapshot(case)
    from_status, from_org = case.status, case.organization
    case.escalate()
    case.organization = parent
    case.assignee = None
    case.accepted_at = None
    case.accept_due = add_working_days(day, ACCEPT_DAYS)
    case.due_date = add_working_days(day, case.category.days_for(case.complexity))
    case.is_overdue = False
    case.due_soon = False
    case.escalation_count = F("escalation_count") + 1
    case.save()
    case.refresh_from_db(fields=["escalation_count"])
    events.case_escalated_event(
        case=case,
        actor=actor,
        from_status=from_status,
        from_org=from_org,
        reason=reason,
        automatic=automatic,
        time=now,
    )
    _log(
        actor,
        case,
        before,
        _("%(how)s上报至“%(org)s”")
        % {"how": _("逾期自动") if automatic else "", "org": parent.name},
    )
    notify([*_handlers_at(parent), case.owner], case, NotificationKind.ESCALATED)
    return case


@transaction.atomic
def escalate_case(*, actor, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """Escalate (上报) a case to the parent organization, with a reason; it awaits
    acceptance there. The deadline sweep escalates overdue cases automatically."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有上报该诉求的权限"))
    _require_status(case, [CaseStatus.NEW, CaseStatus.ACCEPTED], _("上报"))
    errors = _Errors()
    reason = _required_text(reason, "reason", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    return _escalate(case, actor=actor, reason=reason, automatic=False, now=now)


def supervising_organization(actor, case: Case) -> Organization | None:
    """The nearest organization above the case's where ``actor`` may supervise."""
    for org in _ancestors_and_self(case.organization)[1:]:
        if actor is None or user_can_at(actor, SUPERVISE, org.path):
            return org
    return None


@transaction.atomic
def supervise_case(
    *,
    actor,
    case: Case,
    comment: str,
    days: int = SUPERVISION_DAYS,
    now: datetime.datetime | None = None,
) -> Supervision:
    """Supervise (督办) an open case from a higher level: the handler must answer the
    comment within ``days`` working days (``answer_supervision``)."""
    case = _lock(case)
    if _is_worker(actor):
        raise PermissionDenied(_("您没有督办该诉求的权限"))
    organization = supervising_organization(actor, case)
    if organization is None:
        raise PermissionDenied(_("只有上级组织可以督办该诉求"))
    _require_status(case, OPEN_STATUSES, _("督办"))
    errors = _Errors()
    comment = _required_text(comment, "comment", NOTE_MAX_LENGTH, errors)
    if not isinstance(days, int) or not 1 <= days <= 30:
        errors.add("days", _("回复期限应为 1 到 30 个工作日"))
    errors.raise_if_any()
    now = _now(now)
    before = _snapshot(case)
    supervision = Supervision.objects.create(
        case=case,
        organization=organization,
        supervised_by=actor,
        created_at=now,
        comment=comment,
        due_date=add_working_days(timezone.localdate(now), days),
    )
    case.supervised = True
    case.save(update_fields=["supervised", "updated_at"])
    events.case_supervised_event(case=case, actor=actor, supervision=supervision, time=now)
    record_change(actor=actor, obj=supervision, action=ChangeAction.CREATE)
    _log(actor, case, before, _("督办"))
    notify(_responsible(case) or _handlers_at(case.organization), case, NotificationKind.SUPERVISED)
    return supervision


@transaction.atomic
def answer_supervision(
    *, actor, supervision: Supervision | int, response: str, now: datetime.datetime | None = None
) -> Supervision:
    """The handler's answer to a supervision; the case stays "supervised" while another
    supervision is unanswered."""
    pk = supervision.pk if isinstance(supervision, Supervision) else supervision
    try:
        supervision = Supervision.objects.select_for_update().get(pk=pk)
    except (Supervision.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"supervision": [_("督办记录不存在")]}, code="not_found")
    case = _lock(supervision.case)
    _require(actor, HANDLE, case.organization, _("您没有回复该督办的权限"))
    if case.status in FINAL_STATUSES:
        _require_status(case, [], _("回复督办"))
    if supervision.responded_at is not None:
        raise ValidationError(_("该督办已回复"), code="invalid_state")
    errors = _Errors()
    response = _required_text(response, "response", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    supervision.response = response
    supervision.responded_at = _now(now)
    supervision.responded_by = actor
    supervision.save(update_fields=["response", "responded_at", "responded_by"])
    record_change(
        actor=actor,
        obj=supervision,
        action=ChangeAction.UPDATE,
        before={"response": ""},
        after={"response": response},
    )
    before = _snapshot(case)
    if not case.supervisions.filter(responded_at__isnull=True).exists():
        case.supervised = False
        case.save(update_fields=["supervised", "updated_at"])
        _log(actor, case, before, _("督办已回复"))
    events.supervision_answered_event(
        case=case, actor=actor, supervision=supervision, time=supervision.responded_at
    )
    return supervision


@transaction.atomic
def resolve_case(
    *,
    actor,
    case: Case,
    outcome: str,
    result_text: str,
    amount_recovered: Any = None,
    workers_benefited: Any = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Resolve (办结) a case in hand with its outcome, what was done, the amount recovered
    (not more than the amount claimed) and the workers who benefited (default: the
    parties)."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有办结该诉求的权限"))
    _require_status(case, [CaseStatus.ACCEPTED], _("办结"))
    errors = _Errors()
    outcome = _choice(outcome, Outcome, "outcome", errors, _("请选择办理结果"))
    result_text = _required_text(result_text, "result_text", RESULT_MAX_LENGTH, errors)
    amount = _amount(amount_recovered, "amount_recovered", errors)
    if amount is not None and case.amount_claimed is not None and amount > case.amount_claimed:
        errors.add(
            "amount_recovered",
            _("追回金额(%(amount)s 元)不能超过涉及金额(%(claimed)s 元)")
            % {"amount": amount, "claimed": case.amount_claimed},
        )
    workers = _count(workers_benefited, "workers_benefited", errors)
    errors.raise_if_any()
    if workers is None:
        workers = case.parties.count()
    now = _now(now)
    day = timezone.localdate(now)
    before = _snapshot(case)
    from_status = case.status
    case.resolve()
    case.outcome = outcome
    case.result_text = result_text
    case.amount_recovered = amount
    case.workers_benefited = workers
    case.resolved_at = now
    # On time: never marked overdue by the sweep and resolved by the deadline.
    case.resolved_on_time = case.overdue_marked_at is None and day <= case.due_date
    case.working_days_to_resolve = max(
        working_days_between(timezone.localdate(case.received_at), day), 0
    )
    case.is_overdue = False
    case.due_soon = False
    case.save()
    events.case_resolved_event(case=case, actor=actor, from_status=from_status, time=now)
    _log(actor, case, before, _("办结"))
    return case


@transaction.atomic
def rate_case(
    *,
    actor,
    case: Case,
    satisfaction: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Record the worker's satisfaction with a resolved case: by the worker on the portal,
    or by staff after a follow-up call. "Unsatisfied" reopens the case to the same handler
    once; a second "unsatisfied" escalates it to the parent organization."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有评价该诉求的权限"))
    _require_status(case, [CaseStatus.RESOLVED], _("评价"))
    if case.rated_at is not None and case.resolved_at and case.rated_at >= case.resolved_at:
        raise ValidationError(_("该诉求已评价过"), code="invalid_state")
    errors = _Errors()
    satisfaction = _choice(
        satisfaction, Satisfaction, "satisfaction", errors, _("请选择满意、基本满意或不满意")
    )
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    now = _now(now)
    before = _snapshot(case)
    case.satisfaction = satisfaction
    case.rated_at = now
    case.save(update_fields=["satisfaction", "rated_at", "updated_at"])
    events.case_rated_event(case=case, actor=actor, note=note, time=now)
    _log(actor, case, before, _("满意度评价"))
    if satisfaction != Satisfaction.UNSATISFIED:
        return case
    if case.reopen_count == 0:
        before = _snapshot(case)
        from_status = case.status
        case.reopen()
        case.reopen_count = F("reopen_count") + 1
        day = timezone.localdate(now)
        case.due_date = add_working_days(day, case.category.days_for(case.complexity))
        case.resolved_at = None
        case.resolved_on_time = None
        case.save()
        case.refresh_from_db(fields=["reopen_count"])
        reason = _("职工评价不满意,退回原承办人重新办理")
        events.case_reopened_event(
            case=case, actor=actor, from_status=from_status, reason=reason, time=now
        )
        _log(actor, case, before, reason)
        notify(_responsible(case), case, NotificationKind.REOPENED)
        return case
    if _parent(case.organization) is None:
        # Nobody above: the rating stands and the case waits for closing.
        return case
    return _escalate(
        case,
        actor=actor,
        reason=_("重新办理后职工仍不满意,上报上级工会"),
        automatic=True,
        now=now,
    )


@transaction.atomic
def close_case(*, actor, case: Case, note: str = "", now: datetime.datetime | None = None) -> Case:
    """Close (归档) a resolved case."""
    case = _lock(case)
    _require(actor, HANDLE, case.organization, _("您没有归档该诉求的权限"))
    _require_status(case, [CaseStatus.RESOLVED], _("归档"))
    errors = _Errors()
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    before = _snapshot(case)
    from_status = case.status
    case.close()
    case.closed_at = _now(now)
    case.save(update_fields=["status", "closed_at", "updated_at"])
    events.case_closed_event(
        case=case, actor=actor, from_status=from_status, note=note, time=case.closed_at
    )
    _log(actor, case, before, _("归档"))
    return case


@transaction.atomic
def merge_cases(*, actor, case: Case, into: Case, note: str = "") -> Case:
    """Merge a duplicate ``case`` into ``into``: its workers join ``into`` as
    co-applicants and it stops (已合并). The actor must handle both."""
    if case.pk == into.pk:
        raise ValidationError({"into": [_("不能把诉求合并到它自己")]})
    # Lock in id order so two merges of the same pair cannot deadlock.
    first, second = sorted([case, into], key=lambda c: c.pk)
    locked = {c.pk: _lock(c) for c in (first, second)}
    case, into = locked[case.pk], locked[into.pk]
    _require(actor, HANDLE, case.organization, _("您没有合并该诉求的权限"))
    _require(actor, HANDLE, into.organization, _("您没有办理目标诉求的权限"))
    _require_status(case, OPEN_STATUSES, _("合并"))
    if into.status not in OPEN_STATUSES:
        raise ValidationError(
            {"into": [_("目标诉求已办结或已结束,不能再并入其他诉求")]}, code="invalid_state"
        )
    errors = _Errors()
    note = clean_multiline(note, "note", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    existing = set(into.parties.values_list("person_id", flat=True))
    CaseParty.objects.bulk_create(
        [
            CaseParty(case=into, person_id=pid, role=PartyRole.CO_APPLICANT)
            for pid in case.parties.values_list("person_id", flat=True)
            if pid not in existing
        ]
    )
    before = _snapshot(case)
    from_status = case.status
    case.merge()
    case.merged_into = into
    case.save(update_fields=["status", "merged_into", "updated_at"])
    case.referrals.filter(status=ReferralStatus.WAITING).update(status=ReferralStatus.REPLIED)
    events.case_merged_event(case=case, actor=actor, from_status=from_status, into=into, note=note)
    events.case_absorbed_event(case=into, actor=actor, merged=case)
    _log(actor, case, before, _("合并到 %(number)s") % {"number": into.number})
    return case


@transaction.atomic
def withdraw_case(*, actor, case: Case, reason: str) -> Case:
    """Withdraw (撤回) an open case: by the worker whose case it is, or by a handler
    recording the worker's wish."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有撤回该诉求的权限"))
    _require_status(case, OPEN_STATUSES, _("撤回"))
    errors = _Errors()
    reason = _required_text(reason, "reason", NOTE_MAX_LENGTH, errors)
    errors.raise_if_any()
    before = _snapshot(case)
    from_status = case.status
    case.withdraw()
    case.save(update_fields=["status", "updated_at"])
    events.case_withdrawn_event(case=case, actor=actor, from_status=from_status, reason=reason)
    _log(actor, case, before, _("撤回"))
    return case


@transaction.atomic
def add_attachment(*, actor, case: Case, file) -> Attachment:
    """Attach a file (jpg, png, pdf, docx, xlsx; at most 10 MB) to a case; staff handling
    it or the worker whose case it is."""
    case = _lock(case)
    _require_handler_or_party(actor, case, _("您没有为该诉求上传附件的权限"))
    _require_status(case, [*OPEN_STATUSES, CaseStatus.RESOLVED], _("上传附件"))
    if file is None:
        raise ValidationError({"file": [_("请选择要上传的文件")]})
    name = str(getattr(file, "name", "") or "")[-200:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = getattr(file, "size", None) or 0
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError({"file": [_("只能上传 jpg、png、pdf、docx、xlsx 文件")]})
    if size <= 0:
        raise ValidationError({"file": [_("文件是空的,请重新选择")]})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("文件不能超过 10 MB")]})
    content_types, magic = ATTACHMENT_TYPES[extension]
    declared = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    if declared and declared not in content_types and declared != "application/octet-stream":
        raise ValidationError({"file": [_("文件类型与扩展名不符")]})
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(magic):
        raise ValidationError({"file": [_("文件内容与扩展名不符,请确认文件未损坏")]})
    attachment = Attachment(
        case=case,
        original_name=name,
        size=size,
        content_type=next(iter(sorted(content_types))),
        uploaded_by=actor,
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    # The file is written before the row; a transaction rolled back after this point
    # leaves an orphan file in MEDIA_ROOT (harmless, not referenced by any row).
    events.attachment_added_event(case=case, actor=actor, attachment=attachment)
    record_change(
        actor=actor,
        obj=attachment,
        action=ChangeAction.CREATE,
        after={"case": case.pk, "original_name": name, "size": size},
    )
    return attachment


# -- reference data -------------------------------------------------------------------------------

#: code → (name, handling level, ordinary/difficult/complex working days). Wage arrears
#: follow the "5 working days for an ordinary case" practice of the seed articles; injury
#: and safety cases need the county (appraisals, inspections); advice stays in the grid.
DEFAULT_CATEGORIES: list[tuple[str, str, str, tuple[int, int, int]]] = [
    ("wage_arrears", "欠薪", HandlingLevel.TOWNSHIP, (5, 10, 20)),
    ("labour_contract", "劳动合同", HandlingLevel.TOWNSHIP, (5, 10, 20)),
    ("social_insurance", "社会保险", HandlingLevel.TOWNSHIP, (5, 10, 20)),
    ("work_injury", "工伤", HandlingLevel.COUNTY, (10, 20, 30)),
    ("occupational_safety", "职业安全", HandlingLevel.COUNTY, (5, 10, 20)),
    ("employment", "求职就业", HandlingLevel.TOWNSHIP, (5, 10, 15)),
    ("skills_training", "技能培训", HandlingLevel.TOWNSHIP, (5, 10, 15)),
    ("hardship_help", "困难帮扶", HandlingLevel.TOWNSHIP, (5, 10, 15)),
    ("legal_advice", "法律咨询", HandlingLevel.GRASSROOTS, (2, 5, 10)),
    ("counselling", "心理疏导", HandlingLevel.GRASSROOTS, (3, 5, 10)),
    ("daily_services", "生活服务", HandlingLevel.GRASSROOTS, (3, 5, 10)),
    ("other", "其他", HandlingLevel.TOWNSHIP, (5, 10, 20)),
]


@transaction.atomic
def seed_categories() -> int:
    """Create the standard case categories that are missing (never changes existing ones,
    which administrators may have edited). Returns the number created."""
    existing = set(CaseCategory.objects.values_list("code", flat=True))
    created = 0
    for sort, (code, name, level, (ordinary, difficult, complex_)) in enumerate(
        DEFAULT_CATEGORIES, start=1
    ):
        if code in existing:
            continue
        CaseCategory.objects.add_root(
            instance=CaseCategory(
                code=code,
                name=name,
                handling_level=level,
                ordinary_days=ordinary,
                difficult_days=difficult,
                complex_days=complex_,
                sort=sort * 10,
            )
        )
        created += 1
    return created


__all__ = [
    "DuplicateReport",
    "ESCALATABLE_STATUSES",
    "accept_case",
    "add_attachment",
    "add_note",
    "answer_supervision",
    "close_case",
    "escalate_case",
    "find_duplicates",
    "handling_organization",
    "log_contact",
    "merge_cases",
    "next_case_number",
    "notify",
    "number_prefix",
    "rate_case",
    "seed_categories",
    "reassign_case",
    "record_department_reply",
    "refer_case",
    "resolve_case",
    "submit_case",
    "supervise_case",
    "usable_departments",
    "withdraw_case",
]
