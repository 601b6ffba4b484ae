"""Use cases for persons and their households.

Every way a person is registered or changed — workbench forms, the API, Excel imports —
calls these functions, so normalisation (full-width → half-width, Traditional →
Simplified, stray spaces, ``x`` → ``X`` in ID numbers), validation, de-duplication,
permission checks and the audit entry happen in one place. Each function takes the
acting user as ``actor``, runs in one transaction, raises ``PermissionDenied`` when the
actor may not act at the person's organization and ``ValidationError`` (Chinese messages
keyed by field) for bad input; on either, nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from huigong.audit.models import ChangeAction, RevealReason
from huigong.audit.services import record_access, record_change, snapshot
from huigong.common.crypto import lookup_hash
from huigong.common.text import clean_code, clean_phone, clean_text
from huigong.orgs.models import Organization
from huigong.orgs.scope import scope_paths, user_can_at

from .models import (
    EmploymentForm,
    HealthStatus,
    HouseholdMember,
    NewFormType,
    Person,
    Relation,
)
from .validators import check_id_number, check_phone

#: Fields a caller may set on a person (ID number and phone are the protected ones).
PERSON_FIELDS = (
    "organization",
    "name",
    "id_number",
    "phone",
    "address",
    "employer",
    "employer_name",
    "employer_credit_code",
    "employment_form",
    "new_form_type",
    "is_member",
    "notes",
)
HOUSEHOLD_FIELDS = (
    "relation",
    "name",
    "id_number",
    "birth_date",
    "monthly_income",
    "health",
    "disability_grade",
    "school",
)
#: What a household member's change-log entry records (``person`` ties it to the person).
#: The birth year, not the date: the log is readable without the reveal permission.
MEMBER_LOG_FIELDS = (
    "person",
    *(("birth_year" if name == "birth_date" else name) for name in HOUSEHOLD_FIELDS),
)
NOTES_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 200
MAX_MONTHLY_INCOME = Decimal("99999999.99")


@dataclass
class PersonResult:
    """A saved person and the warnings (e.g. an unknown area code) to show the user."""

    person: Person
    warnings: list[str] = field(default_factory=list)


@dataclass
class HouseholdResult:
    member: HouseholdMember
    warnings: list[str] = field(default_factory=list)


@dataclass
class CheckedInput:
    """Normalised values ready to assign to the model, and warnings for the user."""

    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RevealedPerson:
    id_number: str
    phone: str


# -- normalisation (the one place forms, API and imports share) ----------------------------


class _Errors:
    """Collects field-keyed messages and raises them together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, *messages: str) -> None:
        self.by_field.setdefault(name, []).extend(str(m) for m in messages)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _too_long(max_length: int) -> str:
    return _("不能超过 %(n)d 个字") % {"n": max_length}


def clean_line(
    value: Any, name: str, max_length: int, errors: _Errors, *, required: bool = False
) -> str:
    """Normalise one line of text (name, address, unit name); record problems in ``errors``."""
    raw = "" if value is None else str(value)
    # Refuse absurd input before normalising it: converting megabytes of text is wasted work.
    if len(raw) > max_length * 4:
        errors.add(name, _too_long(max_length))
        return ""
    text = clean_text(raw)
    if required and not text:
        errors.add(name, _("必填"))
    elif len(text) > max_length:
        errors.add(name, _too_long(max_length))
    return text


def clean_multiline(value: Any, name: str, max_length: int, errors: _Errors) -> str:
    """Like ``clean_line`` but keeps line breaks (notes)."""
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, _too_long(max_length))
        return ""
    text = "\n".join(clean_text(line) for line in raw.splitlines()).strip()
    if len(text) > max_length:
        errors.add(name, _too_long(max_length))
    return text


def clean_identifier(value: Any, name: str, max_length: int, errors: _Errors) -> str:
    raw = "" if value is None else str(value)
    if len(raw) > max_length * 4:
        errors.add(name, _too_long(max_length))
        return ""
    return clean_code(raw)


def _choice(value: Any, choices, name: str, errors: _Errors, message: str) -> str:
    value = "" if value is None else str(value).strip()
    if value not in choices.values:
        errors.add(name, message)
    return value


# -- permission helpers ----------------------------------------------------------------------


