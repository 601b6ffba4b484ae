"""The enterprises a campaign inspects, what it finds there, and the case opened from a
finding that needs handling (channel 执法检查发现, routed like any case)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import change_recorded, record_change, record_created
from huigong.cases.models import Case, CaseCategory, CaseKind, Channel
from huigong.cases.services import TITLE_MAX_LENGTH, submit_case
from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_credit_code,
    clean_line,
    clean_multiline,
    clean_required_text,
)
from huigong.orgs.models import Organization
from huigong.people.models import Person

from .. import events
from ..models import (
    ACTIVE_INSPECTION_STATUSES,
    FindingKind,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
)
from .base import (
    DESCRIPTION_MAX_LENGTH,
    FOLLOW_UP_STATUSES,
    NAME_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    _amount,
    _date,
    _figure,
    _lock_to_act,
)

#: The case category a finding's case is filed under when the caller does not choose one.
FINDING_CATEGORY = {
    FindingKind.NO_CONTRACT: "labour_contract",
    FindingKind.SOCIAL_INSURANCE: "social_insurance",
    FindingKind.WAGE_ARREARS: "wage_arrears",
    FindingKind.OVERTIME: "labour_contract",
    FindingKind.SAFETY: "occupational_safety",
    FindingKind.OTHER: "other",
}

TARGET_AUDIT_FIELDS = (
    "organization",
    "name",
    "credit_code",
    "visited_on",
    "workers_employed",
    "result_summary",
)


def target_organizations(inspection: Inspection) -> QuerySet[Organization]:
    """Organizations a campaign may inspect: those below its organizer."""
    org = inspection.organization
    return (
        Organization.objects.active()
        .filter(path__startswith=org.path, depth__gt=org.depth)
        .order_by("path")
    )


def _visit_fields(
    visited_on: Any,
    workers_employed: Any,
    result_summary: Any,
    inspection: Inspection,
    errors: FieldErrors,
    today: datetime.date,
) -> dict[str, Any]:
    visited = _date(visited_on, "visited_on", errors, required=False)
    if visited is not None:
        if visited > today:
            errors.add("visited_on", _("检查日期不能晚于今天"))
        elif visited < inspection.start_date:
            errors.add("visited_on", _("检查日期不能早于检查开始日期"))
    return {
        "visited_on": visited,
        "workers_employed": _figure(workers_employed, "workers_employed", errors, default=None),
        "result_summary": clean_multiline(
            result_summary, "result_summary", RESULT_MAX_LENGTH, errors
        ),
    }


@transaction.atomic
def add_inspection_target(
    *,
    actor,
    inspection: Inspection,
    organization: Organization | int | None = None,
    name: str = "",
    credit_code: str = "",
    visited_on: datetime.date | None = None,
    workers_employed: int | None = None,
    result_summary: str = "",
    now: datetime.datetime | None = None,
) -> InspectionTarget:
    """Add an enterprise to a planned or running campaign: a union in the organizer's
    subtree, or a firm without a union by name (and credit code)."""
    inspection = _lock_to_act(actor, inspection, ACTIVE_INSPECTION_STATUSES, _("添加检查对象"))
    now = now or timezone.now()
    errors = FieldErrors()
    org = None
    if organization not in (None, ""):
        allowed = target_organizations(inspection)
        pk = organization.pk if isinstance(organization, Organization) else organization
        try:
            org = allowed.filter(pk=pk).first()
        except (ValueError, TypeError, ValidationError):
            org = None
        if org is None:
            errors.add("organization", _("检查对象须为组织单位下属的单位"))
    name = clean_line(name, "name", NAME_MAX_LENGTH, errors)
    code = clean_credit_code(credit_code, "credit_code", errors)
    if org is not None:
        name = name or org.name
        code = code or (org.credit_code or "")
    if not name and "name" not in errors and "organization" not in errors:
        errors.add("name", _("请选择已建会单位或填写单位名称"))
    visit = _visit_fields(
        visited_on, workers_employed, result_summary, inspection, errors, timezone.localdate(now)
    )
    errors.raise_if_any()
    if inspection.targets.filter(name=name).exists() or (
        org is not None and inspection.targets.filter(organization=org).exists()
    ):
        raise ValidationError({"name": [_("该单位已在本次检查对象中")]})
    try:
        with transaction.atomic():
            target = InspectionTarget.objects.create(
                inspection=inspection,
                organization=org,
                name=name,
                credit_code=code[:18],
                created_at=now,
                **visit,
            )
    except IntegrityError:
        raise ValidationError({"name": [_("该单位已在本次检查对象中")]})
    events.target_added_event(target=target, actor=actor, time=now)
    record_created(actor=actor, obj=target, fields=TARGET_AUDIT_FIELDS, note=_("添加检查对象"))
    return target


@transaction.atomic
def record_target_visit(
    *,
    actor,
    target: InspectionTarget,
    visited_on: datetime.date | None,
    workers_employed: int | None = None,
    result_summary: str = "",
    now: datetime.datetime | None = None,
) -> InspectionTarget:
    """Record the visit of a target enterprise: the date, its head count, what was seen."""
    inspection = _lock_to_act(
        actor, target.inspection, [InspectionStatus.IN_PROGRESS], _("登记检查情况")
    )
    target = InspectionTarget.objects.select_for_update().get(pk=target.pk)
    errors = FieldErrors()
    if visited_on in (None, ""):
        errors.add("visited_on", _("请填写检查日期"))
    visit = _visit_fields(
        visited_on, workers_employed, result_summary, inspection, errors, timezone.localdate(now)
    )
    errors.raise_if_any()
    with change_recorded(
        actor=actor, obj=target, fields=TARGET_AUDIT_FIELDS, note=_("登记检查情况")
    ):
        for key, value in visit.items():
            setattr(target, key, value)
        target.save(update_fields=list(visit))
        target.inspection = inspection
        events.target_visited_event(target=target, actor=actor, time=now)
    return target


@transaction.atomic
def record_finding(
    *,
    actor,
    target: InspectionTarget,
    kind: str,
    description: str,
    workers_affected: int | None = 0,
    amount_involved: Any = None,
    now: datetime.datetime | None = None,
) -> InspectionFinding:
    """Record a problem found at a target enterprise of a running campaign."""
    inspection = _lock_to_act(
        actor, target.inspection, [InspectionStatus.IN_PROGRESS], _("登记发现问题")
    )
    errors = FieldErrors()
    kind = clean_choice(kind, FindingKind, "kind", errors, _("请选择问题类型"))
    description = clean_required_text(description, "description", DESCRIPTION_MAX_LENGTH, errors)
    workers = _figure(workers_affected, "workers_affected", errors)
    amount = _amount(amount_involved, "amount_involved", errors)
    errors.raise_if_any()
    now = now or timezone.now()
    finding = InspectionFinding.objects.create(
        target=target,
        kind=kind,
        description=description,
        workers_affected=workers,
        amount_involved=amount,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=now,
    )
    finding.target.inspection = inspection
    events.finding_recorded_event(finding=finding, actor=actor, time=now)
    record_change(actor=actor, obj=finding, action=ChangeAction.CREATE, note=_("登记发现问题"))
    return finding


# -- cases -------------------------------------------------------------------------------------


@transaction.atomic
def open_case_from_finding(
    *,
    actor,
    finding: InspectionFinding,
    applicants: Sequence[Person | dict] = (),
    category: CaseCategory | int | None = None,
    kind: str = CaseKind.RIGHTS,
    title: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Open a case (channel 执法检查发现) from a finding that needs handling: against the
    target enterprise, described by the finding, received by the campaign's organizer
    and routed like any case. One case per finding."""
    inspection = _lock_to_act(actor, finding.target.inspection, FOLLOW_UP_STATUSES, _("立案"))
    finding = (
        InspectionFinding.objects.select_for_update(of=("self",))
        .select_related("target__organization")
        .get(pk=finding.pk)
    )
    if finding.case_id is not None:
        raise ValidationError(_("该问题已立案,不能重复立案"), code="invalid_state")
    target = finding.target
    if category in (None, ""):
        category = CaseCategory.objects.filter(code=FINDING_CATEGORY[finding.kind]).first()
        if category is None:
            raise ValidationError({"category": [_("请选择诉求类别")]})
    errors = FieldErrors()
    title = clean_line(title, "title", TITLE_MAX_LENGTH, errors)
    errors.raise_if_any()
    default_title = _("%(name)s:%(kind)s") % {
        "name": target.name,
        "kind": finding.get_kind_display(),
    }
    case = submit_case(
        actor=actor,
        organization=inspection.organization,
        channel=Channel.INSPECTION,
        kind=kind,
        category=category,
        title=title or default_title[:TITLE_MAX_LENGTH],
        description=finding.description,
        applicants=applicants,
        employer=target.organization,
        employer_name=target.name,
        employer_credit_code=target.credit_code,
        amount_claimed=finding.amount_involved,
        now=now,
    )
    finding.case = case
    finding.save(update_fields=["case"])
    target.inspection = inspection
    events.case_opened_event(finding=finding, actor=actor, time=now)
    record_change(
        actor=actor,
        obj=finding,
        action=ChangeAction.UPDATE,
        before={"case": None},
        after={"case": case.pk},
        note=_("立案转办"),
    )
    return case
