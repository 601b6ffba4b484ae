"""Taking cases in: duplicates, finding or registering the workers, routing, numbering."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_credit_code,
    clean_line,
    clean_required_text,
)
from huigong.common.text import clean_code, clean_phone
from huigong.common.workdays import add_working_days
from huigong.orgs.models import Grid, Organization, OrgKind
from huigong.people.models import Person
from huigong.people.services import register_person
from huigong.people.validators import check_id_number, check_phone

from .. import events
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseKind,
    CaseParty,
    CaseStatus,
    Channel,
    Complexity,
    NotificationKind,
    PartyRole,
    Urgency,
)
from .base import (
    _KIND_RANK,
    ACCEPT_DAYS,
    DESCRIPTION_MAX_LENGTH,
    DUPLICATE_WINDOW_DAYS,
    GROUP_CASE_THRESHOLD,
    INTAKE,
    TITLE_MAX_LENGTH,
    WAGE_CATEGORY_CODE,
    _amount,
    _ancestors_and_self,
    _chains,
    _in_scope,
    _instance,
    _is_worker,
    _now,
    _rank,
    _require,
    _snapshot,
    handlers_at,
    handling_organization,
    next_case_number,
    notify,
    number_prefix,
)

# -- duplicates --------------------------------------------------------------------------------

#: The statuses a duplicate may have: all but merged and withdrawn. Named rather than
#: excluded so that the employer indexes (employer, status, received_at) serve the check.
DUPLICATE_STATUSES = tuple(
    s for s in CaseStatus.values if s not in (CaseStatus.MERGED, CaseStatus.WITHDRAWN)
)
#: How many cases each check reports at most.
_SAME_LIMIT = 20
_GROUP_LIMIT = 50


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


def duplicate_area(
    organization: Organization, *, ancestors: list[Organization] | None = None
) -> Organization:
    """The area a duplicate check covers for a case handled by ``organization``: its
    county (the nearest ancestor-or-self at county level or above: the county, or the
    city for a township under a city without counties, or the organization itself when it
    sits above county level). ``ancestors`` is its chain when the caller has it."""
    chain = ancestors if ancestors is not None else _ancestors_and_self(organization)
    return next((o for o in chain if _rank(o) >= _KIND_RANK[OrgKind.COUNTY]), organization)


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
    return reduce(or_, conditions)


def _wage_categories() -> QuerySet[CaseCategory]:
    """The wage-arrears category and its sub-categories, as a subquery (no query of its own)."""
    root_path = CaseCategory.objects.filter(code=WAGE_CATEGORY_CODE).values("path")[:1]
    return CaseCategory.objects.filter(path__startswith=Subquery(root_path)).values("pk")


def _limited(cases: QuerySet, ordering: tuple[str, ...], limit: int) -> QuerySet:
    """The ids of the first ``limit`` of ``cases`` in ``ordering``, as a subquery."""
    return cases.order_by(*ordering).values("pk")[:limit]


def _received(case: Case) -> tuple:
    return (case.received_at, case.pk)


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
    area: Organization | None = None,
    ids_only: bool = False,
) -> DuplicateReport:
    """Likely duplicates of a case being taken in, among the cases the actor may see
    (``None``: any) and within ``area``'s subtree: ``submit_case`` passes
    ``duplicate_area`` of the handling organization, so a worker's submission looks at
    the cases of one county, not of the whole province. Without ``area`` the actor's scope
    is the only bound. Cases since escalated above the area are not found.

    One query whatever is checked: each check (same person, same employer, open wage
    cases) is a subquery with its own order and limit, served by an index (the parties'
    ``person``; ``(employer_name | employer_credit_code, status, received_at)``;
    ``(employer, category)``), and their rows come back together, each labelled with its
    check. ``ids_only``: the cases carry only their id and time (all ``submit_case``
    records), which spares building up to 90 full rows."""
    since = _now(now) - datetime.timedelta(days=days)
    base = Case.objects.all() if actor is None else Case.objects.visible_to(actor)
    base = base.filter(status__in=DUPLICATE_STATUSES)
    if area is not None:
        base = base.filter(organization__path__startswith=area.path)
    if exclude is not None:
        base = base.exclude(pk=exclude.pk)
    newest_first, oldest_first = ("-received_at", "-id"), ("received_at", "id")
    checks: dict[str, QuerySet] = {}
    person_ids = [p.pk for p in persons if p is not None and p.pk]
    if person_ids:
        parties = CaseParty.objects.filter(person_id__in=person_ids).values("case_id")
        checks["same_person"] = _limited(
            base.filter(received_at__gte=since, pk__in=parties), newest_first, _SAME_LIMIT
        )
    employer_q = _employer_q(employer, employer_name, employer_credit_code)
    if employer_q is not None:
        if category is not None:
            checks["same_employer"] = _limited(
                base.filter(employer_q, received_at__gte=since, category=category),
                newest_first,
                _SAME_LIMIT,
            )
        checks["group_case"] = _limited(
            base.filter(employer_q, status__in=OPEN_STATUSES, category__in=_wage_categories()),
            oldest_first,
            _GROUP_LIMIT,
        )
    report = DuplicateReport()
    if not checks:
        return report
    # Each part is the check's limited ids, unordered, so SQLite accepts the union too.
    cases = Case.objects.only("pk", "received_at") if ids_only else Case.objects.all()
    parts = [
        cases.filter(pk__in=ids)
        .annotate(duplicate_check=Value(name, output_field=CharField()))
        .order_by()
        for name, ids in checks.items()
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: dict[str, list[Case]] = defaultdict(list)
    for case in rows:
        found[case.duplicate_check].append(case)
    report.same_person = sorted(found["same_person"], key=_received, reverse=True)
    report.same_employer = sorted(found["same_employer"], key=_received, reverse=True)
    wage_open = sorted(found["group_case"], key=_received)
    if len(wage_open) >= GROUP_CASE_THRESHOLD:
        report.group_case = wage_open
    return report


# -- intake ------------------------------------------------------------------------------------


def _visible_person_ids(actor, applicants: Sequence[Person | dict]) -> set[int]:
    """The ids of the applicants given as ``Person`` rows that the actor may see (one
    query, whatever their number)."""
    ids = [p.pk for p in applicants if isinstance(p, Person)]
    if actor is None or not ids:
        return set(ids)
    return set(Person.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def _person_from(
    actor,
    data: Any,
    organization: Organization,
    errors: FieldErrors,
    index: int,
    visible_ids: set[int],
):
    """A party: a ``Person`` the actor may see (its id in ``visible_ids``), or ``{"name",
    "id_number", "phone"}`` looked up by ID number, then phone, and registered when new
    (ID number required)."""
    name = f"applicants.{index}"
    if isinstance(data, Person):
        if data.pk not in visible_ids:
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
        # Atomic itself: a refused registration leaves nothing behind.
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


def _check_applicant_formats(applicants: Sequence[Person | dict], errors: FieldErrors) -> None:
    """The ID numbers and phones typed for new applicants, checked before anybody is
    looked up or registered so their errors come with the case's own."""
    for index, data in enumerate(applicants):
        if not isinstance(data, dict):
            continue
        for key, check in (("id_number", check_id_number), ("phone", check_phone)):
            value = str(data.get(key) or "")[:80]
            if not value.strip():
                continue
            try:
                check(value)
            except ValidationError as exc:
                errors.add_error(f"applicants.{index}.{key}", exc)