def _in_scope(actor, path: str) -> bool:
    paths = scope_paths(actor)
    return paths is None or any(path.startswith(p) for p in paths)


def require_person_permission(actor, perm: str, organization: Organization | None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` holds ``perm`` at ``organization``.
    Without an organization, only check that the actor holds ``perm`` somewhere (the
    missing organization is then reported as a field error)."""
    if organization is None:
        if scope_paths(actor, perm) == []:
            raise PermissionDenied(_("您没有执行此操作的权限"))
        return
    if not user_can_at(actor, perm, organization.path):
        raise PermissionDenied(_("您在“%(org)s”没有执行此操作的权限") % {"org": organization.name})


def _ensure_still_visible(actor, queryset, pk: int, perm: str) -> None:
    # Belt and braces after a write: the result must lie inside the actor's scope, or the
    # whole transaction is rolled back.
    if not queryset.visible_to(actor, perm).filter(pk=pk).exists():
        raise PermissionDenied(_("保存后的数据不在您的管辖范围内,已撤销"))


# -- persons -----------------------------------------------------------------------------------


def check_person(*, actor, data: Mapping[str, Any], instance: Person | None = None) -> CheckedInput:
    """Normalise and validate person fields without saving (forms, API and import preview
    all use it). ``data`` holds the fields being set; when updating ``instance``, fields
    not in ``data`` keep their stored value and the stored ID number and phone are not
    re-checked. Raises ``ValidationError`` keyed by field."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    errors = _Errors()
    warnings: list[str] = []
    creating = instance is None
    merged: dict[str, Any] = {
        "organization": None,
        "name": "",
        "id_number": "",
        "phone": "",
        "address": "",
        "employer": None,
        "employer_name": "",
        "employer_credit_code": "",
        "employment_form": EmploymentForm.STANDARD,
        "new_form_type": "",
        "is_member": False,
        "notes": "",
    }
    if instance is not None:
        merged.update({name: getattr(instance, name) for name in PERSON_FIELDS})
        # The employer is one slot: choosing a unionised employer replaces the free text
        # and typing a free-text employer replaces the chosen one.
        if data.get("employer") is not None and not (
            "employer_name" in data or "employer_credit_code" in data
        ):
            merged["employer_name"] = merged["employer_credit_code"] = ""
        if (
            data.get("employer_name") or data.get("employer_credit_code")
        ) and "employer" not in data:
            merged["employer"] = None
        # Leaving the new form of employment drops its category unless one is sent.
        if data.get("employment_form") not in (None, EmploymentForm.NEW_FORM) and (
            "new_form_type" not in data
        ):
            merged["new_form_type"] = ""
    merged.update(data)

    values: dict[str, Any] = {}
    organization = merged["organization"]
    if organization is None:
        errors.add("organization", _("请选择所属工会"))
    values["organization"] = organization
    values["name"] = clean_line(merged["name"], "name", 50, errors, required=True)

    if creating or "id_number" in data:
        raw_id = clean_identifier(merged["id_number"], "id_number", 18, errors)
        if "id_number" not in errors:
            try:
                check = check_id_number(raw_id)
            except ValidationError as exc:
                errors.add("id_number", *exc.messages)
            else:
                values["id_number"] = check.number
                if check.warning:
                    warnings.append(check.warning)
                _check_duplicate_person(actor, check.number, instance, errors)

    if creating or "phone" in data:
        raw_phone = clean_identifier(merged["phone"], "phone", 12, errors)
        if "phone" not in errors:
            phone = clean_phone(raw_phone)
            if phone:
                try:
                    phone = check_phone(phone)
                except ValidationError as exc:
                    errors.add("phone", *exc.messages)
            values["phone"] = phone

    values["address"] = clean_line(merged["address"], "address", 200, errors)

    employer = merged["employer"]
    employer_name = clean_line(merged["employer_name"], "employer_name", 200, errors)
    credit_code = clean_identifier(
        merged["employer_credit_code"], "employer_credit_code", 18, errors
    )
    if employer is not None:
        employer_changed = creating or "employer" in data
        if employer_changed and not _in_scope(actor, employer.path):
            errors.add("employer", _("所选工作单位不在您的管辖范围内"))
        if employer_name or credit_code:
            errors.add("employer_name", _("已选择已建会的工作单位时,无需再填写单位名称和信用代码"))
    elif credit_code:
        if not employer_name:
            errors.add("employer_name", _("填写了统一社会信用代码时,请同时填写单位名称"))
        try:
            credit_code = uscc.validate(credit_code)
        except stdnum_errors.InvalidLength:
            errors.add("employer_credit_code", _("统一社会信用代码应为 18 位"))
        except stdnum_errors.ValidationError:
            errors.add("employer_credit_code", _("统一社会信用代码校验不通过,请核对"))
    values["employer"] = employer
    values["employer_name"] = employer_name
    values["employer_credit_code"] = credit_code

    form = _choice(
        merged["employment_form"],
        EmploymentForm,
        "employment_form",
        errors,
        _("请选择有效的用工形式"),
    )
    new_form_type = "" if merged["new_form_type"] is None else str(merged["new_form_type"]).strip()
    if form == EmploymentForm.NEW_FORM:
        if not new_form_type:
            errors.add("new_form_type", _("新就业形态劳动者请选择类别"))
        elif new_form_type not in NewFormType.values:
            errors.add("new_form_type", _("请选择有效的新就业形态类别"))
    elif new_form_type and "employment_form" not in errors:
        errors.add("new_form_type", _("只有用工形式为“新就业形态”时才填写类别"))
    values["employment_form"] = form
    values["new_form_type"] = new_form_type

    is_member = merged["is_member"]
    if not isinstance(is_member, bool):
        errors.add("is_member", _("请填写“是”或“否”"))
    values["is_member"] = bool(is_member)
    values["notes"] = clean_multiline(merged["notes"], "notes", NOTES_MAX_LENGTH, errors)

    errors.raise_if_any()
    return CheckedInput(values=values, warnings=warnings)


def _check_duplicate_person(actor, number: str, instance: Person | None, errors: _Errors) -> None:
    existing = Person.objects.filter(id_number_hash=lookup_hash(number))
    if instance is not None:
        existing = existing.exclude(pk=instance.pk)
    found = existing.select_related("organization").first()
    if found is None:
        return
    if Person.objects.visible_to(actor, "people.view_person").filter(pk=found.pk).exists():
        errors.add(
            "id_number",
            _("该身份证号码已登记:%(name)s(%(org)s),请勿重复登记")
            % {"name": found.name, "org": found.organization.name},
        )
    else:
        # Outside the actor's scope say only that it exists: nothing about who or where.
        errors.add("id_number", _("该身份证号码已在其他单位登记,请联系上级工会"))


def _save_person(person: Person) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Someone registered the same number between our check and the insert.
        raise ValidationError({"id_number": [_("该身份证号码已被登记,请刷新后核对")]})


@transaction.atomic
def register_person(
    *,
    actor,
    organization: Organization | None,
    name: str,
    id_number: str,
    phone: str = "",
    address: str = "",
    employer: Organization | None = None,
    employer_name: str = "",
    employer_credit_code: str = "",
    employment_form: str = EmploymentForm.STANDARD,
    new_form_type: str = "",
    is_member: bool = False,
    notes: str = "",
) -> PersonResult:
    """Register a worker with ``organization``. An ID number already registered anywhere is
    refused; an unknown area code in it is returned as a warning, not an error."""
    require_person_permission(actor, "people.add_person", organization)
    checked = check_person(
        actor=actor,
        data={
            "organization": organization,
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "address": address,
            "employer": employer,
            "employer_name": employer_name,
            "employer_credit_code": employer_credit_code,
            "employment_form": employment_form,
            "new_form_type": new_form_type,
            "is_member": is_member,
            "notes": notes,
        },
    )
    person = Person(**checked.values)
    _save_person(person)
    _ensure_still_visible(actor, Person.objects, person.pk, "people.add_person")
    record_change(actor=actor, obj=person, action=ChangeAction.CREATE)
    return PersonResult(person=person, warnings=checked.warnings)


@transaction.atomic
def update_person(*, actor, person: Person, **changes: Any) -> PersonResult:
    """Change the given fields of ``person`` (others keep their value). Moving a person to
    another organization needs the change permission at both organizations."""
    person = Person.objects.select_for_update().select_related("organization").get(pk=person.pk)
    require_person_permission(actor, "people.change_person", person.organization)
    target = changes.get("organization")
    if target is not None and target.pk != person.organization_id:
        require_person_permission(actor, "people.change_person", target)
    checked = check_person(actor=actor, data=changes, instance=person)
    before = snapshot(person)
    old_id_hash, old_phone = person.id_number_hash, person.phone
    for name, value in checked.values.items():
        setattr(person, name, value)
    _save_person(person)
    _ensure_still_visible(actor, Person.objects, person.pk, "people.change_person")
    after = snapshot(person)
    # Protected values appear in snapshots only as "set"; say in the note that they changed.
    changed_protected = []
    if person.id_number_hash != old_id_hash:
        changed_protected.append(_("身份证号码已更改"))
    if person.phone != old_phone:
        changed_protected.append(_("手机号已更改"))
    if before != after or changed_protected:
        record_change(
            actor=actor,
            obj=person,
            action=ChangeAction.UPDATE,
            before=before,
            after=after,
            note=";".join(changed_protected),
        )
    return PersonResult(person=person, warnings=checked.warnings)


@transaction.atomic
def reveal_person(
    *, actor, person: Person, reason: str, note: str = "", channel: str = "web"
) -> RevealedPerson:
    """Return the full ID number and phone of ``person`` and log who saw them and why.
    Needs ``people.reveal_person`` at the person's organization and a reason from
    ``RevealReason``; the note is optional, except for "other", which it explains."""
    if not user_can_at(actor, "people.reveal_person", person.organization.path):
        raise PermissionDenied(_("您没有查看完整身份证号码和手机号的权限"))
    errors = _Errors()
    reason = (reason or "").strip()
    if reason not in RevealReason.values:
        errors.add("reason", _("请从列表中选择查看原因"))
    note = clean_line(note, "note", REASON_MAX_LENGTH, errors)
    if reason == RevealReason.OTHER and not note and "note" not in errors:
        errors.add("note", _("选择“其他”时请写明查看原因"))
    errors.raise_if_any()
    record_access(
        actor=actor,
        obj=person,
        fields=["id_number", "phone"],
        reason_code=reason,
        reason=note,
        channel=channel,
    )
    return RevealedPerson(id_number=person.id_number, phone=person.phone)


# -- household members -------------------------------------------------------------------------


def check_household_member(
    *, person: Person, data: Mapping[str, Any], instance: HouseholdMember | None = None
) -> CheckedInput:
    """Normalise and validate household-member fields without saving."""
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown household fields: {sorted(unknown)}")
    errors = _Errors()
    warnings: list[str] = []
    creating = instance is None
    merged: dict[str, Any] = {
        "relation": "",
        "name": "",
        "id_number": "",
        "birth_date": None,
        "monthly_income": None,
        "health": HealthStatus.HEALTHY,
        "disability_grade": None,
        "school": "",
    }
    if instance is not None:
        merged.update({name: getattr(instance, name) for name in HOUSEHOLD_FIELDS})
    merged.update(data)
    values: dict[str, Any] = {}

    relation = _choice(merged["relation"], Relation, "relation", errors, _("请选择与职工的关系"))
    values["relation"] = relation
    if relation == Relation.SPOUSE:
        spouses = HouseholdMember.objects.filter(person=person, relation=Relation.SPOUSE)
        if instance is not None:
            spouses = spouses.exclude(pk=instance.pk)
        if spouses.exists():
            errors.add("relation", _("该职工已登记配偶"))
    values["name"] = clean_line(merged["name"], "name", 50, errors, required=True)

    derived_birth = None
    if creating or "id_number" in data:
        raw_id = clean_identifier(merged["id_number"], "id_number", 18, errors)
        if raw_id and "id_number" not in errors:
            try:
                check = check_id_number(raw_id)
            except ValidationError as exc:
                errors.add("id_number", *exc.messages)
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

    health = _choice(merged["health"], HealthStatus, "health", errors, _("请选择健康状况"))
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
    record_change(
        actor=actor,
        obj=member,
        action=ChangeAction.CREATE,
        after=snapshot(member, MEMBER_LOG_FIELDS),
    )
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
    note = _("身份证号码已更改") if member.id_number_hash != old_hash else ""
    if before != after or note:
        record_change(
            actor=actor,
            obj=member,
            action=ChangeAction.UPDATE,
            before=before,
            after=after,
            note=note,
        )
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
