"""Household members of a person: added, changed and removed by the person's
managers."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction
from huigong.audit.services import record_change, record_created, snapshot
from huigong.common.crypto import lookup_hash
from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_identifier,
    clean_line,
)

from ..models import (
    HealthStatus,
    HouseholdMember,
    Person,
    Relation,
)
from ..validators import check_id_number
from .base import (
    HOUSEHOLD_FIELDS,
    MAX_MONTHLY_INCOME,
    MEMBER_LOG_FIELDS,
    CheckedInput,
    HouseholdResult,
    record_update,
    require_person_permission,
    starting_values,
)

# -- household members -------------------------------------------------------------------------

#: The fields of a new household member that the caller does not give.
_NEW_MEMBER: dict[str, Any] = {
    "relation": "",
    "name": "",
    "id_number": "",
    "birth_date": None,
    "monthly_income": None,
    "health": HealthStatus.HEALTHY,
    "disability_grade": None,
    "school": "",
}


def check_household_member(
    *, person: Person, data: Mapping[str, Any], instance: HouseholdMember | None = None
) -> CheckedInput:
    """Normalise and validate household-member fields without saving."""
    merged = starting_values(data, HOUSEHOLD_FIELDS, _NEW_MEMBER, instance, "household")
    merged.update(data)
    errors = FieldErrors()
    warnings: list[str] = []
    creating = instance is None
    values: dict[str, Any] = {}

    relation = clean_choice(
        merged["relation"], Relation, "relation", errors, _("请选择与职工的关系")
    )
    values["relation"] = relation
    if relation == Relation.SPOUSE:
        spouses = HouseholdMember.objects.filter(person=person, relation=Relation.SPOUSE)
        if instance is not None:
            spouses = spouses.exclude(pk=instance.pk)
        if spouses.exists():
            errors.add("relation", _("该职工已登记配偶"))
    values["name"] = clean_line(merged["name"], "name", 50, errors, required=True, label=_("姓名"))

    derived_birth = None
    if creating or "id_number" in data:
        raw_id = clean_identifier(merged["id_number"], "id_number", 18, errors)
        if raw_id and "id_number" not in errors:
            try:
                check = check_id_number(raw_id)
            except ValidationError as exc:
                errors.add_error("id_number", exc)
            else:
                raw_id = check.number
                derived_birth = check.birth_date
                if check.warning:
                    warnings.append(check.warning)
                digest = lookup_hash(check.number)
                if digest == person.id_number_hash:
                    errors.add("id_number", _("家庭成员的身份证号码不能与职工本人相同"))
                others = HouseholdMember.objects.filter(person=person, id_number_hash=digest)
                if instance is not None:
                    others = others.exclude(pk=instance.pk)
                if others.exists():
                    errors.add("id_number", _("该家庭成员已登记"))
        values["id_number"] = raw_id
    elif instance is not None and instance.id_number:
        derived_birth = instance.birth_date

    birth_date = merged["birth_date"]
    if birth_date is not None and not isinstance(birth_date, datetime.date):
        errors.add("birth_date", _("日期格式不正确"))
    elif birth_date is not None:
        if birth_date > timezone.localdate() or birth_date.year < 1900:
            errors.add("birth_date", _("出生日期无效"))
        elif derived_birth is not None and birth_date != derived_birth and "birth_date" in data:
            errors.add("birth_date", _("出生日期与身份证号码不一致"))
    values["birth_date"] = derived_birth or birth_date

    income = merged["monthly_income"]
    if income in (None, ""):
        values["monthly_income"] = None
    else:
        try:
            income = Decimal(str(income))
        except InvalidOperation:
            errors.add("monthly_income", _("请填写金额,如 1500.00"))
        else:
            if not income.is_finite() or income < 0:
                errors.add("monthly_income", _("月收入不能为负数"))
            elif income > MAX_MONTHLY_INCOME:
                errors.add("monthly_income", _("月收入数额过大,请核对"))
            elif income != income.quantize(Decimal("0.01")):
                errors.add("monthly_income", _("金额最多保留两位小数"))
            values["monthly_income"] = income

    health = clean_choice(merged["health"], HealthStatus, "health", errors, _("请选择健康状况"))
    values["health"] = health
    grade = merged["disability_grade"]
    if grade in (None, ""):
        values["disability_grade"] = None
    else:
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 4:
            errors.add("disability_grade", _("残疾等级为 1 至 4 级"))
        elif health != HealthStatus.DISABLED:
            errors.add("disability_grade", _("只有健康状况为“残疾”时才填写残疾等级"))
        values["disability_grade"] = grade
    values["school"] = clean_line(merged["school"], "school", 100, errors)

    errors.raise_if_any()
    return CheckedInput(values=values, warnings=warnings)


@transaction.atomic
def add_household_member(
    *,
    actor,
    person: Person,
    relation: str,
    name: str,
    id_number: str = "",
    birth_date: datetime.date | None = None,
    monthly_income: Decimal | None = None,
    health: str = HealthStatus.HEALTHY,
    disability_grade: int | None = None,
    school: str = "",
) -> HouseholdResult:
    """Add a member to ``person``'s household (used by hardship files and assistance)."""
    person = Person.objects.select_related("organization").get(pk=person.pk)
    require_person_permission(actor, "people.add_householdmember", person.organization)
    checked = check_household_member(
        person=person,
        data={
            "relation": relation,
            "name": name,
            "id_number": id_number,
            "birth_date": birth_date,
            "monthly_income": monthly_income,
            "health": health,
            "disability_grade": disability_grade,
            "school": school,
        },
    )
    member = HouseholdMember(person=person, **checked.values)
    member.save()
    record_created(actor=actor, obj=member, fields=MEMBER_LOG_FIELDS)
    return HouseholdResult(member=member, warnings=checked.warnings)


@transaction.atomic
def update_household_member(*, actor, member: HouseholdMember, **changes: Any) -> HouseholdResult:
    """Change the given fields of a household member."""
    member = (
        HouseholdMember.objects.select_for_update()
        .select_related("person__organization")
        .get(pk=member.pk)
    )
    require_person_permission(actor, "people.change_householdmember", member.person.organization)
    checked = check_household_member(person=member.person, data=changes, instance=member)
    before = snapshot(member, MEMBER_LOG_FIELDS)
    old_hash = member.id_number_hash
    for name, value in checked.values.items():
        setattr(member, name, value)
    member.save()
    after = snapshot(member, MEMBER_LOG_FIELDS)
    changed_protected = [_("身份证号码已更改")] if member.id_number_hash != old_hash else []
    record_update(actor, member, before, after, changed_protected)
    return HouseholdResult(member=member, warnings=checked.warnings)


@transaction.atomic
def remove_household_member(*, actor, member: HouseholdMember) -> None:
    """Remove a member from a household; the change log keeps what was removed."""
    member = (
        HouseholdMember.objects.select_for_update()
        .select_related("person__organization")
        .get(pk=member.pk)
    )
    require_person_permission(actor, "people.delete_householdmember", member.person.organization)
    record_change(
        actor=actor,
        obj=member,
        action=ChangeAction.DELETE,
        before=snapshot(member, MEMBER_LOG_FIELDS),
    )
    member.delete()