#: The kinds of organization that receive a worker's own submissions.
_RECEIVING_KINDS = (OrgKind.TOWNSHIP, OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE)


def _worker_intake(actor) -> tuple[Person, list[Organization]] | None:
    """A worker's person record and the chain (``_chains``) of the organization that
    receives their submissions: the township of their registered union, or the nearest
    federation above it (the union itself when there is none). Two queries."""
    if actor.person_id is None:
        return None
    person = Person.objects.select_related("organization").filter(pk=actor.person_id).first()
    if person is None:
        return None
    chain = _ancestors_and_self(person.organization)
    start = next((i for i, org in enumerate(chain) if org.kind in _RECEIVING_KINDS), 0)
    return person, chain[start:]


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

    The organization tree is read once (the receiving and the routed organization's
    ancestors), the duplicate check is one query bounded to the handling organization's
    county (``duplicate_area``), and the case comes back with ``party_list`` and
    ``event_list`` holding the rows just written (the lists ``policy.load_related`` and
    ``policy.case_timeline`` read), so showing the new case reads nothing back.
    """
    errors = FieldErrors()
    now = _now(now)
    worker = _is_worker(actor)
    receiving_chain: list[Organization] | None = None
    if worker:
        found = _worker_intake(actor)
        if found is None:
            raise ValidationError(
                {"applicants": [_("您的账号还没有关联职工档案,请先完善个人信息或联系所在工会")]}
            )
        worker_person, receiving_chain = found
        organization = receiving_chain[0]
        channel = channel if channel in (Channel.PORTAL, Channel.API) else Channel.PORTAL
        applicants = [worker_person]
        received_at = None
    else:
        if organization is None:
            raise ValidationError({"organization": [_("请选择受理组织")]})
        _require(actor, INTAKE, organization, _("您没有在该组织登记诉求的权限"))
        channel = clean_choice(channel, Channel, "channel", errors, _("请选择有效的来源渠道"))

    kind = clean_choice(kind, CaseKind, "kind", errors, _("请选择有效的诉求类型"))
    complexity = clean_choice(
        complexity or Complexity.ORDINARY,
        Complexity,
        "complexity",
        errors,
        _("请选择有效的复杂程度"),
    )
    urgency = clean_choice(
        urgency or Urgency.NORMAL, Urgency, "urgency", errors, _("请选择有效的紧急程度")
    )
    category = _instance(CaseCategory, category, "category", errors, _("请选择有效的诉求类别"))
    if category is None and "category" not in errors:
        errors.add("category", _("请选择诉求类别"))
    elif category is not None and not category.is_active:
        errors.add("category", _("该诉求类别已停用,请选择其他类别"))
    description = clean_required_text(
        description, "description", DESCRIPTION_MAX_LENGTH, errors, label=_("诉求内容")
    )
    # A title left empty comes from the description: no second message for one gap.
    title = clean_line(
        title,
        "title",
        TITLE_MAX_LENGTH,
        errors,
        required="description" not in errors,
        label=_("标题"),
    )
    address = clean_line(address, "address", 200, errors)
    amount_claimed = _amount(amount_claimed, "amount_claimed", errors)

    grid = _instance(Grid, grid, "grid", errors, _("请选择有效的网格"))
    if grid is not None and not worker and not _in_scope(actor, grid.organization.path):
        errors.add("grid", _("所选网格不在您的管辖范围内"))
    employer = _instance(Organization, employer, "employer", errors, _("请选择有效的用人单位"))
    employer_name = clean_line(employer_name, "employer_name", 200, errors)
    if employer is not None:
        employer_name = employer_name or employer.name
        credit_code = clean_code(str(employer_credit_code or ""))[:72] or employer.credit_code
    else:
        credit_code = clean_credit_code(employer_credit_code, "employer_credit_code", errors)

    if received_at is not None:
        if received_at > now:
            errors.add("received_at", _("登记时间不能晚于现在"))
        elif received_at < now - datetime.timedelta(days=366):
            errors.add("received_at", _("登记时间不能早于一年前"))
    received_at = received_at or now

    if len(applicants) > 500:
        errors.add("applicants", _("一次最多登记 500 名职工"))
        applicants = ()
    if not worker:
        _check_applicant_formats(applicants, errors)
    # Stop before registering anybody when the case itself is already invalid; the
    # applicants' ID numbers and phones are reported with it (one round of errors).
    errors.raise_if_any()
    persons: list[Person] = []
    if worker:
        persons = [worker_person]
    else:
        visible_ids = _visible_person_ids(actor, applicants)
        for index, data in enumerate(applicants):
            person = _person_from(actor, data, organization, errors, index, visible_ids)
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
    # The tree above the receiving and the routed organization, read once.
    if routed.pk == organization.pk:
        receiving_chain = routed_chain = receiving_chain or _ancestors_and_self(organization)
    elif receiving_chain is not None:
        routed_chain = _ancestors_and_self(routed)
    else:
        receiving_chain, routed_chain = _chains(organization, routed)
    handler_org = handling_organization(routed, category.handling_level, ancestors=routed_chain)
    handler_chain = next(
        (routed_chain[i:] for i, org in enumerate(routed_chain) if org.pk == handler_org.pk),
        routed_chain,
    )
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
        area=duplicate_area(handler_org, ancestors=handler_chain),
        ids_only=True,
    )
    case = Case(
        province=handler_chain[-1],
        organization=handler_org,
        number=next_case_number(number_prefix(organization, ancestors=receiving_chain), day.year),
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
    case.party_list = CaseParty.objects.bulk_create(
        [
            CaseParty(
                case=case,
                person=person,
                role=PartyRole.APPLICANT if i == 0 else PartyRole.CO_APPLICANT,
            )
            for i, person in enumerate(persons)
        ]
    )
    case.event_list = [
        events.case_received_event(
            case=case, actor=actor, duplicates=duplicates.ids, time=received_at
        )
    ]
    if handler_org != organization:
        case.event_list.append(
            events.case_routed_event(
                case=case, actor=actor, receiving_org=organization, reason=reason, time=received_at
            )
        )
    record_change(
        actor=actor,
        obj=case,
        action=ChangeAction.CREATE,
        after={**_snapshot(case), "number": case.number, "parties": [p.pk for p in persons]},
    )
    notify(handlers_at(handler_org), case, NotificationKind.AWAITING_ACCEPTANCE)
    return case
