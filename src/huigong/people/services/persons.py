"""Registering, changing and revealing persons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huigong.audit.models import ChangeAction, RevealReason
from huigong.audit.services import record_access, record_change, record_created_many, snapshot
from huigong.common import messages as catalogue
from huigong.common.bulk import insert_many
from huigong.common.crypto import lookup_hash
from huigong.common.fields import (
    FieldErrors,
    clean_choice,
    clean_credit_code,
    clean_identifier,
    clean_line,
    clean_multiline,
)
from huigong.common.text import clean_phone
from huigong.kernel.scope import user_can_at
from huigong.orgs.models import Organization

from ..models import (
    EmploymentForm,
    NewFormType,
    Person,
)
from ..validators import check_id_number, check_phone
from .base import (
    NOTES_MAX_LENGTH,
    PERSON_FIELDS,
    REASON_MAX_LENGTH,
    CheckedInput,
    PersonResult,
    RevealedPerson,
    ensure_still_visible,
    in_scope,
    record_update,
    require_person_permission,
    starting_values,
)

# -- persons -----------------------------------------------------------------------------------

#: The fields of a new person that the caller does not give.
_NEW_PERSON: dict[str, Any] = {
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


def check_person(
    *,
    actor,
    data: Mapping[str, Any],
    instance: Person | None = None,
    find_registered: bool = True,
) -> CheckedInput:
    """Normalise and validate person fields without saving (forms, API and import preview
    all use it). ``data`` holds the fields being set; when updating ``instance``, fields
    not in ``data`` keep their stored value and the stored ID number and phone are not
    re-checked. Raises ``ValidationError`` keyed by field. ``find_registered=False``
    leaves out the look-up of the ID number among registered persons: a bulk caller
    makes it for many rows at once (``registered_numbers``)."""
    merged = starting_values(data, PERSON_FIELDS, _NEW_PERSON, instance, "person")
    errors = FieldErrors()
    warnings: list[str] = []
    creating = instance is None
    if instance is not None:
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
        errors.add(
            "organization", catalogue.required(_("所属工会"), choose=True), code=catalogue.REQUIRED
        )
    values["organization"] = organization
    values["name"] = clean_line(merged["name"], "name", 50, errors, required=True, label=_("姓名"))

    if creating or "id_number" in data:
        raw_id = clean_identifier(merged["id_number"], "id_number", 18, errors)
        if "id_number" not in errors:
            try:
                check = check_id_number(raw_id)
            except ValidationError as exc:
                errors.add_error("id_number", exc)
            else:
                values["id_number"] = check.number
                if check.warning:
                    warnings.append(check.warning)
                if find_registered:
                    message = registered_numbers(actor, [check.number], instance).get(check.number)
                    if message:
                        errors.add("id_number", message, code=catalogue.DUPLICATE)

    if creating or "phone" in data:
        raw_phone = clean_identifier(merged["phone"], "phone", 12, errors)
        if "phone" not in errors:
            phone = clean_phone(raw_phone)
            if phone:
                try:
                    phone = check_phone(phone)
                except ValidationError as exc:
                    errors.add_error("phone", exc)
            values["phone"] = phone

    values["address"] = clean_line(merged["address"], "address", 200, errors)

    employer = merged["employer"]
    employer_name = clean_line(merged["employer_name"], "employer_name", 200, errors)
    credit_code = clean_identifier(
        merged["employer_credit_code"], "employer_credit_code", 18, errors
    )
    if employer is not None:
        employer_changed = creating or "employer" in data
        if employer_changed and not in_scope(actor, employer.path):
            errors.add("employer", _("所选工作单位不在您的管辖范围内"))
        if employer_name or credit_code:
            errors.add("employer_name", _("已选择已建会的工作单位时,无需再填写单位名称和信用代码"))
    elif credit_code:
        if not employer_name:
            errors.add("employer_name", _("填写了统一社会信用代码时,请同时填写单位名称"))
        credit_code = clean_credit_code(credit_code, "employer_credit_code", errors)
    values["employer"] = employer
    values["employer_name"] = employer_name
    values["employer_credit_code"] = credit_code

    form = clean_choice(
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


def registered_numbers(
    actor, numbers: Iterable[str], instance: Person | None = None
) -> dict[str, str]:
    """Which of the (normalised) ID numbers are registered already, with the message to
    show for each, in one query. Inside the actor's scope the message names the person
    and union; outside it says only that the number exists: nothing about who or where."""
    by_hash = {lookup_hash(number): number for number in numbers}
    if not by_hash:
        return {}
    existing = Person.objects.filter(id_number_hash__in=by_hash)
    if instance is not None:
        existing = existing.exclude(pk=instance.pk)
    found = list(existing.values_list("id_number_hash", "name", "organization__name", "pk"))
    if not found:
        return {}
    visible = set(
        Person.objects.visible_to(actor, "people.view_person")
        .filter(pk__in=[pk for *_rest, pk in found])
        .values_list("pk", flat=True)
    )
    messages = {}
    for id_hash, name, org_name, pk in found:
        if pk in visible:
            messages[by_hash[id_hash]] = _("该身份证号码已登记:%(name)s(%(org)s),请勿重复登记") % {
                "name": name,
                "org": org_name,
            }
        else:
            messages[by_hash[id_hash]] = _("该身份证号码已在其他单位登记,请联系上级工会")
    return messages


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
    ensure_still_visible(actor, Person.objects, person.pk, "people.add_person")
    record_change(actor=actor, obj=person, action=ChangeAction.CREATE)
    return PersonResult(person=person, warnings=checked.warnings)


def staged_person(values: dict[str, Any], *, province_id: int) -> dict[str, Any]:
    """A person ``check_person`` has checked (``find_registered=False``) as the column
    values an import keeps until it writes them (``register_staged_persons``): everything
    derived (pinyin, keyed hashes, birth year, sex) is computed here, once. The caller
    knows the union's province (``OrganizationQuerySet.provinces``, once per union)."""
    person = Person(**values, province_id=province_id)
    person.derive()
    return {f.attname: getattr(person, f.attname) for f in _staged_fields()}


