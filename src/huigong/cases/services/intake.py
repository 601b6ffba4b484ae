"""Taking cases in: duplicates, finding or registering the workers, routing, numbering."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change
from huigong.common.fields import FieldErrors, clean_choice, clean_credit_code, clean_line
from huigong.common.text import clean_code, clean_phone
from huigong.common.workdays import add_working_days
from huigong.orgs.models import Grid, Organization, OrgKind
from huigong.people.models import Person
from huigong.people.services import register_person

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
    ACCEPT_DAYS,
    DESCRIPTION_MAX_LENGTH,
    DUPLICATE_WINDOW_DAYS,
    GROUP_CASE_THRESHOLD,
    INTAKE,
    TITLE_MAX_LENGTH,
    WAGE_CATEGORY_CODE,
    _amount,
    _ancestors_and_self,
    _in_scope,
    _instance,
    _is_worker,
    _now,
    _require,
    _required_text,
    _root,
    _snapshot,
    handlers_at,
    handling_organization,
    next_case_number,
    notify,
    number_prefix,
)

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


def _person_from(actor, data: Any, organization: Organization, errors: FieldErrors, index: int):
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
    errors = FieldErrors()
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
    title = clean_line(title, "title", TITLE_MAX_LENGTH, errors, required=True)
    description = _required_text(description, "description", DESCRIPTION_MAX_LENGTH, errors)
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
    notify(handlers_at(handler_org), case, NotificationKind.AWAITING_ACCEPTANCE)
    return case