def _staged_fields() -> list:
    return [
        f
        for f in Person._meta.concrete_fields
        if not f.primary_key
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


@transaction.atomic
def register_staged_persons(
    *, actor, rows: list[dict[str, Any]], note: str = ""
) -> dict[int, list[str]]:
    """Register the persons an import checked and staged (``staged_person`` values, each
    with its file ``row`` number): one insert for the persons and one for their change-log
    entries. Only what may have changed since the check is looked at again, set-based:
    the permission at each union and the numbers registered meanwhile. Returns the rows
    refused for those reasons, {row number: messages}."""
    refused: dict[int, list[str]] = {}
    organizations = Organization.objects.in_bulk({values["organization_id"] for values in rows})
    for organization in organizations.values():
        try:
            require_person_permission(actor, "people.add_person", organization)
        except PermissionDenied as exc:
            message = str(exc) or _("您没有在该工会登记职工的权限")
            refused.update(
                (values["row"], [message])
                for values in rows
                if values["organization_id"] == organization.pk
            )
    registered = registered_numbers(
        actor, [v["id_number"] for v in rows if v["id_number"] and v["row"] not in refused]
    )
    persons: list[tuple[int, Person]] = []
    for values in rows:
        number = values["row"]
        if number in refused:
            continue
        if values["id_number"] in registered:
            refused[number] = [registered[values["id_number"]]]
            continue
        person = Person(**{k: v for k, v in values.items() if k != "row"})
        person.organization = organizations[values["organization_id"]]
        persons.append((number, person))
    try:
        with transaction.atomic():
            insert_many(Person, [person for _number, person in persons])
        written = [person for _number, person in persons]
    except IntegrityError:
        # A number registered between the look-up and the insert: row by row.
        written = []
        for number, person in persons:
            try:
                with transaction.atomic():
                    Person.objects.bulk_create([person])
                written.append(person)
            except IntegrityError:
                refused[number] = [_("该身份证号码已被登记,请刷新后核对")]
    record_created_many(actor=actor, objs=written, note=note)
    return refused


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
    ensure_still_visible(actor, Person.objects, person.pk, "people.change_person")
    after = snapshot(person)
    changed_protected = []
    if person.id_number_hash != old_id_hash:
        changed_protected.append(_("身份证号码已更改"))
    if person.phone != old_phone:
        changed_protected.append(_("手机号已更改"))
    record_update(actor, person, before, after, changed_protected)
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
    errors = FieldErrors()
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
